// Loads the frozen LLM service (soft-prompt decoder + projectors, gpu-worker/src/llm) when configured, validating
// the configuration once at start: LLMREC_LLM_MODEL (model folder) and LLMREC_LLM_PROJECTORS (projector folder)
// come together; LLMREC_LLM_WEIGHT (optional) overrides the fusion weight chosen on validation and stored with the
// projectors (projector.json `fusion.weight`). Without either, the weight is 0: the LLM never lowers the latent
// ranking until a weight has been chosen on validation. Returns undefined when no LLM is configured.
import { z } from 'zod';
import type { LlmService } from './llm/serve/llm-service.ts';
import type { Device } from './onnx/index.ts';

export const LlmEnv = z
  .object({
    LLMREC_LLM_MODEL: z.string().min(1).optional(),
    LLMREC_LLM_PROJECTORS: z.string().min(1).optional(),
    LLMREC_LLM_WEIGHT: z
      .string()
      .trim()
      .regex(/^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/, 'must be a number >= 0 (the fusion weight of the LLM score)')
      .transform(Number)
      .refine(Number.isFinite, 'must be finite')
      .optional(),
  })
  .refine((e) => (e.LLMREC_LLM_MODEL === undefined) === (e.LLMREC_LLM_PROJECTORS === undefined), { message: 'LLMREC_LLM_MODEL and LLMREC_LLM_PROJECTORS go together (an LLM needs its projectors)', path: ['LLMREC_LLM_PROJECTORS'] });
export type LlmEnv = z.infer<typeof LlmEnv>;

/** Parses the LLM variables; throws one message naming every bad variable and value. */
export function llmEnv(env: Record<string, string | undefined>): LlmEnv {
  const raw = { LLMREC_LLM_MODEL: env.LLMREC_LLM_MODEL || undefined, LLMREC_LLM_PROJECTORS: env.LLMREC_LLM_PROJECTORS || undefined, LLMREC_LLM_WEIGHT: env.LLMREC_LLM_WEIGHT || undefined };
  const r = LlmEnv.safeParse(raw);
  if (!r.success) throw new Error(`invalid LLM configuration: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}${i.path[0] === 'LLMREC_LLM_WEIGHT' ? `, got '${raw.LLMREC_LLM_WEIGHT}'` : ''}`).join('; ')}`);
  return r.data;
}

export interface LlmFromEnvOptions {
  device?: Device;
  /** z_u of a history from the serving user encoder (the user soft token on the production path). */
  encodeUser?: (history: readonly number[]) => Promise<Float32Array>;
  say?: (m: string) => void;
}

export async function loadLlmFromEnv(env: Record<string, string | undefined>, o: LlmFromEnvOptions = {}): Promise<LlmService | undefined> {
  const cfg = llmEnv(env);
  if (!cfg.LLMREC_LLM_MODEL || !cfg.LLMREC_LLM_PROJECTORS) return undefined;
  const [{ loadModel }, { loadProjectors }, { LlmService }] = await Promise.all([import('./llm/model/load-model.ts'), import('./llm/rank/projectors.ts'), import('./llm/serve/llm-service.ts')]);
  const [llm, tokens] = await Promise.all([loadModel(cfg.LLMREC_LLM_MODEL, { device: o.device ?? 'auto' }), loadProjectors(cfg.LLMREC_LLM_PROJECTORS)]);
  let weight = cfg.LLMREC_LLM_WEIGHT ?? tokens.meta.fusion?.weight;
  if (weight === undefined) {
    weight = 0;
    o.say?.(`${cfg.LLMREC_LLM_PROJECTORS}/projector.json has no fusion weight chosen on validation: LLM weight 0 (latent order kept); run eval/src/llm/llm-eval.ts to choose one`);
  }
  return new LlmService({ llm, tokens, weight, encodeUser: o.encodeUser });
}
