// Edge <-> worker wire of the LLM re-ranking: the edge sends prompt segments and latent scores, the worker
// embeds the soft prompt (user token from z_u), ranks with the frozen LLM, fuses, and answers. (Rationales travel
// on the explanations wire, shared/src/evidence/wire.ts.)
// Both sides parse with these schemas; the worker's shared secret (WORKER_SECRET_HEADER) authenticates.
import { z } from 'zod';
import { PromptSegments } from '../prompt/segments.ts';

export const LLM_WIRE_VERSION = 1;

export const LlmRankRequest = z.object({
  v: z.literal(LLM_WIRE_VERSION),
  requestId: z.string().max(128),
  prompt: PromptSegments,
  /** Dense user index (logs only: the soft user token is the worker's z_u of the prompt history). */
  userIdx: z.number().int().min(0).optional(),
  /** A user latent to use instead of the worker's z_u of the prompt history (offline evaluation). */
  userLatent: z.array(z.number()).max(4096).optional(),
  /** Latent score of each prompt candidate (same order). */
  latentScores: z.array(z.number()),
  /** Fusion weight; default: the one chosen on validation (worker config). */
  weight: z.number().min(0).optional(),
});
export type LlmRankRequest = z.infer<typeof LlmRankRequest>;

export const LlmRankResponse = z.object({
  v: z.literal(LLM_WIRE_VERSION),
  requestId: z.string(),
  items: z.array(z.object({ idx: z.number().int(), latentScore: z.number(), llmScore: z.number(), fused: z.number() })),
  weight: z.number(),
  model: z.string(),
  ms: z.number(),
});
export type LlmRankResponse = z.infer<typeof LlmRankResponse>;
