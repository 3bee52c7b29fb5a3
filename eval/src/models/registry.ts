// Every model `llmrec eval --model <name>` can run. To add one: write `<name>.ts` exporting `model: ModelSpec`
// (see types.ts) and add ONE line below. Loaded lazily so baselines never pay for onnxruntime.
import type { ModelSpec } from './types.ts';

const lazy = (load: () => Promise<{ model: ModelSpec }>) => async () => (await load()).model;

export const MODELS: Record<string, () => Promise<ModelSpec>> = {
  popular: lazy(() => import('./popular.ts')),
  itemknn: lazy(() => import('./itemknn.ts')),
  static: lazy(() => import('./static.ts')),
  dynamic: lazy(() => import('./dynamic.ts')),
  sasrec: lazy(() => import('./sasrec.ts')),
  aligner: lazy(() => import('./aligner.ts')),
  'aligner-pq': async () => (await import('./aligner.ts')).pqModel,
  'aligner-cf': async () => (await import('./aligner.ts')).cfModel,
  random: lazy(() => import('./random.ts')),
  'tfidf-knn': lazy(() => import('./tfidf-knn.ts')),
  content: async () => (await import('./content-fused.ts')).content,
  fused: async () => (await import('./content-fused.ts')).fused,
  ...Object.fromEntries(
    ['text', 'image', 'audio'].flatMap((m) => [
      [`content-${m}`, async () => (await import('./content-fused.ts')).contentOnly(m)],
      [`fused-${m}`, async () => (await import('./content-fused.ts')).fusedOnly(m)],
    ]),
  ),
};

export async function loadModel(name: string): Promise<ModelSpec> {
  const load = MODELS[name];
  if (!load) throw new Error(`unknown model '${name}' (registered: ${Object.keys(MODELS).join(', ')})`);
  return load();
}
