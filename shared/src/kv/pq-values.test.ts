import { describe, expect, it } from 'vitest';
import { base64ToFloat32, bytesToBase64, float32ToBase64 } from '../base64.ts';
import { decodeAll } from '../pq/codebook.ts';
import { trainPq } from '../pq/train.ts';
import { pqFromValues, pqToValues } from './pq-values.ts';
import { PqCodebooks, PqCodes } from './values.ts';

function clustered(n: number, dim: number, clusters: number, seed = 1): Float32Array {
  let s = seed;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dim }, () => r() * 3));
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) x[i * dim + d] = centres[i % clusters]![d]! + 0.05 * r();
  return x;
}

const mse = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / a.length;
const variance = (a: Float32Array) => {
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  return a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
};

describe('product quantisation: k-means training (pq/train.ts) and the KV values (kv/pq-values.ts)', () => {
  it('reconstructs clustered latents closely and is deterministic', () => {
    const x = clustered(600, 32, 40);
    const pq = trainPq(x, 32, { k: 64 });
    expect(pq.m).toBe(16);
    const err = mse(x, decodeAll(pq));
    expect(err / variance(x)).toBeLessThan(0.01);
    expect(trainPq(x, 32, { k: 64 }).codes).toEqual(pq.codes);
  });

  it('handles fewer items than centroids (every code still decodes)', () => {
    const x = clustered(10, 8, 3);
    const pq = trainPq(x, 8, { m: 4 });
    expect(pq.k).toBe(256);
    expect(Math.max(...pq.codes)).toBeLessThan(10);
    expect(mse(x, decodeAll(pq))).toBeLessThan(1e-3);
  });

  it('round-trips through the KV values (base64, chunks) exactly', () => {
    const x = clustered(300, 16, 10);
    const pq = trainPq(x, 16, { k: 32, iters: 5 });
    const v = pqToValues(pq, 128);
    expect(v.codes.map((c) => c.count)).toEqual([128, 128, 44]);
    const back = pqFromValues(PqCodebooks.parse(JSON.parse(JSON.stringify(v.codebooks))), v.codes.map((c) => PqCodes.parse(c)).reverse());
    expect(back.codes).toEqual(pq.codes);
    expect(back.codebooks).toEqual(pq.codebooks);
    const f = new Float32Array([1.5, -0, Number.MAX_VALUE, 1e-30]);
    expect(base64ToFloat32(float32ToBase64(f))).toEqual(f);
  });
});

describe('pqFromValues refuses values that do not fit (KV is a trust boundary)', () => {
  const pq = trainPq(clustered(40, 8, 4), 8, { m: 4, k: 8, iters: 2 });
  const v = pqToValues(pq, 16);
  it('a missing chunk, a chunk of the wrong size, a code >= k, a codebook of the wrong shape', () => {
    expect(() => pqFromValues(v.codebooks, [v.codes[0]!, v.codes[2]!])).toThrow(/does not continue at item 16/);
    expect(() => pqFromValues(v.codebooks, [{ ...v.codes[0]!, count: 15 }, ...v.codes.slice(1)])).toThrow(/does not continue/);
    const bad = Uint8Array.from([9, 0, 0, 0]);
    expect(() => pqFromValues(v.codebooks, [{ v: 1, m: 4, start: 0, count: 1, codes: bytesToBase64(bad) }])).toThrow(/code 9 .* >= k=8/);
    expect(() => pqFromValues({ ...v.codebooks, dsub: 3 }, v.codes)).toThrow(/does not make dim 8/);
    expect(pqFromValues(v.codebooks, [...v.codes].reverse()).items).toBe(40);
  });
});
