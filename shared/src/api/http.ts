// Public HTTP API of the edge (request path, step 1): zod schemas for every request and response body.
// The OpenAPI document is generated from these schemas, and the types used by handlers and clients are
// inferred from them, so the contract is written exactly once.
import { z } from 'zod';
import { Explanation } from '../evidence/explain.ts';

/** Limits that bound the work one request can cause; the edge enforces them before touching KV. */
export const API_LIMITS = {
  maxK: 100,
  maxCandidates: 1000,
  maxRecentItems: 200,
  maxEventsPerBatch: 500,
  maxBodyBytes: 256 * 1024,
  maxIdLength: 64,
} as const;

/** Public ids are the dataset's raw ids as strings (e.g. MovieLens "242"). */
export const PublicId = z
  .string()
  .min(1)
  .max(API_LIMITS.maxIdLength)
  .regex(/^[A-Za-z0-9_.:@-]+$/, 'ids contain only letters, digits and _ . : @ -');

export const RecommendRequest = z
  .object({
    userId: PublicId.optional().describe('a known user; its recent history is read from KV'),
    recentItems: z
      .array(PublicId)
      .min(1)
      .max(API_LIMITS.maxRecentItems)
      .optional()
      .describe('anonymous session: recent item ids, oldest first'),
    candidates: z
      .array(PublicId)
      .min(1)
      .max(API_LIMITS.maxCandidates)
      .optional()
      .describe('rank only these items; omitted = retrieval over all items'),
    k: z.number().int().min(1).max(API_LIMITS.maxK).default(10),
    excludeSeen: z.boolean().default(true).describe("drop items already in the user's history"),
    explain: z.boolean().default(false).describe('attach an evidence-grounded explanation to every item (as POST /v1/explain)'),
  })
  .strict()
  .refine((r) => (r.userId === undefined) !== (r.recentItems === undefined), {
    message: 'give exactly one of userId or recentItems',
    path: ['userId'],
  });
export type RecommendRequest = z.infer<typeof RecommendRequest>;

export const RecommendedItem = z.object({
  id: z.string(),
  title: z.string(),
  score: z.number(),
  rank: z.number().int(),
  explanation: Explanation.optional(),
});
export type RecommendedItem = z.infer<typeof RecommendedItem>;

/** Where the ranking came from: the worker, or one of the documented degraded fallbacks. */
export const RankingSource = z.enum(['worker', 'cache', 'popular']);
export type RankingSource = z.infer<typeof RankingSource>;

/**
 * Why an answer is degraded: a stable code clients may branch on. Never carries hosts, ports or errno text
 * (those go to the edge's log line of the request, by request id).
 */
export const DegradedReason = z
  .enum(['timeout', 'unreachable', 'worker_error', 'bad_response', 'circuit_open'])
  .describe('timeout: the worker missed its budget; unreachable: no connection; worker_error: it answered an error status; bad_response: its answer was unreadable; circuit_open: skipped after repeated failures, retried shortly');
export type DegradedReason = z.infer<typeof DegradedReason>;

export const RecommendResponse = z.object({
  requestId: z.string(),
  userId: z.string().nullable(),
  items: z.array(RecommendedItem),
  degraded: z.boolean(),
  reason: DegradedReason.optional(),
  source: RankingSource,
  model: z.string().describe('model/artifact version that produced the ranking'),
});
export type RecommendResponse = z.infer<typeof RecommendResponse>;

export const EventType = z.enum(['view', 'click', 'rating', 'purchase', 'like']);

export const EventIn = z
  .object({
    eventId: PublicId.describe('client-supplied id; re-sending the same id is acknowledged, not re-applied'),
    userId: PublicId,
    itemId: PublicId,
    type: EventType.default('view'),
    ts: z
      .number()
      .int()
      .min(0)
      .max(8.64e15)
      .optional()
      .describe('event time in ms since epoch; default: ingest time'),
  })
  .strict();
export type EventIn = z.infer<typeof EventIn>;

export const EventsRequest = z.union([
  EventIn,
  z.object({ events: z.array(EventIn).min(1).max(API_LIMITS.maxEventsPerBatch) }).strict(),
]);
export type EventsRequest = z.infer<typeof EventsRequest>;

export const EventsResponse = z.object({
  requestId: z.string(),
  accepted: z.number().int().describe('events new to the log'),
  duplicates: z.number().int().describe('events whose id was already logged (idempotent success)'),
});
export type EventsResponse = z.infer<typeof EventsResponse>;

export const ItemResponse = z.object({
  id: z.string(),
  title: z.string(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  popularity: z.number().int().optional(),
});
export type ItemResponse = z.infer<typeof ItemResponse>;

/** One problem with a request: where (path into the body) and what. */
export const Problem = z.object({ path: z.string(), message: z.string() });
export type Problem = z.infer<typeof Problem>;

/** Every non-2xx body has this shape (one place maps errors to it: edge/src/errors.ts). */
export const ErrorBody = z.object({
  error: z.string().describe('machine-readable code, e.g. bad_request, unauthorized, kv_unavailable'),
  message: z.string(),
  problems: z.array(Problem).optional(),
  requestId: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const HealthResponse = z.object({ ok: z.literal(true) });

/** Stable codes of /readyz components (the underlying error text is logged, never returned). */
export const ReadyError = z.enum(['kv_unavailable', 'timeout', 'unreachable', 'worker_error', 'bad_response', 'circuit_open', 'worker_not_ready', 'item_count_mismatch']);

/** Without a valid API key only `ready`; with one the components too (codes, not error text). */
export const ReadyResponse = z.object({
  ready: z.boolean(),
  store: z.object({ kind: z.string(), ok: z.boolean(), error: ReadyError.optional() }).optional(),
  worker: z
    .object({
      ok: z.boolean(),
      executionProvider: z.string().optional(),
      model: z.string().optional(),
      adapterVersion: z.number().int().nullable().optional(),
      error: ReadyError.optional(),
    })
    .optional(),
  catalog: z.object({ version: z.string().nullable(), items: z.number().int() }).optional(),
});
export type ReadyResponse = z.infer<typeof ReadyResponse>;
