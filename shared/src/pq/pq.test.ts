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

  it('refuses every inconsistent shape, naming it (a malformed KV value must not decode to garbage)', () => {
    const ok = () => createPqIndex(new Float32Array(2 * 3 * 4), [2, 3, 4], Uint8Array.from([0, 1, 2, 0]), 2);
    expect(ok().items).toBe(2);
    expect(() => createPqIndex(new Float32Array(24), [2, 3, 4, 1], Uint8Array.from([0, 1, 2, 0]), 2)).toThrow(/must be \[m, k, dsub\], got \[2, 3, 4, 1\]/);
    expect(() => createPqIndex(new Float32Array(257 * 2), [1, 257, 2], Uint8Array.from([0]), 1)).toThrow(/k=257 does not fit uint8/);
    expect(() => createPqIndex(new Float32Array(2 * 3 * 4 + 1), [2, 3, 4], Uint8Array.from([0, 1, 2, 0]), 2)).toThrow(/25 values, shape needs 24/);
    expect(() => createPqIndex(new Float32Array(24), [2, 3, 4], Uint8Array.from([0, 1, 2]), 2)).toThrow(/3 bytes, need 2 x 2/);
    expect(() => createPqIndex(new Float32Array(24), [2, 3, 4], Uint8Array.from([0, 1, 2, 3]), 2)).toThrow(/code 3 at 3 is >= k=3/);
    // A query of the wrong length (dsub > 1, so m * dsub differs from m / dsub and m + dsub).
    expect(() => adcScores(ok(), new Array(7).fill(0))).toThrow(/query has 7 dims, PQ expects 8/);
    expect(() => adcScores(ok(), new Array(8).fill(0))).not.toThrow();
  });

  it('top-n: ties go to the lower index; asking for more than there are returns every item once', () => {
    // Every item decodes to the same vector: all scores tie.
    const pq = createPqIndex(Float32Array.from([1, 1]), [1, 1, 2], new Uint8Array(6), 6);
    expect(adcTopN(pq, [1, 2], 3).map((r) => r.item)).toEqual([0, 1, 2]);
    const all = adcTopN(pq, [1, 2], 10, new Set([4]));
    expect(all.map((r) => r.item)).toEqual([0, 1, 2, 3, 5]);
    expect(all.every((r) => r.score === 3)).toBe(true);
  });
});
