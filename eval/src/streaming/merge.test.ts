// Merging single-seed streaming tables (run as separate processes) gives the same seed-level statistics as
// computing them on the joined per-seed values; parts from different protocols are refused.
import { describe, expect, it } from 'vitest';
import { meanCI, pairedTTest } from '../stats.ts';
import type { AblationResult } from './ablation.ts';
import { mergeAblations } from './merge.ts';

const part = (seed: number, st: number, dy: number, events = 100): AblationResult => ({
  dataset: 'x', protocol: 'p', events, seeds: [seed], base: 'b',
  rows: [
    { variant: 'static', perSeed: [{ seed, hit10: 0, ndcg10: st, published: 0, windows: 1, trainSeconds: 0 }], hit10: 0, ndcg10: st, vsStaticSeeds: null, vsStaticEvents: null },
    { variant: 'dynamic', perSeed: [{ seed, hit10: 0, ndcg10: dy, published: 0, windows: 1, trainSeconds: 0 }], hit10: 0, ndcg10: dy, vsStaticSeeds: null, vsStaticEvents: null },
  ],
});

describe('mergeAblations', () => {
  it('recomputes means, CI and the seed-level paired t-test', () => {
    const m = mergeAblations([part(1, 0.05, 0.07), part(2, 0.05, 0.068), part(3, 0.05, 0.071)]);
    expect(m.seeds).toEqual([1, 2, 3]);
    const dy = m.rows[1]!;
    expect(dy.ndcg10).toBeCloseTo((0.07 + 0.068 + 0.071) / 3, 12);
    expect(dy.ndcg10Ci95).toBeCloseTo(meanCI([0.07, 0.068, 0.071]).ci95!, 12);
    expect(dy.vsStaticSeeds!.p).toBeCloseTo(pairedTTest([0.07, 0.068, 0.071], [0.05, 0.05, 0.05]).p, 12);
    expect(dy.vsStaticSeeds!.p).toBeLessThan(0.01);
  });

  it('refuses parts with different event counts', () => {
    expect(() => mergeAblations([part(1, 0.05, 0.07), part(2, 0.05, 0.07, 50)])).toThrow(/differ/);
  });
});
