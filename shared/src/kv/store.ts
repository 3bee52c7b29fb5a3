// The one narrow storage interface the edge, the publisher and the adapter job use (STYLE: one interface,
// one conformance suite). Backends: memory, SQLite (embedded default), Upstash Redis, Vercel KV, Cloudflare KV.
// Values are strings (JSON or base64); callers parse them with zod through typed helpers (typed.ts), never raw.
// Serving path: edge -> KV (this interface) -> worker; learning path: events (EventLog) -> adapter job.

export type KvKind = 'memory' | 'sqlite' | 'upstash' | 'vercel-kv' | 'cloudflare-kv';

export interface KvStore {
  /** Backend name, reported by /readyz ("memory" | "sqlite" | "upstash" | "vercel-kv" | "cloudflare-kv"). */
  readonly kind: KvKind | string;
  get(key: string): Promise<string | null>;
  /** Missing keys come back as null, in the order asked. */
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, opts?: { ttlSeconds?: number }): Promise<void>;
  del(key: string): Promise<void>;
  /**
   * Set several keys at once. Atomic (all or none visible) on memory, SQLite and Redis (MULTI/EXEC);
   * NOT atomic on Cloudflare KV — there, callers make version flips atomic by writing versioned keys first
   * and flipping ONE pointer key last (publish.ts does this on every backend).
   */
  setMany(entries: readonly (readonly [string, string])[]): Promise<void>;
  /** Prepend values to a capped list (newest first: the last value given ends up first), keeping at most maxLen entries. */
  listPush(key: string, values: readonly string[], maxLen: number): Promise<void>;
  /** Entries [start, stop] inclusive, newest first; stop = -1 means to the end. */
  listRange(key: string, start: number, stop: number): Promise<string[]>;
  /** Liveness check for /readyz; throws when the backend is unreachable. */
  ping(): Promise<void>;
  /** The durable event log of this backend, when it has one (all but Cloudflare KV). */
  readonly events?: EventLog;
  /** Releases connections / file handles; the store is unusable afterwards. */
  close?(): Promise<void>;
}

/** One interaction as stored in the durable event log. */
export interface LoggedEvent {
  /** Client-supplied id; the log is idempotent on it. */
  eventId: string;
  userId: string;
  itemId: string;
  type: string;
  /** Event time, ms since epoch (client time when given, else ingest time). */
  ts: number;
  /** Position in the log assigned at append; increasing in append order (opaque string: compare with compareSeq). */
  seq?: string;
}

/**
 * Durable append-only event log (Redis Streams + consumer group on Redis backends, a table in SQLite,
 * an array in memory). Delivery to consumers is at-least-once; appends are idempotent by eventId.
 *
 * Delivery rule shared by every backend (checked by the conformance suite): `read` returns, in seq order,
 * first the events already delivered to this consumer and not yet acked (redelivery after a crash), then
 * events another consumer of the group left unacked for longer than the log's claim timeout, then new
 * events. An event is delivered until some consumer of the group acks it. Idempotency is bounded by a
 * dedup horizon (EventLogOptions.dedupHorizonMs, see trim).
 */
export interface EventLog {
  /**
   * Appends the events not seen before; returns how many were new (duplicates are acknowledged, not re-added).
   * One round trip (one script / transaction) for the whole batch. With `history`, each NEW event's entry is
   * prepended to its list in the same atomic step (lists of the owning KvStore, capped at maxLen): either the
   * events and their history entries are stored or neither is, so a retry after any failure (even one that
   * lost the answer of a successful append) leaves every history updated exactly once.
   */
  append(events: readonly LoggedEvent[], history?: HistoryWrite): Promise<{ added: number; duplicates: number }>;
  /** Reads up to `count` events for a consumer of a group (created on first use, starting at the log's beginning). */
  read(group: string, consumer: string, count: number): Promise<LoggedEvent[]>;
  /** Marks events as processed by the group; they are never delivered to that group again. */
  ack(group: string, seqs: readonly string[]): Promise<void>;
  /**
   * Deletes every stored event that ALL the named groups have acknowledged: seq below each group's oldest
   * pending (delivered, unacked) event and not above the last event delivered to the group. A named group
   * that has never read keeps everything (returns 0), and so does an empty list. Groups not named lose the
   * removed events even if they had not read them: pass every group that consumes the log.
   * Every call (whatever the groups) also forgets the idempotency ids first appended more than
   * `dedupHorizonMs` ago whose events are no longer stored; an id whose event is still stored is never
   * forgotten. So a retry of a trimmed event within the horizon is still a duplicate, one after it may be
   * accepted as new. Returns how many events were removed (not ids); `length()` afterwards counts only
   * the events still stored. Seqs of later appends keep increasing.
   */
  trim(groups: readonly string[]): Promise<number>;
  /** Events stored (appended and not trimmed). */
  length(): Promise<number>;
  /**
   * Erasure of a user (DELETE /v1/users/{id}, issue 11): removes every stored event of the user, delivered or
   * not, acked or not (pending deliveries are dropped for every group, so trimming is not held up by them),
   * and forgets their idempotency ids. Returns the removed events' ids (their trace elsewhere, e.g. the adapter
   * job's seen ids, can then be removed too). Ids of events trimmed earlier are not linked to a user any more.
   */
  forgetUser?(userId: string): Promise<{ removed: number; eventIds: string[] }>;
}

/** List entries written with an append (ingest: each user's recent history), one per appended event. */
export interface HistoryWrite {
  /** entries[i] belongs to events[i]: prepended to `key` (a KvStore list key) when events[i] is new. */
  entries: readonly { key: string; value: string }[];
  /** Every list touched keeps at most this many entries (newest first, as KvStore.listPush). */
  maxLen: number;
}

/** Checks that a HistoryWrite fits its batch (the backends call it before writing anything). */
export function checkHistoryWrite(events: readonly LoggedEvent[], history: HistoryWrite | undefined): void {
  if (history && history.entries.length !== events.length) throw new RangeError(`history has ${history.entries.length} entries for ${events.length} events`);
}

/** Options every EventLog backend takes (memory, SQLite and Redis store options extend this). */
export interface EventLogOptions {
  /** Unacked events of another consumer are handed over after this long (ms, default 30 s). */
  claimIdleMs?: number;
  /**
   * Dedup horizon (ms, default 7 days = DEFAULT_DEDUP_HORIZON_MS): a retry of an event id within this long
   * of its first append is a duplicate; after it, `trim` may forget the id (only once its event is trimmed).
   * Ages use the store's clock (Redis: the server's), not the client's.
   */
  dedupHorizonMs?: number;
}

export const DEFAULT_DEDUP_HORIZON_MS = 7 * 24 * 3600 * 1000;

/** Thrown by a backend when the storage service cannot be reached (the edge maps it to 503). */
export class KvUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KvUnavailableError';
  }
}
