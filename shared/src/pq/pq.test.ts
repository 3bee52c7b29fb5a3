import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adcScores, adcTopN, compression, createPqIndex, decodeItem } from './index.ts';

function randomIndex(seed: number, m: number, k: number, dsub: number, items: number) {
  let s = seed >>> 0 || 1;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const books = Float32Array.from({ length: m * k * dsub }, rnd);
  const codes = Uint8Array.from({ length: items * m }, () => Math.floor(((rnd() + 1) / 2) * k) % k);
  return createPqIndex(books, [m, k, dsub], codes, items);
}

describe('PQ decode + ADC', () => {
  it('decodes codes to the chosen centroids', () => {
    const books = Float32Array.from([/* s0 */ 1, 2, 3, 4, /* s1 */ 5, 6, 7, 8]); // m=2, k=2, dsub=2
    const pq = createPqIndex(books, [2, 2, 2], Uint8Array.from([1, 0, 0, 1]), 2);
    expect(Array.from(decodeItem(pq, 0))).toEqual([3, 4, 5, 6]);
    expect(Array.from(decodeItem(pq, 1))).toEqual([1, 2, 7, 8]);
  });

  it('ADC scores equal the inner product with the decoded vectors', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 5 }), (seed, m, k, dsub) => {
        const pq = randomIndex(seed, m, k, dsub, 23);
        const q = Array.from({ length: m * dsub }, (_, i) => Math.sin(seed + i));
        const scores = adcScores(pq, q);
        for (let i = 0; i < 23; i++) {
          const dec = decodeItem(pq, i);
          let dot = 0;
          for (let j = 0; j < m * dsub; j++) dot += q[j]! * dec[j]!;
          expect(scores[i]).toBeCloseTo(dot, 4);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('top-n ranks by score and skips excluded items', () => {
    const pq = randomIndex(7, 4, 8, 2, 50);
    const q = Array.from({ length: 8 }, (_, i) => i - 3);
    const s = adcScores(pq, q);
    const best = [...s.keys()].sort((a, b) => s[b]! - s[a]! || a - b);
    expect(adcTopN(pq, q, 5).map((r) => r.item)).toEqual(best.slice(0, 5));
    expect(adcTopN(pq, q, 5, new Set([best[0]!])).map((r) => r.item)).toEqual(best.slice(1, 6));
  });

  it('reports compression and rejects inconsistent inputs', () => {
    const pq = randomIndex(3, 16, 256, 8, 1000);
    const c = compression(pq);
    expect(c.ratioCodes).toBe(32);
    expect(c.ratioWithCodebooks).toBeCloseTo((1000 * 128 * 4) / (16000 + 16 * 256 * 8 * 4), 6);
    expect(() => createPqIndex(new Float32Array(8), [2, 2, 2], Uint8Array.from([0, 2]), 1)).toThrow(/>= k/);
    expect(() => createPqIndex(new Float32Array(7), [2, 2, 2], Uint8Array.from([0, 1]), 1)).toThrow(/codebooks/);
    expect(() => adcScores(pq, [1, 2])).toThrow(/dims/);
  });
});
