// What the report is built from, all read from `llmrec report`'s cache (or from other commands' outputs): model
// evaluation runs, training summaries, the streaming table, eval documents of other evaluations (EvalJson) and
// benchmark records. Each piece is either there or carries the reason it is not.
import { z } from 'zod';
import type { EvalJson } from '../report.ts';
import type { ExternalDoc } from './external.ts';
import type { RunRecord } from './run-record.ts';

export const TrainRecord = z.object({
  v: z.literal(1),
  dataset: z.string(),
  seed: z.number().int(),
  key: z.string(),
  config: z.record(z.string(), z.unknown()),
  secPerEpoch: z.number(),
  epochs: z.number(),
  /** Wall seconds of the steps run for this record (0 when every step came from the cache). */
  stepSeconds: z.record(z.string(), z.number()),
  timings: z.record(z.string(), z.number()),
  validNdcg10: z.array(z.object({ epoch: z.number(), value: z.number() })),
  bestValidNdcg10: z.number().nullable(),
  stoppedByTime: z.boolean(),
  /** CPU seconds of the SASRec step process (null when not recorded): less load-dependent than wall time. */
  sasrecCpuSeconds: z.number().nullable(),
  command: z.string(),
  commit: z.string().nullable(),
  createdAt: z.string(),
  /** The run folder the SASRec step was taken from (`llmrec train --sasrec-from`): its seconds are another machine's. */
  sasrecFrom: z.string().optional(),
});
export type TrainRecord = z.infer<typeof TrainRecord>;

export interface BenchFigure {
  value: number;
  unit: string;
  note?: string;
}
export interface BenchFile {
  suite: string;
  startedAt: string;
  file: string;
  metrics: Record<string, BenchFigure>;
  machine?: { loadavgAtStart?: number[]; note?: string };
}

export type Maybe<T> = { ok: true; value: T } | { ok: false; why: string };

export interface ReportInputs {
  datasets: string[];
  seeds: number[];
  /** Models the main table asks for that are not registered, with the reason. */
  missingModels: Record<string, string>;
  runs: RunRecord[];
  train: TrainRecord[];
  streaming: Maybe<EvalJson>;
  /** EvalJson documents of other evaluations (cold-items, modality-drop, explanation, ...): run by the report, or
   * found in the tracked results/ or $LLMREC_HOME/results, each with its file. */
  external: ExternalDoc[];
  bench: Record<string, Maybe<BenchFile>>;
  /** Per dataset: why it has no trained rows, when it has none. */
  datasetNotes: Record<string, string[]>;
  /** Per dataset: the LLM re-rank record (eval/src/llm/llm-eval.ts) behind the main table's "+ LLM" row, if any. */
  llmEval?: Record<string, { record: import('./llm-row.ts').LlmEvalRecord; file: string }>;
  /** Per dataset named in --backbone-records: the SASRec seeds record behind its SASRec row (backbone-record.ts), or
   * why it cannot be used (missing, or not the current default config). */
  backbones?: Record<string, { record: import('./backbone-record.ts').SasrecSeedsRecord; file: string } | { why: string }>;
  /** Why the report did not run its own cold-item / modality-drop evaluations (e.g. --no-content), if it did not. */
  contentSkipped?: string;
}
