// Every KV key name in one place (STYLE: all cache key names in one module). Published data lives under a
// version prefix and becomes visible through ONE pointer key (`published`), flipped last by publish;
// live data (histories, events, adapters) is unversioned. Backends never invent key names.

export const KEY_PREFIX = 'llmrec:';

const p = (s: string) => `${KEY_PREFIX}${s}`;
const enc = (id: string) => encodeURIComponent(id);

export const keys = {
  /** Pointer to the live published version (PublishedPointer). Flipped last by publish. */
  published: () => p('published'),
  /** Published versions, newest first (a capped list; used to find old versions to remove). */
  publishedVersions: () => p('published:versions'),
  /** Manifest of one published version (PublishManifest): what it holds, for audits and cleanup. */
  publishManifest: (version: string) => p(`pub:${version}:manifest`),
  /** Item metadata (ItemMeta) of a published version. */
  item: (version: string, itemId: string) => p(`pub:${version}:item:${enc(itemId)}`),
  /** Dense item index -> raw id table (ItemIndex) of a published version. */
  itemIndex: (version: string) => p(`pub:${version}:items`),
  /** Popular list (PopularList) by name, e.g. "all" or "recent". */
  popular: (version: string, name: string) => p(`pub:${version}:popular:${enc(name)}`),
  /** PQ codebooks (PqCodebooks) of the joint item latents. */
  pqCodebooks: (version: string) => p(`pub:${version}:pq:codebooks`),
  /** PQ codes of all items (PqCodes), one chunk per `chunk` of items. */
  pqCodes: (version: string, chunk: number) => p(`pub:${version}:pq:codes:${chunk}`),
  /** Evidence dictionary entry of one item (ItemEvidence). */
  evidence: (version: string, itemId: string) => p(`pub:${version}:evidence:${enc(itemId)}`),
  /** Reference to the user-encoder artifact (ModelRef). */
  userEncoder: (version: string) => p(`pub:${version}:user-encoder`),
  /** Recent history of a user: a capped list of HistoryEntry JSON, newest first. Live, updated on ingest. */
  history: (userId: string) => p(`hist:${enc(userId)}`),
  /** Adapter version record (AdapterVersion). Versions only go up. */
  adapter: (version: number) => p(`adapter:${version}`),
  /** Pointer to the serving adapter version (AdapterPointer). */
  adapterCurrent: () => p('adapter:current'),
  /** Window-statistics snapshot of an adapter version (shared/src/adapter/snapshot.ts StatsSnapshot). */
  adapterStats: (version: number) => p(`adapter:${version}:stats`),
  /** Checkpoint of the adapter job for one consumer group (where it resumes). */
  adapterJobCheckpoint: (group: string) => p(`adapter-job:${enc(group)}:checkpoint`),
  /** Last cached recommendations of a user (CachedRecs), for degraded answers. */
  cachedRecs: (userId: string) => p(`recs:${enc(userId)}`),
  /** Event log stream (Redis) / table name base (SQLite). */
  eventStream: () => p('events'),
  /**
   * LEGACY plain SET of event ids (Redis backends before the dedup horizon): read-only now, still checked on
   * append; delete it once it is older than the dedup horizon (it never grows again).
   */
  eventIds: () => p('events:ids'),
  /** Sorted set event id -> first-append ms (Redis backends): idempotency, forgotten by trim past the horizon. */
  eventIdsSeen: () => p('events:ids-seen'),
  /**
   * Live catalog of a published version (items created, changed or hidden through the item API after publish,
   * shared/src/catalog/live.ts): the head (LiveHead) is written last and names the current revision of every
   * overridden code chunk; chunks are immutable per revision.
   */
  liveHead: (version: string) => p(`live:${version}:head`),
  /** One revision of a live code chunk (LiveChunk): ids, PQ codes, availability of items [c * chunk, ...). */
  liveChunk: (version: string, chunk: number, rev: number) => p(`live:${version}:chunk:${chunk}:${rev}`),
  /** An item written through the API (LiveItem): content, metadata, full-precision latent, code. */
  liveItem: (version: string, itemId: string) => p(`live:${version}:item:${enc(itemId)}`),
  /** Evidence dictionary entry of a live item (ItemEvidence). */
  liveEvidence: (version: string, itemId: string) => p(`live:${version}:evidence:${enc(itemId)}`),
  /** Image bytes of a live item (LiveMedia, chunked when large), kept for re-embedding and export. */
  liveMedia: (version: string, itemId: string) => p(`live:${version}:media:${enc(itemId)}`),
  /**
   * Erased users: a list of SHA-256 digests of user ids erased through DELETE /v1/users/{id} (never the ids;
   * appended atomically); publish, export and the adapter job drop users whose digest is listed.
   */
  erasedUsers: () => p('erased-users'),
  /** Digests of the event ids of erased users' events (the adapter job forgets them from its seen ids). */
  erasedEvents: () => p('erased-events'),
  /** Rate limiter prefix (@upstash/ratelimit). */
  rateLimitPrefix: () => p('rl'),
} as const;

/** Default number of history entries kept per user. */
export const HISTORY_MAX_LEN = 200;
/** Items per PQ code chunk (keeps each value well under Cloudflare KV's 25 MiB and Upstash's 1 MiB request limit). */
export const PQ_CODES_CHUNK = 4096;
