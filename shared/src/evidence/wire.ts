// Edge <-> worker wire of the explanations (worker POST /v1/explain): the edge sends what KV holds (item facts of
// the history and the items, co-user counts from the published lists, the co-user threshold); the worker
// attributes the scores with its model, builds the evidence, writes the rationale (LLM when configured) and
// measures faithfulness. No user ids of other users ever travel: only counts.
import { z } from 'zod';
import { Evidence, Faithfulness, ItemFacts, Rationale } from './schema.ts';

export const EXPLAIN_WIRE_VERSION = 1;

export const WorkerExplainRequest = z
  .object({
    v: z.literal(EXPLAIN_WIRE_VERSION),
    requestId: z.string().max(128),
    /** The requesting user (online adapters score per user); null for anonymous sessions. Never returned. */
    userId: z.string().max(256).nullable(),
    /** Oldest first. */
    history: z.array(ItemFacts).min(1).max(512),
    items: z.array(ItemFacts).min(1).max(50),
    /** coUsers[j][h]: distinct users who interacted with items[j] and history[h]. */
    coUsers: z.array(z.array(z.number().int().min(0))),
    minCoUsers: z.number().int().min(1),
    /** Random subsets per faithfulness baseline (default 10). */
    samples: z.number().int().min(0).max(100).optional(),
    /** Let the LLM write the rationales when the worker has one (default true). */
    llm: z.boolean().optional(),
    /** Budget for LLM writing; past it the template is used (default: none). */
    deadlineMs: z.number().int().min(1).max(60_000).optional(),
  })
  .refine((r) => r.coUsers.length === r.items.length && r.coUsers.every((c) => c.length === r.history.length), { message: 'coUsers must be [items][history]', path: ['coUsers'] });
export type WorkerExplainRequest = z.infer<typeof WorkerExplainRequest>;

export const WorkerExplanation = z.object({ evidence: Evidence, rationale: Rationale, faithfulness: Faithfulness });
export type WorkerExplanation = z.infer<typeof WorkerExplanation>;

export const WorkerExplainResponse = z.object({
  v: z.literal(EXPLAIN_WIRE_VERSION),
  requestId: z.string(),
  explanations: z.array(WorkerExplanation),
  /** Serving model version (and LLM name when it wrote rationales). */
  model: z.string(),
  ms: z.number(),
});
export type WorkerExplainResponse = z.infer<typeof WorkerExplainResponse>;
