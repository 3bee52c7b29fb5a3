// In-memory KvStore + EventLog: the reference backend for tests and `createApp` stubs. Runtime-neutral.
// Same semantics as the persistent backends (checked by the conformance suite), nothing survives the process.
import { checkHistoryWrite, DEFAULT_DEDUP_HORIZON_MS, type EventLog, type EventLogOptions, type HistoryWrite, type KvStore, type LoggedEvent } from './store.ts';
import { GroupState, pickDeliveries } from './event-delivery.ts';

interface Entry {
  value: string;
  expiresAt?: number;
}

export interface MemoryStoreOptions extends EventLogOptions {
  now?: () => number;
}

export class MemoryEventLog implements EventLog {
  /** Stored events; log[k] has the absolute index base + k (seq = index + 1), so seqs survive trimming. */
  private readonly log: LoggedEvent[] = [];
  private base = 0;
  /** Event id -> first append time; insertion order is append order, so the stored events' ids come last. */
  private readonly ids = new Map<string, number>();
  private readonly groups = new Map<string, GroupState>();
  private readonly claimIdleMs: number;
  private readonly dedupHorizonMs: number;
  private readonly now: () => number;

  /** `pushList`: the owning store's synchronous list prepend (history entries go with the append). */
  constructor(opts: MemoryStoreOptions = {}, private readonly pushList: (key: string, values: readonly string[], maxLen: number) => void = () => {}) {
    this.claimIdleMs = opts.claimIdleMs ?? 30_000;
    this.dedupHorizonMs = opts.dedupHorizonMs ?? DEFAULT_DEDUP_HORIZON_MS;
    this.now = opts.now ?? Date.now;
  }

  async append(events: readonly LoggedEvent[], history?: HistoryWrite) {
    checkHistoryWrite(events, history);
    // Synchronous from here on: no reader sees the events without their history entries.
    let added = 0;
    const now = this.now();
    const lists = new Map<string, string[]>();
    events.forEach((e, i) => {
      if (this.ids.has(e.eventId)) return;
      this.ids.set(e.eventId, now);
      this.log.push({ ...e, seq: String(this.base + this.log.length + 1) });
      added++;
      const h = history?.entries[i];
      if (h) (lists.get(h.key) ?? lists.set(h.key, []).get(h.key)!).push(h.value);
    });
    for (const [key, values] of lists) this.pushList(key, values, history!.maxLen);
    return { added, duplicates: events.length - added };
  }

  async read(group: string, consumer: string, count: number) {
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, (g = { next: 0, pending: new Map() }));
    // Events trimmed before this group read them are gone for it (as XTRIM does on Redis).
    if (g.next < this.base) g.next = this.base;
    for (const i of g.pending.keys()) if (i < this.base || this.erased.has(i)) g.pending.delete(i);
    const out: LoggedEvent[] = [];
    // Erased events keep their place (seqs stay absolute) but are never delivered: skipped and not left pending.
    for (const i of pickDeliveries(g, consumer, count, this.base + this.log.length, this.now(), this.claimIdleMs)) {
      if (this.erased.has(i)) g.pending.delete(i);
      else out.push({ ...this.log[i - this.base]! });
    }
    return out;
  }

  /** Absolute indices of erased events (redacted in place). */
  private readonly erased = new Set<number>();

  async forgetUser(userId: string) {
    const eventIds: string[] = [];
    this.log.forEach((e, k) => {
      if (e.userId !== userId || this.erased.has(this.base + k)) return;
      eventIds.push(e.eventId);
      this.ids.delete(e.eventId);
      this.erased.add(this.base + k);
      this.log[k] = { eventId: '', userId: '', itemId: '', type: '', ts: 0, seq: e.seq };
    });
    for (const g of this.groups.values()) for (const i of g.pending.keys()) if (this.erased.has(i)) g.pending.delete(i);
    return { removed: eventIds.length, eventIds };
  }

  async ack(group: string, seqs: readonly string[]) {
    const g = this.groups.get(group);
    if (!g) return;
    for (const s of seqs) g.pending.delete(Number(s) - 1);
  }

  async trim(groups: readonly string[]) {
    const removed = this.trimEvents(groups);
    this.forgetIds();
    return removed;
  }

  /** Forgets ids past the horizon among those appended before the oldest stored event (their events are gone). */
  private forgetIds() {
    const cutoff = this.now() - this.dedupHorizonMs;
    const firstStored = this.log.find((_, k) => !this.erased.has(this.base + k))?.eventId;
    for (const [id, at] of this.ids) {
      if (id === firstStored) break;
      if (at < cutoff) this.ids.delete(id);
    }
  }

  private trimEvents(groups: readonly string[]) {
    let cut = Infinity;
    for (const name of groups) {
      const g = this.groups.get(name);
      if (!g) return 0;
      // First index the group still needs: its oldest pending event, else the first never delivered.
      cut = Math.min(cut, g.next);
      for (const i of g.pending.keys()) cut = Math.min(cut, i);
    }
    if (!Number.isFinite(cut) || cut <= this.base) return 0;
    const removed = Math.min(cut - this.base, this.log.length);
    let erasedGone = 0;
    for (let i = this.base; i < this.base + removed; i++) if (this.erased.delete(i)) erasedGone++;
    this.log.splice(0, removed);
    this.base += removed;
    return removed - erasedGone;
  }

  async length() {
    return this.log.length - this.erased.size;
  }
}

export class MemoryStore implements KvStore {
  readonly kind = 'memory';
  readonly events: MemoryEventLog;
  private readonly data = new Map<string, Entry>();
  private readonly lists = new Map<string, string[]>();
  private readonly now: () => number;

  constructor(opts: MemoryStoreOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.events = new MemoryEventLog(opts, (key, values, maxLen) => this.pushSync(key, values, maxLen));
  }

  async get(key: string) {
    const e = this.data.get(key);
    if (!e) return null;
    if (e.expiresAt !== undefined && e.expiresAt <= this.now()) {
      this.data.delete(key);
      return null;
    }
    return e.value;
  }

  async mget(keys: readonly string[]) {
    return Promise.all(keys.map((k) => this.get(k)));
  }

  async set(key: string, value: string, opts?: { ttlSeconds?: number }) {
    this.setSync(key, value, opts?.ttlSeconds);
  }

  private setSync(key: string, value: string, ttlSeconds?: number) {
    this.lists.delete(key);
    this.data.set(key, { value, expiresAt: ttlSeconds ? this.now() + ttlSeconds * 1000 : undefined });
  }

  async del(key: string) {
    this.data.delete(key);
    this.lists.delete(key);
  }

  async setMany(entries: readonly (readonly [string, string])[]) {
    // Synchronous loop: no await between writes, so no reader can interleave (atomic like MULTI/EXEC).
    for (const [k, v] of entries) this.setSync(k, v);
  }

  async listPush(key: string, values: readonly string[], maxLen: number) {
    this.pushSync(key, values, maxLen);
  }

  private pushSync(key: string, values: readonly string[], maxLen: number) {
    const list = this.lists.get(key) ?? [];
    const next = [...values].reverse().concat(list).slice(0, Math.max(0, maxLen));
    this.lists.set(key, next);
  }

  async listRange(key: string, start: number, stop: number) {
    const list = this.lists.get(key) ?? [];
    return list.slice(start, stop === -1 ? undefined : stop + 1);
  }

  async ping() {}

  async close() {}

  /** Everything stored (unexpired values, lists newest first): used to export a bundle (e.g. Cloudflare bulk files). */
  snapshot(): { values: [string, string][]; lists: [string, string[]][] } {
    const now = this.now();
    const values = [...this.data].filter(([, e]) => e.expiresAt === undefined || e.expiresAt > now).map(([k, e]) => [k, e.value] as [string, string]);
    return { values, lists: [...this.lists].map(([k, l]) => [k, [...l]] as [string, string[]]) };
  }
}

export function createMemoryStore(opts: MemoryStoreOptions = {}): MemoryStore {
  return new MemoryStore(opts);
}
