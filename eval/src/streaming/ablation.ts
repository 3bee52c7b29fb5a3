// The streaming table of issue 6 in one call: static base vs dynamic adapters and the loss ablation (no
// distillation, no EWC, no replay, no gate), for several seeds, Hit@10 / NDCG@10 under full ranking over the
// online 30% of ML-100K, mean ± 95% CI over seeds, and paired t-tests on NDCG@10: over the per-seed means
// (n = seeds) and over the pooled per-event values. Base: 'fallback' retrains the bag-of-items base per seed;
// 'trained' is the frozen aligner from `llmrec train --split streaming` (same for every seed: seeds then only
// vary the adapter init and sampling).
import { defaultLearnerConfig, type LearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig, type TrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { readSplit, type Dataset } from '@llmrec/data/index.ts';
import type { BaseModel } from '@llmrec/shared/adapter/dynamic-model.ts';
import { mean, meanCI, pairedTTest, type PairedTest } from '../stats.ts';
import { baseForDataset } from './base-for-dataset.ts';
import { replayAdapter } from './adapter-model.ts';
import { streamEvents } from './stream-events.ts';
import { loadTrainedBase } from './trained-base.ts';

export type BaseKind = 'trained' | 'fallback';

function datasetEvents(ds: Dataset, labels: Int32Array) {
  return streamEvents(ds.interactions.user, ds.interactions.item, ds.interactions.ts, labels);
}

export interface Variant {
  name: string;
  model: 'static' | 'dynamic';
  train?: Partial<TrainConfig>;
  learner?: Partial<LearnerConfig>;
}

export const VARIANTS: Record<string, Variant> = {
  static: { name: 'static', model: 'static' },
  dynamic: { name: 'dynamic', model: 'dynamic' },
  'dynamic-no-distill': { name: 'dynamic-no-distill', model: 'dynamic', train: { distill: 0 } },
  'dynamic-no-ewc': { name: 'dynamic-no-ewc', model: 'dynamic', train: { ewc: 0 } },
  'dynamic-no-replay': { name: 'dynamic-no-replay', model: 'dynamic', train: { replay: 0 } },
  'dynamic-no-gate': { name: 'dynamic-no-gate', model: 'dynamic', train: { noGate: true } },
  'dynamic-no-guardrail': { name: 'dynamic-no-guardrail', model: 'dynamic', learner: { guardrail: false } },
};

export interface AblationRow {
  variant: string;
  perSeed: { seed: number; hit10: number; ndcg10: number; published: number; windows: number; trainSeconds: number }[];
  hit10: number;
  ndcg10: number;
  /** Half-width of the 95% CI (Student t) of NDCG@10 over seeds; null with one seed. */
  ndcg10Ci95?: number | null;
  /** NDCG@10 vs static: paired over seeds, and over pooled per-event values. */
  vsStaticSeeds: PairedTest | null;
  vsStaticEvents: PairedTest | null;
}

export interface AblationResult {
  dataset: string;
  protocol: string;
  events: number;
  seeds: number[];
  /** Which frozen base ran (absent in older files: fallback). */
  base?: string;
  rows: AblationRow[];
}

/** `maxOnline` > 0 replays only the first maxOnline online events (quick ablations; said in the protocol line). */
export async function runAblation(ds: Dataset, home: string, variants: string[], seeds: number[], log: (m: string) => void = () => {}, maxOnline = 0, baseKind: BaseKind = 'fallback'): Promise<AblationResult> {
  for (const name of variants) if (!VARIANTS[name]) throw new Error(`unknown variant '${name}' (known: ${Object.keys(VARIANTS).join(', ')})`);
  let trained: { base: BaseModel; key: string } | undefined;
  const per = new Map<string, { seed: number; hit10: number; ndcg10: number; published: number; windows: number; trainSeconds: number; ndcg: Float64Array }[]>();
  let events = 0;
  const labels = readSplit(ds, 'streaming').labels as Int32Array;
  for (const seed of seeds) {
    const fb = baseKind === 'fallback' ? baseForDataset(ds, home, { seed }, log) : undefined;
    const all = fb ? fb.events : datasetEvents(ds, labels);
    const nPre = all.filter((e) => e.window < 0).length;
    const ev = maxOnline > 0 ? all.slice(0, nPre + maxOnline) : all;
    if (baseKind === 'trained' && !trained) trained = await loadTrainedBase(ds, home, ev, defaultLearnerConfig.maxHistory, log);
    const base: BaseModel = trained ? trained.base : fb!.base;
    for (const name of variants) {
      const v = VARIANTS[name];
      if (!v) throw new Error(`unknown variant '${name}' (known: ${Object.keys(VARIANTS).join(', ')})`);
      const cfg: LearnerConfig = { ...defaultLearnerConfig, ...v.learner, train: { ...defaultTrainConfig, ...v.train, seed } };
      const t = performance.now();
      let last = 0;
      const r = await replayAdapter(ds, labels, base, v.model, cfg, {
        maxOnline,
        onProgress: (_m, done, total) => {
          if (performance.now() - last > 15_000) {
            last = performance.now();
            log(`${name} seed ${seed}: ${done}/${total} events`);
          }
        },
      });
      events = r.ndcg.length;
      log(`${name} seed ${seed}: HR@10 ${r.hit10.toFixed(4)} NDCG@10 ${r.ndcg10.toFixed(4)} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
      if (!per.has(name)) per.set(name, []);
      per.get(name)!.push({ seed, hit10: r.hit10, ndcg10: r.ndcg10, published: r.published, windows: r.windows, trainSeconds: r.trainMs / 1000, ndcg: r.ndcg });
    }
  }
  const stat = per.get('static');
  const pooled = (runs: { ndcg: Float64Array }[]) => {
    const out = new Float64Array(runs.reduce((a, r) => a + r.ndcg.length, 0));
    let o = 0;
    for (const r of runs) {
      out.set(r.ndcg, o);
      o += r.ndcg.length;
    }
    return out;
  };
  const rows: AblationRow[] = variants.map((name) => {
    const runs = per.get(name)!;
    const cmp = stat && name !== 'static';
    return {
      variant: name,
      perSeed: runs.map(({ ndcg: _n, ...rest }) => rest),
      hit10: mean(runs.map((r) => r.hit10)),
      ndcg10: mean(runs.map((r) => r.ndcg10)),
      ndcg10Ci95: meanCI(runs.map((r) => r.ndcg10)).ci95,
      vsStaticSeeds: cmp && runs.length > 1 ? pairedTTest(runs.map((r) => r.ndcg10), stat.map((r) => r.ndcg10)) : null,
      vsStaticEvents: cmp ? pairedTTest(pooled(runs), pooled(stat)) : null,
    };
  });
  const part = maxOnline > 0 ? `first ${events} events of the online 30%` : 'the online 30%';
  const baseLine = trained ? `trained base (z_u . fused item latents of llmrec train --split streaming, artifacts key ${trained.key}; frozen, same for every seed)` : 'fallback bag-of-items BPR base (retrained per seed)';
  return { dataset: ds.meta.name, protocol: `streaming: 70% pre-train, ${part} replayed in 1-hour windows, predict-then-learn; full ranking, seen items excluded`, events, seeds, base: baseLine, rows };
}

export function formatAblation(r: AblationResult): string {
  const f = (x: number) => x.toFixed(4);
  const p = (t: PairedTest | null) => (t ? (t.p < 1e-4 ? t.p.toExponential(1) : t.p.toFixed(4)) : '—');
  const lines = [
    `${r.dataset} — ${r.protocol}; ${r.events} online events; seeds ${r.seeds.join(',')}${r.base ? `; base: ${r.base}` : ''}`,
    '',
    '| model | HR@10 | NDCG@10 (mean ± 95% CI over seeds) | NDCG@10 per seed | ΔNDCG vs static | p (seeds, paired t) | p (events, paired t) |',
    '|---|---|---|---|---|---|---|',
  ];
  const st = r.rows.find((x) => x.variant === 'static');
  for (const row of r.rows) {
    const d = st && row.variant !== 'static' ? (row.ndcg10 - st.ndcg10 >= 0 ? '+' : '') + f(row.ndcg10 - st.ndcg10) : '—';
    const ci = row.ndcg10Ci95 != null ? ` ± ${f(row.ndcg10Ci95)}` : '';
    lines.push(`| ${row.variant} | ${f(row.hit10)} | ${f(row.ndcg10)}${ci} | ${row.perSeed.map((s) => f(s.ndcg10)).join(' / ')} | ${d} | ${p(row.vsStaticSeeds)} | ${p(row.vsStaticEvents)} |`);
  }
  return lines.join('\n');
}
