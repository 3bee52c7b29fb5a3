// The one narrow storage interface the edge, the publisher and the adapter job use (STYLE: one interface,
// one conformance suite). Backends: memory, SQLite (embedded default), Upstash Redis, Vercel KV, Cloudflare KV.
// Values are strings (JSON or base64); callers parse them with zod through typed helpers, never raw.

export interface KvStore {
  /** Backend name, reported by /readyz ("memory" | "sqlite" | "upstash" | "vercel-kv" | "cloudflare-kv"). */
  readonly kind: string;
  get(key: string): Promise<string | null>;
  /** Missing keys come back as null, in the order asked. */
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, opts?: { ttlSeconds?: number }): Promise<void>;
  del(key: string): Promise<void>;
  /** Atomically set several keys at once: readers see all of them or none (used to flip a published version). */
  setMany(entries: readonly (readonly [string, string])[]): Promise<void>;
  /** Prepend values to a capped list (newest first), keeping at most maxLen entries. */
  listPush(key: string, values: readonly string[], maxLen: number): Promise<void>;
  /** Entries [start, stop] inclusive, newest first; stop = -1 means to the end. */
  listRange(key: string, start: number, stop: number): Promise<string[]>;
  /** Liveness check for /readyz; throws when the backend is unreachable. */
  ping(): Promise<void>;
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
  /** Position in the log assigned at append; strictly increasing per log. */
  seq?: string;
}

/**
 * Durable append-only event log (Redis Streams + consumer group on Redis backends, a table in SQLite,
 * an array in memory). Delivery to consumers is at-least-once; appends are idempotent by eventId.
 */
export interface EventLog {
  /** Appends the events not seen before; returns how many were new (duplicates are acknowledged, not re-added). */
  append(events: readonly LoggedEvent[]): Promise<{ added: number; duplicates: number }>;
  /** Reads up to `count` events after the group's cursor, delivering each at least once until acked. */
  read(group: string, consumer: string, count: number): Promise<LoggedEvent[]>;
  /** Marks events as processed by the group; the cursor never goes back past them. */
  ack(group: string, seqs: readonly string[]): Promise<void>;
  /** Total events stored. */
  length(): Promise<number>;
}
