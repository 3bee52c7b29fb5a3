// KvStore + EventLog over the Redis REST protocol (Upstash Redis, Vercel KV): fetch-based, so it runs in
// Workers, Node and Vercel alike. Depends only on the narrow structural client type below (any
// @upstash/redis Redis or @vercel/kv VercelKV fits). Event log = Redis Stream + consumer group (part 5):
// appends and reads are Lua scripts (EVAL), so idempotency (the id zset) and XADD happen atomically.
// Ids are remembered in a sorted set scored by append time and forgotten by trim past the dedup horizon.
import type { Redis } from '@upstash/redis';
import { keys as kvKeys } from './keys.ts';
import { StoredEvent } from './values.ts';
import { checkHistoryWrite, DEFAULT_DEDUP_HORIZON_MS, KvUnavailableError, type EventLog, type EventLogOptions, type HistoryWrite, type KvStore, type LoggedEvent } from './store.ts';

/** The commands this backend needs; create the client with `automaticDeserialization: false`. */
export type RedisRestClient = Pick<Redis, 'get' | 'mget' | 'set' | 'mset' | 'del' | 'multi' | 'lrange' | 'ping' | 'eval' | 'evalsha' | 'xack' | 'xlen'>;

export interface RedisStoreOptions extends EventLogOptions {
  kind?: 'upstash' | 'vercel-kv';
  /** Prefix for every key (tenancy, tests); published keys already start with `llmrec:`. */
  prefix?: string;
}

// KEYS: stream, id zset, legacy id SET (read-only: deployments before the dedup horizon kept every id there),
// then the history lists the batch writes to. ARGV: history maxLen, then per event: id, json, index of its
// history key in KEYS (0 = none), history entry.
// An id is a duplicate if either id set holds it. A new id is scored with the ms part of the stream id XADD gave it:
// that is the server's clock (clients' clocks do not matter), kept monotone by Redis even if the clock steps
// back, which makes trim's criterion below exact. A new event's history entry is LPUSHed in the same script
// (then each list LTRIMmed once), so events and history entries are stored together or not at all: a script
// runs without interleaving, and the only command that could fail midway (LPUSH on a key of another type) is
// ruled out by a TYPE check before the first write.
const APPEND_LUA = `
for k = 4, #KEYS do
  local t = redis.call('TYPE', KEYS[k])['ok']
  if t ~= 'none' and t ~= 'list' then return redis.error_reply('WRONGTYPE history key ' .. KEYS[k] .. ' holds a ' .. t) end
end
local maxLen = tonumber(ARGV[1])
local added, pushed = 0, {}
for i = 2, #ARGV, 4 do
  local id = ARGV[i]
  if not redis.call('ZSCORE', KEYS[2], id) and redis.call('SISMEMBER', KEYS[3], id) == 0 then
    local sid = redis.call('XADD', KEYS[1], '*', 'id', id, 'e', ARGV[i + 1])
    local ms = tonumber(string.sub(sid, 1, string.find(sid, '-', 1, true) - 1))
    redis.call('ZADD', KEYS[2], 'NX', ms, id)
    added = added + 1
    local h = tonumber(ARGV[i + 2])
    if h > 0 then
      redis.call('LPUSH', KEYS[h], ARGV[i + 3])
      pushed[h] = true
    end
  end
end
for h in pairs(pushed) do
  if maxLen > 0 then redis.call('LTRIM', KEYS[h], 0, maxLen - 1) else redis.call('DEL', KEYS[h]) end
end
return added`;

// Own pending (XREADGROUP 0), then stale pending of others (XAUTOCLAIM), then new (XREADGROUP >).
// Returns a flat array id1, json1, id2, json2, ...
const READ_LUA = `
local s, g, c, n, idle = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
redis.pcall('XGROUP', 'CREATE', s, g, '0', 'MKSTREAM')
local out, seen = {}, {}
local function take(entries)
  for _, e in ipairs(entries) do
    if #out >= 2 * n then return end
    local id, fields = e[1], e[2]
    if fields and not seen[id] then
      seen[id] = true
      for j = 1, #fields, 2 do
        if fields[j] == 'e' then out[#out + 1] = id; out[#out + 1] = fields[j + 1] end
      end
    end
  end
end
local own = redis.call('XREADGROUP', 'GROUP', g, c, 'COUNT', n, 'STREAMS', s, '0')
if own and own[1] then take(own[1][2]) end
if #out < 2 * n then
  -- claim only what fits, so nothing is claimed without being returned
  local claimed = redis.call('XAUTOCLAIM', s, g, c, idle, '0-0', 'COUNT', n - #out / 2)
  take(claimed[2])
end
local rest = n - #out / 2
if rest > 0 then
  local fresh = redis.call('XREADGROUP', 'GROUP', g, c, 'COUNT', rest, 'STREAMS', s, '>')
  if fresh and fresh[1] then take(fresh[1][2]) end
end
return out`;

// For each group: keep from its oldest pending id (XPENDING summary), else from the id just after its
// last-delivered-id (XINFO GROUPS); XTRIM MINID at the minimum over groups removes the ids strictly below.
// A missing stream or group trims nothing. Needs Redis >= 6.2 (XTRIM MINID).
// Then (every call) forget ids: ZREMRANGEBYSCORE below min(now - horizon, ms of the oldest remaining entry),
// now from the server's TIME. Why only gone events lose their id: an id's score is the ms part of its own
// stream id; stream ids increase in append order and trimming only removes entries below some id (XTRIM
// MINID; nothing XDELs), so the stored entries are a suffix of the stream. Every stored entry's id is >= the
// oldest remaining one's, so its ms (= its score) is >= that entry's ms and it is not removed; a score
// strictly below it belongs to an earlier, trimmed entry. Empty stream: every id's event is gone. Ids sharing
// the oldest remaining entry's millisecond wait for a later trim (safe side).
// KEYS: stream, id zset. ARGV: horizon ms, group names...
const TRIM_LUA = `
local s, ids, horizon = KEYS[1], KEYS[2], tonumber(ARGV[1])
local function parse(id)
  local dash = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end
local function trimEvents()
  if #ARGV < 2 or redis.call('EXISTS', s) == 0 then return 0 end
  local info = redis.call('XINFO', 'GROUPS', s)
  local last = {}
  for _, g in ipairs(info) do
    local name, id
    for j = 1, #g, 2 do
      if g[j] == 'name' then name = g[j + 1] elseif g[j] == 'last-delivered-id' then id = g[j + 1] end
    end
    if name then last[name] = id end
  end
  local minMs, minSeq
  for k = 2, #ARGV do
    local name = ARGV[k]
    if not last[name] then return 0 end
    local ms, sq
    local p = redis.call('XPENDING', s, name)
    if tonumber(p[1]) > 0 then
      ms, sq = parse(p[2])
    else
      ms, sq = parse(last[name])
      sq = sq + 1
    end
    if not minMs or ms < minMs or (ms == minMs and sq < minSeq) then minMs, minSeq = ms, sq end
  end
  return redis.call('XTRIM', s, 'MINID', string.format('%.0f-%.0f', minMs, minSeq))
end
local removed = trimEvents()
local t = redis.call('TIME')
local cutoff = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - horizon
local first = redis.call('XRANGE', s, '-', '+', 'COUNT', 1)
if first[1] then
  local ms = parse(first[1][1])
  if ms < cutoff then cutoff = ms end
end
redis.call('ZREMRANGEBYSCORE', ids, '-inf', string.format('(%.0f', cutoff))
return removed`;

// Erasure of one user's events: scans the stream in pages (ARGV[2] entries per call, from ARGV[3]) for entries
// whose event names the user, XACKs them for every group (a deleted entry left pending would hold trimming up),
// XDELs them and ZREMs their ids. Returns { next cursor or '', id1, event id1, ... }. XDEL leaves the remaining
// entries ordered, so trim's id-forgetting rule (scores below the oldest remaining entry) stays exact.
// KEYS: stream, id zset. ARGV: user id, page size, start id.
const FORGET_USER_LUA = `
local s, ids, user, n, from = KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), ARGV[3]
if redis.call('EXISTS', s) == 0 then return {''} end
local page = redis.call('XRANGE', s, from, '+', 'COUNT', n)
local groups = {}
for _, g in ipairs(redis.call('XINFO', 'GROUPS', s)) do
  for j = 1, #g, 2 do if g[j] == 'name' then groups[#groups + 1] = g[j + 1] end end
end
local out = {''}
for _, e in ipairs(page) do
  local id, fields = e[1], e[2]
  local eid, body
  for j = 1, #fields, 2 do
    if fields[j] == 'id' then eid = fields[j + 1] elseif fields[j] == 'e' then body = fields[j + 1] end
  end
  local ok, ev = pcall(cjson.decode, body or '')
  if ok and type(ev) == 'table' and ev.userId == user then
    for _, g in ipairs(groups) do redis.call('XACK', s, g, id) end
    redis.call('XDEL', s, id)
    if eid then redis.call('ZREM', ids, eid) end
    out[#out + 1] = id
    out[#out + 1] = eid or ''
  end
end
if #page == n then
  local last = page[#page][1]
  local dash = string.find(last, '-', 1, true)
  out[1] = string.sub(last, 1, dash - 1) .. '-' .. tostring(tonumber(string.sub(last, dash + 1)) + 1)
end
return out`;

async function guard<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    // Redis command errors (ERR/WRONGTYPE) are bugs, not outages: rethrow them as they are.
    if (/^(ERR|WRONGTYPE|NOSCRIPT|BUSYGROUP)|command was:/.test(msg)) throw e;
    throw new KvUnavailableError(`Redis REST endpoint unreachable during ${what}: ${msg}`, { cause: e });
  }
}

export class RedisEventLog implements EventLog {
  private readonly stream: string;
  private readonly ids: string;
  private readonly legacyIds: string;
  private readonly claimIdleMs: number;
  private readonly dedupHorizonMs: number;
  private readonly prefix: string;

  constructor(private readonly client: RedisRestClient, opts: RedisStoreOptions = {}) {
    this.prefix = opts.prefix ?? '';
    this.stream = `${opts.prefix ?? ''}${kvKeys.eventStream()}`;
    this.ids = `${opts.prefix ?? ''}${kvKeys.eventIdsSeen()}`;
    this.legacyIds = `${opts.prefix ?? ''}${kvKeys.eventIds()}`;
    this.claimIdleMs = opts.claimIdleMs ?? 30_000;
    this.dedupHorizonMs = opts.dedupHorizonMs ?? DEFAULT_DEDUP_HORIZON_MS;
  }

  async append(events: readonly LoggedEvent[], history?: HistoryWrite) {
    checkHistoryWrite(events, history);
    if (events.length === 0) return { added: 0, duplicates: 0 };
    const keys = [this.stream, this.ids, this.legacyIds];
    const slot = new Map<string, number>();
    const args: (string | number)[] = [history?.maxLen ?? 0];
    events.forEach((e, i) => {
      const { seq: _seq, ...rest } = e;
      const h = history?.entries[i];
      let at = 0;
      if (h) {
        const k = this.prefix + h.key;
        at = slot.get(k) ?? (keys.push(k), slot.set(k, keys.length).get(k)!);
      }
      args.push(e.eventId, JSON.stringify({ v: 1, ...rest }), at, h?.value ?? '');
    });
    const added = Number(await guard('event append', () => this.client.eval(APPEND_LUA, keys, args)));
    return { added, duplicates: events.length - added };
  }

  async read(group: string, consumer: string, count: number) {
    if (count <= 0) return [];
    const flat = (await guard('event read', () => this.client.eval(READ_LUA, [this.stream], [group, consumer, count, this.claimIdleMs]))) as string[];
    const out: LoggedEvent[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const { v: _v, ...e } = StoredEvent.parse(JSON.parse(flat[i + 1]!));
      out.push({ ...e, seq: flat[i] });
    }
    return out;
  }

  async ack(group: string, seqs: readonly string[]) {
    if (seqs.length === 0) return;
    await guard('event ack', () => this.client.xack(this.stream, group, [...seqs]));
  }

  async trim(groups: readonly string[]) {
    return Number(await guard('event trim', () => this.client.eval(TRIM_LUA, [this.stream, this.ids], [this.dedupHorizonMs, ...groups])));
  }

  async length() {
    return guard('event length', () => this.client.xlen(this.stream));
  }

  async forgetUser(userId: string) {
    const eventIds: string[] = [];
    let from = '-';
    for (;;) {
      const out = (await guard('forget user', () => this.client.eval(FORGET_USER_LUA, [this.stream, this.ids], [userId, 1000, from]))) as string[];
      for (let i = 1; i + 1 < out.length; i += 2) eventIds.push(out[i + 1]!);
      if (!out[0]) break;
      from = out[0];
    }
    return { removed: eventIds.length, eventIds };
  }
}

export class RedisStore implements KvStore {
  readonly kind: 'upstash' | 'vercel-kv';
  readonly events: RedisEventLog;
  private readonly prefix: string;

  /** The underlying REST client (shared with @upstash/ratelimit by edge/src/kv/ratelimit.ts). */
  constructor(readonly client: RedisRestClient, opts: RedisStoreOptions = {}) {
    this.kind = opts.kind ?? 'upstash';
    this.prefix = opts.prefix ?? '';
    this.events = new RedisEventLog(client, opts);
  }

  private k(key: string) {
    return this.prefix + key;
  }

  async get(key: string) {
    const v = await guard('get', () => this.client.get<string>(this.k(key)));
    return v === null || v === undefined ? null : String(v);
  }

  async mget(keys: readonly string[]) {
    if (keys.length === 0) return [];
    const vs = await guard('mget', () => this.client.mget<(string | null)[]>(...keys.map((k) => this.k(k))));
    return vs.map((v) => (v === null || v === undefined ? null : String(v)));
  }

  async set(key: string, value: string, opts?: { ttlSeconds?: number }) {
    const k = this.k(key);
    await guard('set', () => (opts?.ttlSeconds ? this.client.set(k, value, { ex: opts.ttlSeconds }) : this.client.set(k, value)));
  }

  async del(key: string) {
    await guard('del', () => this.client.del(this.k(key)));
  }

  /** MSET is one atomic command: readers (MGET) see all entries or none. */
  async setMany(entries: readonly (readonly [string, string])[]) {
    if (entries.length === 0) return;
    const kv: Record<string, string> = {};
    for (const [k, v] of entries) kv[this.k(k)] = v;
    await guard('setMany', () => this.client.mset(kv));
  }

  /** LPUSH + LTRIM in one MULTI/EXEC (the REST /multi-exec endpoint). */
  async listPush(key: string, values: readonly string[], maxLen: number) {
    const k = this.k(key);
    if (maxLen <= 0) return this.del(key);
    if (values.length === 0) return;
    await guard('listPush', () => this.client.multi().lpush(k, ...values).ltrim(k, 0, maxLen - 1).exec());
  }

  async listRange(key: string, start: number, stop: number) {
    const vs = await guard('listRange', () => this.client.lrange<string>(this.k(key), start, stop));
    return vs.map(String);
  }

  async ping() {
    await guard('ping', () => this.client.ping());
  }

  async close() {}
}

export function createRedisStore(client: RedisRestClient, opts: RedisStoreOptions = {}): RedisStore {
  return new RedisStore(client, opts);
}
