// DELETE /v1/users/{id} on the real backends (SQLite file; Upstash client -> local REST endpoint -> real
// redis-server): after the user's events were ingested, ranked, consumed by the adapter job (checkpoint and
// published statistics carry the user) and one more of their events was read but not yet learnt, the erasure
// runs, the job goes on and closes its window — and a scan of EVERY key of the store (every table of the
// SQLite file; every Redis key of the store's prefix, whatever its type) finds nothing of the user.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '@llmrec/edge/kv/sqlite-store.ts';
import { createUpstashStore } from '@llmrec/edge/kv/redis-rest.ts';
import { AdapterJob, defaultJobConfig, type JobConfig } from '@llmrec/gpu-worker/job/adapter-job.ts';
import { mulberry32 } from '@llmrec/shared/adapter/gated-adapter.ts';
import { MeanHistoryBase } from '@llmrec/shared/adapter/mean-history-base.ts';
import { defaultLearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { readPointer } from '@llmrec/shared/adapter/adapter-store.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { startRedisRest, type UpstashRestServer } from '../test-support/upstash-rest-server.ts';
import { makeFixture, publishFixture } from './support/catalog-fixture.ts';
import { makeHarness } from './support/harness.ts';

const VICTIM = 'zed-erased-42';
const f = makeFixture();
const H = 3600_000;
const T0 = 1_700_000_000_000;
const cfg: JobConfig = { ...defaultJobConfig, batch: 50, learner: { ...defaultLearnerConfig, hidden: 8, train: { ...defaultTrainConfig, batchSize: 8 }, guardrail: false } };
const itemIndex = (id: string) => (/^\d+$/.test(id) && Number(id) <= f.ids.length ? Number(id) - 1 : undefined);

/** Events of the victim and of others over windows 0..2; event ids embed the user id (clients do that). */
function events(window: number, n: number) {
  return Array.from({ length: n }, (_, k) => {
    const userId = k % 3 === 0 ? VICTIM : `other-${k % 4}`;
    return { eventId: `${userId}:w${window}:e${k}`, userId, itemId: f.ids[(k * 7 + window) % f.ids.length]!, type: 'click', ts: T0 + window * H + k * 1000 };
  });
}

async function scenario(store: KvStore, dump: () => Promise<string>) {
  await publishFixture(store, f);
  const h = makeHarness(store, f, { config: { rateLimit: { requests: 1_000_000, windowSec: 60 } } });
  for (const w of [0, 1, 2]) expect((await h.call('POST', '/v1/events', { events: events(w, 30) })).status).toBe(200);
  const rec = await h.call('POST', '/v1/recommend', { userId: VICTIM, k: 5 });
  expect(rec.status).toBe(200);
  await new Promise((r) => setTimeout(r, 50)); // the cached ranking is written in the background
  const rnd = mulberry32(3);
  const vec = () => Float32Array.from({ length: f.ids.length * f.dim }, () => rnd() - 0.5);
  const base = new MeanHistoryBase(f.dim, vec(), vec());
  const job = await AdapterJob.open({ store, log: store.events!, base, itemIndex }, cfg);
  for (let k = 0; k < 10; k++) if ((await job.tick()).read === 0) break;
  expect((await readPointer(store))?.version).toBeGreaterThan(0); // windows 0 and 1 closed: published, checkpointed
  const before = await dump();
  expect(before).toContain(VICTIM); // history, cached ranking, events, checkpoint, statistics
  // One more victim event, read by the job but not learnt yet (in its memory when the erasure comes).
  await h.call('POST', '/v1/events', { events: [{ eventId: `${VICTIM}:late`, userId: VICTIM, itemId: '1', ts: T0 + 2 * H + 999_000 }] });
  await job.tick();

  const del = await h.call('DELETE', `/v1/users/${VICTIM}`);
  expect(del.status, JSON.stringify(del.json)).toBe(200);
  expect(del.json.removed).toMatchObject({ history: true, cachedRecs: true });
  expect(del.json.removed.events).toBeGreaterThan(0);
  expect(del.json.removed.adapterState).toBeGreaterThan(0);

  // The job goes on: a later window closes, it publishes and checkpoints from its memory.
  await h.call('POST', '/v1/events', { events: events(3, 12).filter((e) => e.userId !== VICTIM) });
  for (let k = 0; k < 10; k++) if ((await job.tick()).read === 0) break;
  const after = await dump();
  const hits = [...after.matchAll(new RegExp(`.{0,80}${VICTIM}.{0,40}`, 'g'))].map((m) => m[0]);
  expect(hits, 'traces of the erased user').toEqual([]);
  expect(after).not.toContain(encodeURIComponent(VICTIM));
  // Others are untouched; the user is gone for the API too; erasing again is a no-op.
  expect(after).toContain('other-1');
  expect((await h.call('POST', '/v1/recommend', { userId: VICTIM, k: 5 })).status).toBe(404);
  const again = await h.call('DELETE', `/v1/users/${VICTIM}`);
  expect(again.json.removed).toEqual({ history: false, cachedRecs: false, events: 0, adapterState: 0 });
}

describe('erasure: nothing of the user is left in the store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmrec-erase-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite: every row of every table', async () => {
    const path = join(dir, 'kv.sqlite');
    const store = createSqliteStore(path);
    const dump = async () => {
      const db = new Database(path, { readonly: true });
      try {
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
        return JSON.stringify(tables.map((t) => db.prepare(`SELECT * FROM "${t.name}"`).all()));
      } finally {
        db.close();
      }
    };
    try {
      await scenario(store, dump);
    } finally {
      await store.close();
    }
  }, 60_000);

  describe('Redis (Upstash client, real redis-server)', () => {
    let rest: UpstashRestServer;
    beforeAll(async () => {
      rest = await startRedisRest();
    });
    afterAll(async () => {
      await rest?.close();
    });

    it('every key of the store prefix, whatever its type', async () => {
      const prefix = `t:erase:${Date.now().toString(36)}:`;
      const store = createUpstashStore({ url: rest.url, token: rest.token }, { prefix });
      // Dump every key under the prefix with its content: strings, lists, streams, sorted sets, sets, hashes.
      const DUMP = `
local out, cursor = {}, '0'
repeat
  local r = redis.call('SCAN', cursor, 'MATCH', ARGV[1] .. '*', 'COUNT', 1000)
  cursor = r[1]
  for _, k in ipairs(r[2]) do
    local t = redis.call('TYPE', k)['ok']
    local v
    if t == 'string' then v = redis.call('GET', k)
    elseif t == 'list' then v = table.concat(redis.call('LRANGE', k, 0, -1), '|')
    elseif t == 'zset' then v = table.concat(redis.call('ZRANGE', k, 0, -1), '|')
    elseif t == 'set' then v = table.concat(redis.call('SMEMBERS', k), '|')
    elseif t == 'hash' then v = table.concat(redis.call('HGETALL', k), '|')
    elseif t == 'stream' then
      local parts = {}
      for _, e in ipairs(redis.call('XRANGE', k, '-', '+')) do parts[#parts + 1] = e[1] .. ':' .. table.concat(e[2], ',') end
      v = table.concat(parts, '|')
    else v = t end
    out[#out + 1] = k .. '=' .. v
  end
until cursor == '0'
return out`;
      const dump = async () => ((await store.client.eval(DUMP, [], [prefix])) as string[]).join('\n');
      await scenario(store, dump);
      // The event stream still exists (other users' events) and trimming is not held up by deleted pending entries.
      expect(await store.events.length()).toBeGreaterThan(0);
    }, 60_000);
  });
});
