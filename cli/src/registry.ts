// Every subcommand of `llmrec`, loaded lazily so `llmrec data` never pays for onnxruntime or wrangler.
import type { Command } from './command.ts';

type Entry = { summary: string; load: () => Promise<Command> };

const lazy = (summary: string, load: () => Promise<{ command: Command }>): Entry => ({
  summary,
  load: async () => (await load()).command,
});

export const commands: Record<string, Entry> = {
  demo: lazy('run the whole system locally: data, training, worker, edge, sample recommendations', () => import('./commands/demo.ts')),
  data: lazy('prepare a dataset into the canonical form (local folder or download)', () => import('./commands/data.ts')),
  eval: lazy('evaluate a model on a prepared dataset and split', () => import('./commands/eval.ts')),
  features: lazy('content features of a dataset through the frozen text/image/audio encoders', () => import('./commands/features.ts')),
  train: lazy('run the offline pipeline: SASRec, base aligner, ONNX export, PQ', () => import('./commands/train.ts')),
  publish: lazy('load an artifacts bundle into a KV backend (versioned, atomic)', () => import('./commands/publish.ts')),
  serve: lazy('start the GPU worker and the edge locally', () => import('./commands/serve.ts')),
  job: lazy('run the background adapter job (online dynamic alignment)', () => import('./commands/job.ts')),
  rollback: lazy('restore a previous adapter version', () => import('./commands/rollback.ts')),
  generate: lazy('generate text with an ONNX decoder through the worker runtime', () => import('./commands/generate.ts')),
  'prepare-llm': lazy('rewrite a text-only ONNX decoder to take inputs_embeds (soft prompts)', () => import('./commands/prepare-llm.ts')),
  bench: lazy('run the benchmarks (npm run bench)', () => import('./commands/bench.ts')),
};
