// The one eval JSON shape (EvalJson): rows and comparisons derived from the ranking report and from the streaming
// table keep every figure (per seed, mean, 95% CI, paired test), and documents that break the contract are rejected.
import { describe, expect, it } from 'vitest';
import { buildReport, EvalJson, evalRow, findRow, rankingEvalJson } from './report.ts';
import { streamingEvalJson, splitVariant } from './report/streaming-json.ts';
import type { ModelRun } from './runner.ts';
import { pairedTTest } from './stats.ts';
import type { AblationResult } from './streaming/ablation.ts';

const machine = { cpus: 2, node: '20', note: 'test' };

function run(model: string, full: number, sampled: number[], perUser: number[]): ModelRun {
  return {
    model,
    rows: [
      { model, protocol: 'full', seed: null, users: perUser.length, metrics: { 'NDCG@10': full, 'HR@10': full * 2 } },
      ...sampled.map((v, i) => ({ model, protocol: 'sampled' as const, seed: i + 1, users: perUser.length, metrics: { 'NDCG@10': v, 'HR@10': v * 2 } })),
    ],
    perUser: { 'NDCG@10': Float64Array.from(perUser), 'HR@10': Float64Array.from(perUser.map((x) => (x > 0 ? 1 : 0))) },
    fitSeconds: 1,
    scoreSeconds: 2,
  };
}

describe('EvalJson', () => {
  const report = buildReport({ dataset: 'd', split: 'loo', phase: 'test', ks: [10], negatives: 100, seeds: [1, 2, 3], runs: [run('popular', 0.1, [0.3, 0.35, 0.4], [0, 1, 0, 0.5]), run('sasrec', 0.2, [0.5, 0.52, 0.6], [1, 1, 0, 0.63])], machine, command: 'c' });
  const doc = rankingEvalJson(report, 'abc123');

  it('ranking: one row per (model, metric, protocol) with per-seed values, mean and CI', () => {
    expect(doc.rows).toHaveLength(2 * 2 * 2);
    const s = findRow(doc, { model: 'sasrec', metric: 'NDCG@10', protocol: 'sampled-100' })!;
    expect(s.perSeed).toEqual([{ seed: 1, value: 0.5 }, { seed: 2, value: 0.52 }, { seed: 3, value: 0.6 }]);
    expect(s.mean).toBeCloseTo(0.54, 12);
    // t(0.975, 2) = 4.302653; sd of (0.5, 0.52, 0.6) = 0.0529150
    expect(s.ci95!).toBeCloseTo((4.302653 * 0.052915026) / Math.sqrt(3), 5);
    expect(findRow(doc, { model: 'sasrec', metric: 'NDCG@10', protocol: 'full' })).toMatchObject({ mean: 0.2, ci95: null, seedRole: 'none', n: 4, unit: 'users' });
    expect(doc.commit).toBe('abc123');
  });

  it('ranking: the comparison is the paired test over users', () => {
    const t = pairedTTest([1, 1, 0, 0.63], [0, 1, 0, 0.5]);
    const c = doc.comparisons.find((x) => x.metric === 'NDCG@10')!;
    expect(c).toMatchObject({ model: 'sasrec', baseline: 'popular', pairing: 'users', n: 4, test: 'paired-t' });
    expect(c.p).toBeCloseTo(t.p, 12);
    expect(c.effectSize).toEqual({ name: 'cohen-dz', value: t.d });
  });

  it('rejects a row whose protocol is not described, a missing field and an empty perSeed', () => {
    const bad = structuredClone(doc);
    bad.rows[0]!.protocol = 'sampled-50';
    expect(EvalJson.safeParse(bad).success).toBe(false);
    const { mean: _m, ...noMean } = doc.rows[0]!;
    expect(EvalJson.safeParse({ ...doc, rows: [noMean] }).success).toBe(false);
    expect(EvalJson.safeParse({ ...doc, rows: [{ ...doc.rows[0]!, perSeed: [] }] }).success).toBe(false);
    expect(EvalJson.safeParse(JSON.parse(JSON.stringify(doc))).success).toBe(true);
  });

  it('streaming: variants split into model + variant; seed-level and event-level tests kept apart', () => {
    const seeds = [{ seed: 1, hit10: 0.1, ndcg10: 0.05, published: 3, windows: 9, trainSeconds: 2 }, { seed: 2, hit10: 0.12, ndcg10: 0.06, published: 4, windows: 9, trainSeconds: 4 }];
    const dyn = seeds.map((s) => ({ ...s, ndcg10: s.ndcg10 + 0.01 }));
    const vsSeeds = pairedTTest([0.06, 0.07], [0.05, 0.06]);
    const vsEvents = pairedTTest([1, 0, 0.5], [0, 0, 0.5]);
    const r: AblationResult = { dataset: 'ml-100k', protocol: 'streaming: p', events: 500, seeds: [1, 2], base: 'fallback', rows: [
      { variant: 'static', perSeed: seeds, hit10: 0.11, ndcg10: 0.055, vsStaticSeeds: null, vsStaticEvents: null },
      { variant: 'dynamic-no-distill', perSeed: dyn, hit10: 0.11, ndcg10: 0.065, vsStaticSeeds: vsSeeds, vsStaticEvents: vsEvents },
    ] };
    const j = streamingEvalJson(r, { command: 'c', machine });
    expect(splitVariant('dynamic-no-distill')).toEqual({ model: 'dynamic', variant: 'no-distill' });
    const row = findRow(j, { model: 'dynamic', variant: 'no-distill', metric: 'NDCG@10', protocol: 'streaming-full' })!;
    expect(row).toMatchObject({ n: 500, unit: 'events', seedRole: 'adapter' });
    expect(row.perSeed.map((s) => s.value)).toEqual(dyn.map((s) => s.ndcg10));
    expect(j.comparisons.map((c) => [c.pairing, c.p])).toEqual([['seeds', vsSeeds.p], ['events', vsEvents.p]]);
    expect(j.timing.find((t) => t.model === 'static')!.seconds.adapterTraining).toBe(3);
  });

  it('evalRow: one seed has no CI', () => {
    expect(evalRow({ model: 'm', variant: 'default', metric: 'x', protocol: 'p', perSeed: [{ seed: 1, value: 2 }], seedRole: 'training', n: 1, unit: 'users' })).toMatchObject({ mean: 2, ci95: null });
  });
});
