// zod schemas of every value stored in KV, each with a version field `v` (STYLE: stored values carry a
// version). Types are inferred from the schemas. Readers go through typed.ts, which turns a malformed or
// wrong-version value into a KvValueError naming the key. Holds the serving state of DynMM-Explain-LLMRec:
// PQ-coded joint item latents, evidence for grounded explanations, histories, popular fallbacks, adapters.
import { z } from 'zod';
import { ItemFacts } from '../evidence/schema.ts';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex sha256');

/** Pointer to the live published version: flipped last, so readers see a whole version or the previous one. */
export const PublishedPointer = z.object({
  v: z.literal(1),
  version: z.string().min(1),
  dataset: z.string(),
  publishedAt: z.string(),
});
export type PublishedPointer = z.infer<typeof PublishedPointer>;

/** What one published version contains (counts per kind), written before the pointer flip. */
export const PublishManifest = z.object({
  v: z.literal(1),
  version: z.string(),
  dataset: z.string(),
  createdAt: z.string(),
  /** Content hash of the published inputs: the same inputs give the same version (idempotent publish). */
  contentHash: z.string(),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  artifacts: z.record(z.string(), z.string()).default({}),
  /** Names of the popular lists (so a version's keys can be enumerated for removal). */
  popular: z.array(z.string()).default([]),
});
export type PublishManifest = z.infer<typeof PublishManifest>;

export const ItemMeta = z.object({
  v: z.literal(1),
  id: z.string(),
  /** Dense 0-based index, the row of the item in the PQ codes and latents. */
  idx: z.number().int().nonnegative(),
  title: z.string(),
  genres: z.array(z.string()).default([]),
  year: z.number().int().optional(),
  attributes: z.array(z.string()).default([]),
  hasImage: z.boolean(),
  hasAudio: z.boolean().default(false),
});
export type ItemMeta = z.infer<typeof ItemMeta>;

/** Dense index -> raw item id, for retrieval over all items. */
export const ItemIndex = z.object({ v: z.literal(1), ids: z.array(z.string()) });
export type ItemIndex = z.infer<typeof ItemIndex>;

export const PopularList = z.object({
  v: z.literal(1),
  name: z.string(),
  items: z.array(z.string()),
  /** Interaction counts (or scores), aligned with items. */
  scores: z.array(z.number()),
});
export type PopularList = z.infer<typeof PopularList>;

/** Product-quantisation codebooks: m sub-spaces x k centroids x dsub floats (float32 LE, base64). */
export const PqCodebooks = z.object({
  v: z.literal(1),
  m: z.number().int().positive(),
  k: z.number().int().positive().max(256),
  dsub: z.number().int().positive(),
  dim: z.number().int().positive(),
  centroids: base64,
});
export type PqCodebooks = z.infer<typeof PqCodebooks>;

/** PQ codes for items [start, start + count): count x m uint8, row-major, base64. */
export const PqCodes = z.object({
  v: z.literal(1),
  m: z.number().int().positive(),
  start: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  codes: base64,
});
export type PqCodes = z.infer<typeof PqCodes>;

/**
 * Evidence dictionary entry of one item, for grounded explanations: readable snippets (item text, popularity),
 * the attribute facts a rationale may cite (shared/src/evidence ItemFacts) and the item's co-interaction list
 * ([partner idx, distinct co-users], partners with >= minCoUsers, most first) — the collaborative evidence.
 */
export const ItemEvidence = z.object({
  v: z.literal(1),
  itemId: z.string(),
  evidence: z.array(z.object({ kind: z.string(), text: z.string(), weight: z.number().optional() })),
  facts: ItemFacts.shape.attributes.default([]),
  co: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().positive()])).default([]),
  minCoUsers: z.number().int().positive().optional(),
});
export type ItemEvidence = z.infer<typeof ItemEvidence>;

/** Reference to a model artifact the worker loads (by hash; KV never holds the weights of big models). */
export const ModelRef = z.object({
  v: z.literal(1),
  name: z.string(),
  path: z.string(),
  sha256,
  bytes: z.number().int().nonnegative().optional(),
});
export type ModelRef = z.infer<typeof ModelRef>;

/** One entry of a user's recent history (list element). */
export const HistoryEntry = z.object({
  v: z.literal(1),
  item: z.string(),
  ts: z.number(),
  type: z.string().default('interaction'),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** A dynamic adapter version produced by the adapter job (online dynamic alignment). Versions only go up. */
export const AdapterVersion = z.object({
  v: z.literal(1),
  version: z.number().int().nonnegative(),
  createdAt: z.string(),
  /** Adapter weights (float32 LE, base64) when small enough, or a reference to an artifact file. */
  weights: base64.optional(),
  ref: ModelRef.optional(),
  shapes: z.record(z.string(), z.array(z.number().int())).default({}),
  trainedOnEvents: z.number().int().nonnegative().default(0),
  metrics: z.record(z.string(), z.number()).default({}),
  parent: z.number().int().nonnegative().nullable().default(null),
  /** Id of the frozen base the adapter was trained around (BaseModel.id); absent in records older than it. */
  base: z.string().optional(),
});
export type AdapterVersion = z.infer<typeof AdapterVersion>;

export const AdapterPointer = z.object({ v: z.literal(1), version: z.number().int().nonnegative(), updatedAt: z.string() });
export type AdapterPointer = z.infer<typeof AdapterPointer>;

/** Last good recommendations of a user, served with `degraded: true` when the worker is down. */
export const CachedRecs = z.object({
  v: z.literal(1),
  at: z.number(),
  items: z.array(z.object({ id: z.string(), score: z.number() })),
});
export type CachedRecs = z.infer<typeof CachedRecs>;

/** One event as stored in the durable log (Redis stream field / SQLite row), parsed when read back. */
export const StoredEvent = z.object({
  v: z.literal(1),
  eventId: z.string(),
  userId: z.string(),
  itemId: z.string(),
  type: z.string(),
  ts: z.number(),
});
export type StoredEvent = z.infer<typeof StoredEvent>;

/**
 * An item's text fields: the canonical items.jsonl `text` (docs/dataset-format.md; data/src/schema.ts uses this
 * schema) and the text of items written through the API. `plot` is the free-text description (a film's plot, a
 * product description); `fields` other free-text fields of imported catalogs.
 */
export const LiveItemText = z.object({
  genres: z.array(z.string()).optional(),
  director: z.array(z.string()).optional(),
  writer: z.array(z.string()).optional(),
  cast: z.array(z.string()).optional(),
  plot: z.string().optional(),
  year: z.number().optional(),
  attributes: z.array(z.string()).optional(),
  fields: z.record(z.string(), z.string()).optional(),
});
export type LiveItemText = z.infer<typeof LiveItemText>;

/**
 * Head of the live catalog of one published version: its revision (up by one per write), the item count
 * including items added after publish (dense indices continue the published ones), and the revision of every
 * overridden code chunk. Written last by the catalog writer, so readers see whole revisions.
 */
export const LiveHead = z.object({
  v: z.literal(1),
  base: z.string(),
  rev: z.number().int().nonnegative(),
  /** Published items + items added through the API. */
  items: z.number().int().nonnegative(),
  /** Items of the published version (the dense index of added items starts here). */
  baseItems: z.number().int().nonnegative(),
  /** Chunk index (as a string) -> its current revision. */
  chunks: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /** Live items written against an earlier version, waiting to be embedded for this one (carried by publish). */
  pending: z.array(z.string()).default([]),
  updatedAt: z.string(),
});
export type LiveHead = z.infer<typeof LiveHead>;

/**
 * One revision of a live chunk: items [start, start + count) with their ids, PQ codes (count x m, base64),
 * availability ('1' / '0' per item) and the revision of their live metadata (0 = the published metadata).
 */
export const LiveChunk = z.object({
  v: z.literal(1),
  start: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  m: z.number().int().positive(),
  ids: z.array(z.string()),
  codes: base64,
  available: z.string().regex(/^[01]*$/),
  meta: z.array(z.number().int().nonnegative()),
});
export type LiveChunk = z.infer<typeof LiveChunk>;

/** An item as written through PUT /v1/items: what it says, how it was embedded, and where it sits. */
export const LiveItem = z.object({
  v: z.literal(1),
  id: z.string(),
  idx: z.number().int().nonnegative(),
  /** Revision of the live catalog that last changed this record. */
  rev: z.number().int().positive(),
  available: z.boolean(),
  /** Whether the item was created through the API (false: a published item changed or hidden through it). */
  created: z.boolean(),
  title: z.string(),
  text: LiveItemText,
  image: z.object({ sha256, contentType: z.string(), bytes: z.number().int().nonnegative(), url: z.string().optional() }).nullable(),
  /** SHA-256 of the content (title, text, image digest): an identical PUT changes nothing. */
  contentHash: sha256,
  /** Joint latent z_item from the content tower (float32 LE, base64); null until embedded (or when only hidden). */
  z: base64.nullable(),
  /** Content features fed to the tower (float32 LE, base64 per modality), kept to re-embed with a new tower. */
  features: z.record(z.string(), base64).default({}),
  /** Which tower and encoders produced z. */
  embeddedWith: z.record(z.string(), z.string()).default({}),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LiveItem = z.infer<typeof LiveItem>;

/** Image bytes of a live item. */
export const LiveMedia = z.object({ v: z.literal(1), contentType: z.string(), sha256, data: base64 });
export type LiveMedia = z.infer<typeof LiveMedia>;

/** One entry of the erased-users list (keys.erasedUsers): hex SHA-256 of "llmrec-user:" + the user id, never the id. */
export const ErasedUserDigest = sha256;
