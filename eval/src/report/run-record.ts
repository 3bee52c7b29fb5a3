// One cached evaluation run of the report (a model on a dataset/split, for one training seed or none): the
// summary rows and the per-user full-ranking NDCG@10 / HR@10 that paired tests need. Written by `llmrec report`
// under its cache folder and read back (zod-checked) when the report resumes or is rebuilt.
import { z } from 'zod';
import { meanCI, pairedTTest } from '../stats.ts';
import type { ModelRun } from '../runner.ts';

export const PAIRED_METRICS = ['NDCG@10', 'HR@10'] as const;

export const RunRecord = z.object({
  v: z.literal(1),
  dataset: z.string(),
  split: z.string(),
  model: z.string(),
  /** Training seed of the model; null for models without a trained part (popular, item-kNN). */
  trainingSeed: z.number().int().nullable(),
  users: z.number().int().nonnegative(),
  rows: z.array(z.object({ model: z.string(), protocol: z.enum(['full', 'sampled']), seed: z.number().nullable(), users: z.number(), metrics: z.record(z.string(), z.number()) })),
  perUser: z.record(z.string(), z.array(z.number())),
  fitSeconds: z.number(),
  scoreSeconds: z.number(),
  command: z.string(),
  commit: z.string().nullable(),
  createdAt: z.string(),
});
export type RunRecord = z.infer<typeof RunRecord>;

export function toRunRecord(run: ModelRun, o: { dataset: string; split: string; trainingSeed: number | null; command: string; commit: string | null; model?: string }): RunRecord {
  const perUser: Record<string, number[]> = {};
  for (const m of PAIRED_METRICS) if (run.perUser[m]) perUser[m] = Array.from(run.perUser[m]!, (x) => Math.round(x * 1e6) / 1e6);
  return RunRecord.parse({
    v: 1, dataset: o.dataset, split: o.split, model: o.model ?? run.model, trainingSeed: o.trainingSeed, users: run.rows[0]?.users ?? 0,
    rows: run.rows.map((r) => ({ ...r, model: o.model ?? r.model })), perUser, fitSeconds: run.fitSeconds, scoreSeconds: run.scoreSeconds,
    command: o.command, commit: o.commit, createdAt: new Date().toISOString(),
  });
}

/** A reported figure: mean over seeds with the Student-t 95% CI half-width (null below two seeds). */
export interface Figure {
  mean: number;
  ci95: number | null;
  perSeed: number[];
  /** What the seeds vary: training seeds, sampled negatives, or nothing. */
  over: 'training seeds' | 'sampling seeds' | 'none';
}

/** The value of one run: full ranking as is; sampled = mean over its sampling seeds. */
function runValue(r: RunRecord, metric: string, protocol: 'full' | 'sampled'): number | undefined {
  const rows = r.rows.filter((x) => x.protocol === protocol && x.metrics[metric] !== undefined);
  if (!rows.length) return undefined;
  return rows.reduce((a, x) => a + x.metrics[metric]!, 0) / rows.length;
}

/** Figure of a model over its runs: one value per training seed; a model without training seeds shows its
 * sampled figures over sampling seeds and its (deterministic) full figures without a CI. */
export function figureOf(runs: readonly RunRecord[], metric: string, protocol: 'full' | 'sampled'): Figure | undefined {
  if (!runs.length) return undefined;
  if (runs.length === 1 && runs[0]!.trainingSeed === null) {
    const vals = runs[0]!.rows.filter((x) => x.protocol === protocol).map((x) => x.metrics[metric]).filter((x): x is number => x !== undefined);
    if (!vals.length) return undefined;
    const c = meanCI(vals);
    return { mean: c.mean, ci95: c.ci95, perSeed: vals, over: vals.length > 1 ? 'sampling seeds' : 'none' };
  }
  const vals = runs.map((r) => runValue(r, metric, protocol)).filter((x): x is number => x !== undefined);
  if (!vals.length) return undefined;
  const c = meanCI(vals);
  return { mean: c.mean, ci95: c.ci95, perSeed: vals, over: 'training seeds' };
}

export interface Comparison {
  baseline: string;
  metric: string;
  meanDiff: number;
  /** Largest two-sided p of the per-seed paired t-tests over users (each seed against the baseline's same seed, or
   * its only run). */
  p: number;
  /** Mean Cohen's d_z over seeds. */
  d: number;
  users: number;
  seeds: number;
}

/** Paired t-tests over users of `model` against `baseline`, one per training seed of the model. */
export function compareRuns(model: readonly RunRecord[], baseline: readonly RunRecord[], baselineName: string, metric: string): Comparison | undefined {
  const tests = [];
  for (const r of model) {
    const b = baseline.find((x) => x.trainingSeed === r.trainingSeed) ?? (baseline.length === 1 && baseline[0]!.trainingSeed === null ? baseline[0] : undefined);
    const a = r.perUser[metric];
    const bb = b?.perUser[metric];
    if (!a || !bb || a.length !== bb.length) continue;
    tests.push(pairedTTest(a, bb));
  }
  if (!tests.length) return undefined;
  const finite = (x: number) => (Number.isFinite(x) ? x : 0);
  return { baseline: baselineName, metric, meanDiff: tests.reduce((s, t) => s + t.meanDiff, 0) / tests.length, p: Math.max(...tests.map((t) => t.p)), d: tests.reduce((s, t) => s + finite(t.d), 0) / tests.length, users: tests[0]!.n, seeds: tests.length };
}
