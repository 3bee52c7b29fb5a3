// Edge retrieval kernels: ADC agrees with inner products of the decoded latents; the unrolled selection kernels
// (m = 16, 32) return what ADC + top-n returns; top-n selection equals a full sort (ties by index) with seen and
// hidden items skipped.
import { describe, expect, it } from 'vitest';
import { createPqIndex, decodeItem } from '@llmrec/shared/pq/index.ts';
import { mulberry32 } from '@llmrec/shared/rng.ts';
import { adcAll, retrieveByPq, type RetrievalIndex } from './pq-latents.ts';
import { topN } from './top-n.ts';

function index(m: number, k: number, dsub: number, items: number, seed: number): RetrievalIndex {
  const rnd = mulberry32(seed);
  const books = Float32Array.from({ length: m * k * dsub }, () => rnd() - 0.5);
  const codes = Uint8Array.from({ length: items * m }, () => Math.floor(rnd() * k));
  const base = createPqIndex(books, [m, k, dsub], codes, items);
  return { ...base, words: m % 4 === 0 ? new Uint32Array(codes.buffer) : null, hidden: new Uint8Array(items) };
}

describe('ADC over every item', () => {
  for (const [m, k, dsub] of [[32, 256, 4], [16, 256, 8], [8, 256, 16], [6, 16, 3]] as const) {
    it(`m=${m} k=${k}: equals the inner product with the decoded latents`, () => {
      const pq = index(m, k, dsub, 517, m);
      const q = Float32Array.from({ length: m * dsub }, (_, i) => Math.sin(i + m));
      const got = adcAll(pq, q);
      for (let i = 0; i < pq.items; i++) {
        const z = decodeItem(pq, i);
        let dot = 0;
        for (let d = 0; d < z.length; d++) dot += q[d]! * z[d]!;
        expect(got[i]).toBeCloseTo(dot, 5);
      }
    });
  }
});

describe('retrieval with the unrolled kernels (m = 16, 32)', () => {
  for (const m of [32, 16]) {
    it(`m=${m}: the same items in the same order as ADC over every item + top-n, ties, seen and hidden included`, () => {
      const pq = index(m, 256, 128 / m, 3000, 40 + m);
      const q = Float32Array.from({ length: 128 }, (_, i) => Math.sin(3 * i + m));
      const seen = new Set([0, 17, 2999]);
      pq.hidden[5] = 1;
      pq.hidden[1234] = 1;
      const want = topN(adcAll(pq, q), 300, seen, pq.hidden);
      const got = retrieveByPq(pq, q, 300, seen);
      expect(got).toEqual(want);
      expect(got).toHaveLength(300);
      // Ties everywhere: integer-valued codebooks and query, so many items share a score.
      const tied = index(m, 256, 128 / m, 3000, 50 + m);
      for (let i = 0; i < tied.codebooks.length; i++) tied.codebooks[i] = Math.round(tied.codebooks[i]! * 4);
      const qi = Float32Array.from({ length: 128 }, (_, i) => (i % 3) - 1);
      const scores = adcAll(tied, qi);
      expect(new Set(scores).size).toBeLessThan(scores.length / 10);
      expect(retrieveByPq(tied, qi, 300, seen)).toEqual(topN(scores, 300, seen, tied.hidden));
      expect(retrieveByPq(tied, qi, 5000, seen)).toEqual(topN(scores, 5000, seen, tied.hidden));
    });
  }
});

describe('top-n selection', () => {
  it('equals a full sort (ties: lower index first), skipping seen, hidden and NaN items', () => {
    const rnd = mulberry32(3);
    const scores = Float64Array.from({ length: 2000 }, () => Math.round(rnd() * 50)); // many ties
    scores[7] = Number.NaN;
    const hidden = new Uint8Array(2000);
    hidden[11] = 1;
    const seen = new Set([3, 5, 8]);
    const want = [...scores.keys()].filter((i) => !seen.has(i) && !hidden[i] && !Number.isNaN(scores[i])).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, 300);
    expect(topN(scores, 300, seen, hidden)).toEqual(want);
    expect(topN(scores, 5000, new Set(), null).length).toBe(1999);
    // A tie with the weakest kept score that arrives after the selection is full loses to the lower index.
    expect(topN(Float64Array.from([5, 5, 5, 5, 3, 5]), 3, new Set(), null)).toEqual([0, 1, 2]);
    expect(topN(Float64Array.from([1, 2, 3]), 0, new Set(), null)).toEqual([]);
    expect(topN(Float64Array.from([-Infinity, 1, -Infinity]), 5, new Set(), null)).toEqual([1, 0, 2]);
  });

  it('equals a full sort when the candidates are cut back many times (small n, long input, ties)', () => {
    const rnd = mulberry32(5);
    for (const [len, n] of [[5000, 50], [3000, 7], [2000, 1]] as const) {
      const scores = Float64Array.from({ length: len }, () => Math.floor((rnd() * len) / 4));
      const want = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, n);
      expect(topN(scores, n, new Set(), null)).toEqual(want);
    }
  });

  it('retrieveByPq never returns hidden or seen items', () => {
    const pq = index(32, 256, 4, 1000, 9);
    const q = Float32Array.from({ length: 128 }, (_, i) => Math.cos(i));
    const all = retrieveByPq(pq, q, 50, new Set());
    pq.hidden[all[0]!] = 1;
    const again = retrieveByPq(pq, q, 50, new Set([all[1]!]));
    expect(again).not.toContain(all[0]);
    expect(again).not.toContain(all[1]);
    expect(again.slice(0, 48)).toEqual(all.slice(2, 50));
  });
});
