// Hand-computed cases for the ranking metrics, including the pessimistic tie rule and multiple targets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mixSeed } from '../rng.ts';
import { ndcgAt10 } from '@llmrec/shared/adapter/online-learner.ts';
import { fullRankOf, fullRanks, ndcgAt, sampledRank, sampledUserMetrics, userMetrics } from './ranking.ts';

const none = (n: number) => new Uint8Array(n);
const mask = (n: number, idx: number[]) => {
  const m = new Uint8Array(n);
  for (const i of idx) m[i] = 1;
  return m;
};

describe('fullRanks', () => {
  it('counts higher-scored, non-excluded items', () => {
    const s = new Float32Array([0.9, 0.1, 0.5, 0.7, 0.3]);
    expect(Array.from(fullRanks(s, [2], none(5)))).toEqual([2]); // 0.9, 0.7 above
    expect(Array.from(fullRanks(s, [2], mask(5, [0])))).toEqual([1]); // history item 0 excluded
  });

  it('pessimistic ties: equal scores rank above the target', () => {
    const s = new Float32Array([0.5, 0.5, 0.5, 0.2]);
    expect(Array.from(fullRanks(s, [1], none(4)))).toEqual([2]);
    // constant scores: the target is last among the candidates
    expect(Array.from(fullRanks(new Float32Array(10), [3], mask(10, [0, 1])))).toEqual([7]);
  });

  it('a target is never pushed down by itself or by a lower/later tied target', () => {
    const s = new Float32Array([0.9, 0.8, 0.8, 0.1]);
    // targets 1 and 2 tie: the first listed ranks above the second
    expect(Array.from(fullRanks(s, [1, 2], none(4)))).toEqual([1, 2]);
    expect(Array.from(fullRanks(s, [0, 3], none(4)))).toEqual([0, 3]);
  });

  it('NaN target score ranks last', () => {
    expect(Array.from(fullRanks(new Float32Array([NaN, 1, 2]), [0], none(3)))).toEqual([3]);
  });
});

describe('userMetrics', () => {
  it('single target at rank 0, 4, 7, 30 (K = 5, 10)', () => {
    expect(userMetrics([0], [5, 10])).toEqual({ 'HR@5': 1, 'Recall@5': 1, 'NDCG@5': 1, 'HR@10': 1, 'Recall@10': 1, 'NDCG@10': 1 });
    const r4 = userMetrics([4], [5]);
    expect(r4['NDCG@5']).toBeCloseTo(1 / Math.log2(6), 12); // 0.386853
    expect(r4['HR@5']).toBe(1);
    const r7 = userMetrics([7], [5, 10]);
    expect([r7['HR@5'], r7['HR@10']]).toEqual([0, 1]);
    expect(r7['NDCG@10']).toBeCloseTo(1 / Math.log2(9), 12);
    expect(userMetrics([30], [20])).toEqual({ 'HR@20': 0, 'Recall@20': 0, 'NDCG@20': 0 });
  });

  it('no target: every metric is 0, not NaN (0 / 0), so one empty user cannot poison an average', () => {
    expect(userMetrics([], [5, 10])).toEqual({ 'HR@5': 0, 'Recall@5': 0, 'NDCG@5': 0, 'HR@10': 0, 'Recall@10': 0, 'NDCG@10': 0 });
  });

  it('two targets at ranks 1 and 6', () => {
    const m = userMetrics([1, 6], [5, 10]);
    expect(m['HR@5']).toBe(1);
    expect(m['Recall@5']).toBe(0.5);
    expect(m['Recall@10']).toBe(1);
    // DCG@5 = 1/log2(3); IDCG@5 = 1 + 1/log2(3)
    expect(m['NDCG@5']).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12);
    expect(m['NDCG@10']).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(8)) / (1 + 1 / Math.log2(3)), 12);
  });
});

describe('sampled', () => {
  it('ranks the target among the negatives only, ties pessimistic', () => {
    const s = new Float32Array([0.3, 0.9, 0.3, 0.1, 0.5]);
    expect(sampledRank(s, 0, [2, 3, 4])).toBe(2); // 0.5 above, 0.3 tie above
    expect(sampledRank(s, 1, [2, 3, 4])).toBe(0); // item 1 (0.9) not a negative: it does not count
    const m = sampledUserMetrics(s, [0, 1], [2, 3, 4], [1]);
    expect(m['HR@1']).toBe(0.5); // averaged over the two targets
  });
});

describe("random tie rule (seeded hash)", () => {
  const key = (salt: number) => (i: number) => mixSeed(salt, i);

  it('constant scores: the target lands uniformly (mean rank ~ (n-1)/2), reproducibly', () => {
    const s = new Float32Array(100);
    let sum = 0;
    for (let u = 0; u < 2000; u++) sum += fullRanks(s, [7], none(100), key(u))[0]!;
    expect(sum / 2000).toBeGreaterThan(49.5 - 3);
    expect(sum / 2000).toBeLessThan(49.5 + 3);
    expect(fullRanks(s, [7], none(100), key(3))[0]).toBe(fullRanks(s, [7], none(100), key(3))[0]);
  });

  it('strict order still wins over ties; tied targets get distinct ranks; excluded items do not count', () => {
    const s = new Float32Array([0.9, 0.5, 0.5, 0.5, 0.1]);
    const r = Array.from(fullRanks(s, [1, 2], mask(5, [3]), key(1)));
    expect(r.sort()).toEqual([1, 2]); // 0.9 above both; 3 excluded; the two tied targets take ranks 1 and 2
    expect(fullRanks(s, [4], none(5), key(1))[0]).toBe(4);
    expect(sampledRank(s, 1, [0, 2, 4], key(1))).toBeGreaterThanOrEqual(1);
    expect(sampledRank(s, 1, [0, 2, 4], key(1))).toBeLessThanOrEqual(2);
  });
});

// The shared fixture: the Python metric (training/llmrec_train/metrics.py) is checked against the same file.
describe('shared ranking fixture (ties, exclusions, NaN, infinities)', () => {
  type Num = number | string;
  const fx = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'ranking-cases.json'), 'utf8')) as {
    full: { name: string; scores: Num[]; target: number; exclude: number[]; rank: number }[];
    sampled: { name: string; scores: Num[]; target: number; negatives: number[]; rank: number }[];
    ndcg10: { rank: number; value: number }[];
  };
  const f32 = (xs: Num[]) => Float32Array.from(xs.map(Number)); // Number('NaN'), Number('-Infinity') parse as such
  it.each(fx.full)('full: $name', (c) => {
    expect(fullRankOf(f32(c.scores), c.target, c.exclude)).toBe(c.rank);
    if (!c.exclude.includes(c.target)) expect(fullRanks(f32(c.scores), [c.target], mask(c.scores.length, c.exclude))[0]).toBe(c.rank);
  });
  it.each(fx.sampled)('sampled: $name', (c) => {
    expect(sampledRank(f32(c.scores), c.target, c.negatives)).toBe(c.rank);
  });
  it('NDCG@10 of a rank', () => {
    for (const c of fx.ndcg10) {
      expect(ndcgAt(c.rank, 10)).toBeCloseTo(c.value, 14);
      expect(userMetrics([c.rank], [10])['NDCG@10']).toBeCloseTo(c.value, 14);
    }
  });
});

describe('the online adapters rank with the same rule', () => {
  it("the guardrail's NDCG@10 gives a diverged (NaN) candidate 0, and counts ties against the target", () => {
    expect(ndcgAt10(new Float32Array(20).fill(NaN), 3, [])).toBe(0);
    expect(ndcgAt10(new Float32Array([0.5, 0.5, 0.5, 0.1]), 2, [])).toBeCloseTo(1 / Math.log2(4), 14);
    expect(ndcgAt10(new Float32Array([0.5, 0.5, 0.5, 0.1]), 2, [0, 2])).toBeCloseTo(1 / Math.log2(3), 14);
  });
});
