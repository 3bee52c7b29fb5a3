// Loads the frozen LLM service (soft-prompt decoder + projectors, gpu-worker/src/llm) when configured:
// LLMREC_LLM_MODEL (model folder), LLMREC_LLM_PROJECTORS (projector folder), LLMREC_LLM_WEIGHT (fusion weight
// chosen on validation, default 0.5). Returns undefined when not configured.
import type { LlmService } from './llm/serve/llm-service.ts';
import type { Device } from './onnx/index.ts';

export async function loadLlmFromEnv(env: Record<string, string | undefined>, device: Device = 'auto'): Promise<LlmService | undefined> {
  if (!env.LLMREC_LLM_MODEL || !env.LLMREC_LLM_PROJECTORS) return undefined;
  const [{ loadModel }, { loadProjectors }, { LlmService }] = await Promise.all([import('./llm/model/load-model.ts'), import('./llm/rank/projectors.ts'), import('./llm/serve/llm-service.ts')]);
  const [llm, tokens] = await Promise.all([loadModel(env.LLMREC_LLM_MODEL, { device }), loadProjectors(env.LLMREC_LLM_PROJECTORS)]);
  return new LlmService({ llm, tokens, weight: Number(env.LLMREC_LLM_WEIGHT ?? 0.5) });
}
