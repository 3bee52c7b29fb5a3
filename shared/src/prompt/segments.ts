// The prompt in the paper's segment layout (user, history, evidence, candidates), assembled at the edge from
// KV and sent to the worker (request path, step 3). The worker ranks from it: today by latents only
// (z_u . z_i); the LLM ranker reads the same segments and adds soft-token positions (shared/src/llm-prompt/).
import { z } from 'zod';

export const PROMPT_VERSION = 1;

/** An item as it appears in a prompt: dense index (the artifacts' row) and its title. */
export const PromptItem = z.object({ idx: z.number().int().min(0), title: z.string().max(512) });
export type PromptItem = z.infer<typeof PromptItem>;

/** A piece of evidence the ranker/rationale may cite; only what KV holds, never invented. */
export const EvidenceEntry = z.object({
  kind: z.enum(['co-interaction', 'attribute', 'popularity']),
  text: z.string().max(512),
  itemIdx: z.number().int().min(0).optional(),
  weight: z.number().optional(),
});
export type EvidenceEntry = z.infer<typeof EvidenceEntry>;

export const PromptSegments = z.object({
  version: z.literal(PROMPT_VERSION),
  user: z.object({ id: z.string().nullable(), anonymous: z.boolean() }),
  /** Oldest first, at most the configured history length. */
  history: z.array(PromptItem).max(512),
  evidence: z.array(EvidenceEntry).max(256),
  /** null = rank every item in the catalog (retrieval over all latents happens on the worker). */
  candidates: z.array(PromptItem).max(5000).nullable(),
});
export type PromptSegments = z.infer<typeof PromptSegments>;

export interface AssembleInput {
  userId: string | null;
  history: readonly PromptItem[];
  evidence?: readonly EvidenceEntry[];
  candidates: readonly PromptItem[] | null;
  maxHistory: number;
}

/** Builds the segments; the newest `maxHistory` interactions are kept (the encoder's window). */
export function assemblePrompt(input: AssembleInput): PromptSegments {
  const history = input.history.slice(Math.max(0, input.history.length - input.maxHistory));
  return {
    version: PROMPT_VERSION,
    user: { id: input.userId, anonymous: input.userId === null },
    history: history.map((h) => ({ idx: h.idx, title: h.title })),
    evidence: [...(input.evidence ?? [])],
    candidates: input.candidates === null ? null : input.candidates.map((c) => ({ idx: c.idx, title: c.title })),
  };
}

/** Segment markers of the prompt (soft tokens are placed after these by the LLM prompt builders). */
export const SEGMENT_MARKERS = { user: '<USR>', history: '<HIST>', evidence: '<EVID>', candidates: '<CANDS>' } as const;
