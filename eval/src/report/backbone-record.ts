// The main table's SASRec row for a dataset whose pipelines the report does not train itself (`llmrec report
// --backbone-records beauty,games`): three training seeds of `llmrec train`'s SASRec step on the Amazon sets take
// 35-90 min each on this 2-core machine, so they are run once by the sweep tool (training/experiments/sasrec_sweep.py
// --record, the same training code) and read back here from results/sasrec-<dataset>-default-seeds.json. The row
// says where it comes from, where it ran, and is refused (with the reason) when a run's config is not the current
// `llmrec train` default for that dataset: a stale record cannot pass for the default.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { meanCI } from '../stats.ts';
import type { Figure } from './run-record.ts';

const Figs = z.object({ ndcg10: z.number(), hr10: z.number(), users: z.number().int() });

export const SasrecSeedsRecord = z.object({
  kind: z.literal('llmrec-sasrec-seeds'),
  v: z.literal(1),
  dataset: z.string(),
  split: z.string(),
  machine: z.string(),
  command: z.string(),
  commit: z.string().nullable(),
  createdAt: z.string(),
  runs: z.array(z.object({
    name: z.string(),
    seed: z.number().int(),
    config: z.record(z.string(), z.unknown()),
    device: z.string(),
    torch: z.string().nullable().optional(),
    seconds: z.number().nullable(),
    cpuSeconds: z.number().nullable().optional(),
    epochsRun: z.number().int(),
    secPerEpoch: z.number(),
    stoppedByTime: z.boolean(),
    bestValidNdcg10: z.number(),
    validCurve: z.array(z.object({ epoch: z.number(), value: z.number() })),
    test: z.object({ full: Figs, sampled: Figs }),
  })).min(1),
});
export type SasrecSeedsRecord = z.infer<typeof SasrecSeedsRecord>;

export const backboneRecordFile = (dir: string, dataset: string) => join(dir, `sasrec-${dataset}-default-seeds.json`);

/** The record for `dataset` under `dir`, or why there is none; a present but malformed file is an error naming it. */
export function readBackboneRecord(dir: string, dataset: string): { record: SasrecSeedsRecord; file: string } | { why: string } {
  const file = backboneRecordFile(dir, dataset);
  if (!existsSync(file)) return { why: `no SASRec seeds record ${file}` };
  const r = SasrecSeedsRecord.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.success) throw new Error(`${file}: not a SASRec seeds record (${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  if (r.data.dataset !== dataset) throw new Error(`${file}: record of dataset '${r.data.dataset}', expected '${dataset}'`);
  return { record: r.data, file };
}

// what may differ between a recorded run and the default without changing the model it trains: the seed (one per
// run) and the wall-clock cap (machine-specific; a run the cap stopped says so in its row)
const FREE_KEYS = new Set(['seed', 'max_seconds']);

/** Where a run's config differs from `defaults` (the `llmrec train` default SASRec config of the dataset: the keys it
 * sets; the rest are the trainer's DEFAULTS on both sides), one line per key and run. */
export function configMismatches(rec: SasrecSeedsRecord, defaults: Record<string, unknown>): string[] {
  return rec.runs.flatMap((run) => differingKeys(run.config, defaults, FREE_KEYS).map((k) => `${run.name}: ${k} = ${JSON.stringify(run.config[k])}, default ${JSON.stringify(defaults[k])}`));
}

/** The keys `want` sets whose value a trained run's config `got` does not have (JSON equality), `free` keys aside:
 * the rest are the trainer's DEFAULTS on both sides. Shared by the records check here and `llmrec train --sasrec-from`. */
export function differingKeys(got: Record<string, unknown>, want: Record<string, unknown>, free: ReadonlySet<string>): string[] {
  return Object.keys(want).filter((k) => !free.has(k) && JSON.stringify(got[k]) !== JSON.stringify(want[k]));
}

function fig(vals: number[]): Figure {
  const c = meanCI(vals);
  return { mean: c.mean, ci95: c.ci95, perSeed: vals, over: 'training seeds' };
}

/** Figures of the record's runs (one value per training seed; sampled: one sampling seed per run). */
export function backboneFigures(rec: SasrecSeedsRecord): { ndcgFull: Figure; hrFull: Figure; ndcgSampled: Figure; hrSampled: Figure; validBest: Figure } {
  const runs = [...rec.runs].sort((a, b) => a.seed - b.seed);
  return {
    ndcgFull: fig(runs.map((r) => r.test.full.ndcg10)),
    hrFull: fig(runs.map((r) => r.test.full.hr10)),
    ndcgSampled: fig(runs.map((r) => r.test.sampled.ndcg10)),
    hrSampled: fig(runs.map((r) => r.test.sampled.hr10)),
    validBest: fig(runs.map((r) => r.bestValidNdcg10)),
  };
}

/** The note under the main table for the record's row: command, machine, devices, time, epochs, capped runs. */
export function backboneNote(label: string, rec: SasrecSeedsRecord, file: string): string {
  const runs = [...rec.runs].sort((a, b) => a.seed - b.seed);
  const devices = [...new Set(runs.map((r) => `${r.device}${r.torch ? ` (torch ${r.torch})` : ''}`))].join(', ');
  const capped = runs.filter((r) => r.stoppedByTime).map((r) => r.seed);
  const f = backboneFigures(rec);
  return `"${label}" comes from ${file}, not from this report's runs: training seeds ${runs.map((r) => r.seed).join(', ')} of \`llmrec train\`'s SASRec step with the default config, run by \`${rec.command}\` at commit ${(rec.commit ?? 'unknown').slice(0, 10)}; machine: ${rec.machine}; device ${devices}; `
    + `epochs ${runs.map((r) => r.epochsRun).join(' / ')}, ${runs.map((r) => r.secPerEpoch.toFixed(1)).join(' / ')} s per epoch, wall ${runs.map((r) => (r.seconds === null ? '?' : `${Math.round(r.seconds)} s`)).join(' / ')}; `
    + `best validation NDCG@10 ${f.validBest.perSeed.map((v) => v.toFixed(4)).join(' / ')}; test full NDCG@10 per seed ${f.ndcgFull.perSeed.map((v) => v.toFixed(4)).join(' / ')}; `
    + (capped.length ? `seed${capped.length > 1 ? 's' : ''} ${capped.join(', ')} stopped by the run's time cap (best-validation checkpoint evaluated). ` : 'every run stopped early on validation. ')
    + 'The record holds aggregate figures only, so no paired test over users against item-kNN (Δ is the difference of means); sampled: one sampling seed per run.';
}

/** The note under the main table when the report trained a dataset's pipelines on the record's checkpoints
 * (`--backbone-runs`): where the SASRec step came from, and that every row of the table was evaluated here. */
export function adoptedNote(rec: SasrecSeedsRecord, file: string, runsDir: string): string {
  const runs = [...rec.runs].sort((a, b) => a.seed - b.seed);
  const devices = [...new Set(runs.map((r) => `${r.device}${r.torch ? ` (torch ${r.torch})` : ''}`))].join(', ');
  const capped = runs.filter((r) => r.stoppedByTime).map((r) => r.seed);
  return `SASRec step not trained by this report (--backbone-runs): each training seed's checkpoint is the run of ${file} in ${runsDir} (\`${rec.command}\` at commit ${(rec.commit ?? 'unknown').slice(0, 10)}; machine: ${rec.machine}; device ${devices}; `
    + `epochs ${runs.map((r) => r.epochsRun).join(' / ')}, ${runs.map((r) => r.secPerEpoch.toFixed(1)).join(' / ')} s per epoch${capped.length ? `; seed${capped.length > 1 ? 's' : ''} ${capped.join(', ')} stopped by the run's time cap, best-validation checkpoint kept` : ''}), `
    + 'taken as the pipeline\'s SASRec step by `llmrec train --sasrec-from` (refused unless its config is the default\'s). Aligner, fusion, ONNX export and PQ were trained by this report on this machine\'s CPU, and every row above, SASRec included, was evaluated here by `llmrec eval` (the SASRec row re-measures the record\'s checkpoints).';
}
