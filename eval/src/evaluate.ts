// One entry point for evaluation: loads the requested models from the registry, routes the split to the
// offline runner (loo, temporal, cold) or the streaming runner, and assembles the report.
import type { Dataset, Split } from '@llmrec/data/index.ts';
import { DEFAULT_KS } from './metrics/ranking.ts';
import { loadModel } from './models/registry.ts';
import { buildReport, type EvalReport } from './report.ts';
import { buildCases, type EvalOptions, type ModelRun, runModel } from './runner.ts';
import { runStreaming, type StreamingRun } from './streaming.ts';

export interface EvaluateOptions extends EvalOptions {
  machine: EvalReport['machine'];
  command: string;
}

export async function evaluateDataset(ds: Dataset, split: Split, models: string[], o: EvaluateOptions): Promise<EvalReport> {
  const specs = await Promise.all(models.map(loadModel));
  for (const s of specs) if (s.splits && !s.splits.includes(split.meta.split)) throw new Error(`model '${s.name}' does not support split '${split.meta.split}' (supports ${s.splits.join(', ')})`);
  const phase = o.phase ?? 'test';
  if (split.meta.split === 'streaming') {
    const runs: StreamingRun[] = [];
    for (const spec of specs) runs.push(await runStreaming(ds, split, spec, o));
    const report = buildReport({ dataset: ds.meta.name, split: 'streaming', phase: 'test', ks: o.ks ?? DEFAULT_KS, negatives: o.negatives ?? 100, seeds: o.seeds, ties: o.ties, runs, machine: o.machine, command: o.command });
    return { ...report, series: runs.map((r) => ({ model: r.model, points: r.series })) };
  }
  const cases = buildCases(ds, split, phase);
  o.log?.(`${ds.meta.name}/${split.meta.split} (${phase}): ${cases.users.length} users with targets`);
  const runs: ModelRun[] = [];
  for (const spec of specs) runs.push(await runModel(ds, split, spec, cases, o));
  return buildReport({ dataset: ds.meta.name, split: split.meta.split, phase, ks: o.ks ?? DEFAULT_KS, negatives: o.negatives ?? 100, seeds: o.seeds, ties: o.ties, runs, machine: o.machine, command: o.command });
}
