// The streaming table (static vs dynamic adapters and the loss ablation, eval/src/streaming/ablation.ts) in the one
// eval JSON shape (EvalJson in ../report.ts): per variant HR@10 / NDCG@10 over adapter seeds, paired tests vs
// static over seeds and over pooled events, adapter training time — what the report reads for "+ dynamic".
import type { AblationResult } from '../streaming/ablation.ts';
import { VARIANTS } from '../streaming/ablation.ts';
import { EVAL_JSON_VERSION, evalComparison, EvalJson, evalRow, type EvalComparison, type EvalRow } from '../report.ts';

export const STREAMING_PROTOCOL = 'streaming-full';

/** 'dynamic-no-distill' -> model 'dynamic', variant 'no-distill'; 'static' -> model 'static', variant 'default'. */
export function splitVariant(name: string): { model: string; variant: string } {
  const base = VARIANTS[name]?.model ?? name;
  return { model: base, variant: name === base ? 'default' : name.startsWith(`${base}-`) ? name.slice(base.length + 1) : name };
}

export function streamingEvalJson(r: AblationResult, o: { command: string; machine: EvalJson['machine']; commit?: string | null; wallSeconds?: number; createdAt?: string }): EvalJson {
  const rows: EvalRow[] = [];
  const comparisons: EvalComparison[] = [];
  const timing: EvalJson['timing'] = [];
  for (const row of r.rows) {
    const mv = splitVariant(row.variant);
    for (const [metric, pick] of [['HR@10', (s: (typeof row.perSeed)[number]) => s.hit10], ['NDCG@10', (s: (typeof row.perSeed)[number]) => s.ndcg10]] as const) {
      rows.push(evalRow({ ...mv, metric, protocol: STREAMING_PROTOCOL, perSeed: row.perSeed.map((s) => ({ seed: s.seed, value: pick(s) })), seedRole: 'adapter', n: r.events, unit: 'events' }));
    }
    rows.push(evalRow({ ...mv, metric: 'adapter-versions-published', protocol: STREAMING_PROTOCOL, perSeed: row.perSeed.map((s) => ({ seed: s.seed, value: s.published })), seedRole: 'adapter', n: r.events, unit: 'events' }));
    timing.push({ ...mv, seconds: { adapterTraining: row.perSeed.reduce((a, s) => a + s.trainSeconds, 0) / Math.max(1, row.perSeed.length) } });
    const base = { ...mv, baseline: 'static', baselineVariant: 'default', metric: 'NDCG@10', protocol: STREAMING_PROTOCOL };
    if (row.vsStaticSeeds) comparisons.push(evalComparison({ ...base, pairing: 'seeds' }, row.vsStaticSeeds));
    if (row.vsStaticEvents) comparisons.push(evalComparison({ ...base, pairing: 'events' }, row.vsStaticEvents));
  }
  return EvalJson.parse({
    formatVersion: EVAL_JSON_VERSION,
    kind: 'llmrec-eval',
    evaluation: 'streaming',
    dataset: r.dataset,
    split: 'streaming',
    phase: 'test',
    protocols: { [STREAMING_PROTOCOL]: r.protocol },
    ties: 'pessimistic: items scoring equal to the target rank above it',
    rows,
    comparisons,
    series: [],
    timing,
    machine: o.machine,
    command: o.command,
    commit: o.commit ?? null,
    createdAt: o.createdAt ?? new Date().toISOString(),
    notes: [...(r.base ? [`base: ${r.base}`] : []), ...(o.wallSeconds !== undefined ? [`wall time ${o.wallSeconds.toFixed(0)} s`] : [])],
  });
}
