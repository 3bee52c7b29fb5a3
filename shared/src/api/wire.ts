// The edge <-> GPU worker wire (request path, step 4): the edge sends the assembled prompt segments, the
// worker answers with scored item indices. Both sides parse with these schemas; the edge authenticates
// with a shared secret (WORKER_SECRET_HEADER), distinct from the public API keys.
import { z } from 'zod';
import { PromptSegments } from '../prompt/segments.ts';

export const WIRE_VERSION = 1;
export const WORKER_SECRET_HEADER = 'x-llmrec-worker-secret';
export const REQUEST_ID_HEADER = 'x-request-id';

export const ScoreRequest = z.object({
  version: z.literal(WIRE_VERSION),
  requestId: z.string().max(128),
  prompt: PromptSegments,
  k: z.number().int().min(1).max(1000),
  /** Item indices never to return (the user's seen items when exclude-seen is on). */
  exclude: z.array(z.number().int().min(0)).max(5000),
  /**
   * The candidates are the edge's retrieval shortlist (PQ over a large catalogue), not a list the caller chose: the
   * worker adds the items its scoring lifts but that retrieval by z_u . z_i cannot find (cold items, scored with the
   * content-profile term). Absent or false: candidates are a hard restriction.
   */
  shortlist: z.boolean().optional(),
});
export type ScoreRequest = z.infer<typeof ScoreRequest>;

export const ScoredIndex = z.object({ idx: z.number().int().min(0), score: z.number() });
export type ScoredIndex = z.infer<typeof ScoredIndex>;

export const ScoreResponse = z.object({
  version: z.literal(WIRE_VERSION),
  requestId: z.string(),
  items: z.array(ScoredIndex),
  model: z.string(),
  executionProvider: z.string(),
  timings: z.object({ queueMs: z.number(), computeMs: z.number(), batchSize: z.number().int() }),
});
export type ScoreResponse = z.infer<typeof ScoreResponse>;

export const WorkerReady = z.object({
  ready: z.boolean(),
  executionProvider: z.string(),
  model: z.string(),
  items: z.number().int(),
  dim: z.number().int(),
  scorer: z.string().describe('user-encoder-onnx | mean-history (stand-in when no encoder is in the manifest)'),
  /** Serving online-adapter version (Eq. 1), null = static scoring. */
  adapterVersion: z.number().int().nullable().optional(),
});
export type WorkerReady = z.infer<typeof WorkerReady>;
