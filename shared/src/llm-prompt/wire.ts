// Edge <-> worker wire of the LLM layer: the edge sends prompt segments (+ latent scores or evidence), the
// worker embeds the soft prompt, ranks with the frozen LLM or chooses rationale slots, and answers.
// Both sides parse with these schemas; the worker's shared secret (WORKER_SECRET_HEADER) authenticates.
import { z } from 'zod';
import { Evidence, Rationale } from '../evidence/schema.ts';
import { PromptSegments } from '../prompt/segments.ts';

export const LLM_WIRE_VERSION = 1;

export const LlmRankRequest = z.object({
  v: z.literal(LLM_WIRE_VERSION),
  requestId: z.string().max(128),
  prompt: PromptSegments,
  /** Dense user index for the soft user token; omit for anonymous sessions (history latent is used). */
  userIdx: z.number().int().min(0).optional(),
  /** z_u from the worker's user encoder when it has one (preferred over userIdx / the history mean). */
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

export const LlmExplainRequest = z.object({
  v: z.literal(LLM_WIRE_VERSION),
  requestId: z.string().max(128),
  prompt: PromptSegments,
  userIdx: z.number().int().min(0).optional(),
  userLatent: z.array(z.number()).max(4096).optional(),
  evidence: z.array(Evidence).min(1).max(50),
});
export type LlmExplainRequest = z.infer<typeof LlmExplainRequest>;

export const LlmExplainResponse = z.object({
  v: z.literal(LLM_WIRE_VERSION),
  requestId: z.string(),
  rationales: z.array(Rationale),
  model: z.string(),
  ms: z.number(),
});
export type LlmExplainResponse = z.infer<typeof LlmExplainResponse>;
