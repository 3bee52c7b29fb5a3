import { describe, expect, it } from 'vitest';
import { adapterBackward, adapterForward, adapterLayout, AdapterScratch, initAdapter, mulberry32 } from './gated-adapter.ts';

const shape = { dim: 5, statDim: 3, gateDim: 2, hidden: 7 };

function randomVec(n: number, rnd: () => number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
}

describe('gated adapter (Eq. 1)', () => {
  it('is the identity when freshly initialised (last layer zero)', () => {
    const L = adapterLayout(shape);
    const p = initAdapter(L, 3);
    const rnd = mulberry32(1);
    const z = randomVec(5, rnd);
    const out = new Float32Array(5);
    const g = adapterForward(p, L, z, 0, randomVec(3, rnd), 0, randomVec(2, rnd), 0, 1, new AdapterScratch(L), out);
    expect(g).toBeGreaterThan(0);
    expect(Array.from(out)).toEqual(Array.from(z));
  });

  it('closes the gate exactly when the mask is 0, and mostly when the log-count is 0', () => {
    const L = adapterLayout(shape);
    const p = initAdapter(L, 3);
    const sc = new AdapterScratch(L);
    const out = new Float32Array(5);
    const z = new Float32Array(5).fill(1);
    expect(adapterForward(p, L, z, 0, [0, 0, 0], 0, [0, 0], 0, 0, sc, out)).toBe(0);
    const thin = adapterForward(p, L, z, 0, [0, 0, 0], 0, [0, 0], 0, 1, sc, out);
    const rich = adapterForward(p, L, z, 0, [0, 0, 0], 0, [Math.log1p(50), 0], 0, 1, sc, out);
    expect(thin).toBeLessThan(0.06);
    expect(rich).toBeGreaterThan(0.6);
  });

  it('backward matches central finite differences for every parameter group', () => {
    const L = adapterLayout(shape);
    const rnd = mulberry32(42);
    const p = randomVec(L.size, rnd, 0.5); // non-zero last layer so every path carries gradient
    const z = randomVec(5, rnd);
    const s = randomVec(3, rnd);
    const f = randomVec(2, rnd);
    const w = randomVec(5, rnd); // loss = w . out
    const sc = new AdapterScratch(L);
    const out = new Float32Array(5);
    const loss = (q: Float32Array) => {
      adapterForward(q, L, z, 0, s, 0, f, 0, 1, sc, out);
      let l = 0;
      for (let d = 0; d < 5; d++) l += w[d]! * out[d]!;
      return l;
    };
    loss(p);
    const grad = new Float32Array(L.size);
    adapterBackward(p, L, f, 0, 1, w, sc, grad);
    const p64 = Float64Array.from(p);
    let maxErr = 0;
    for (let k = 0; k < L.size; k++) {
      const h = 1e-2;
      const q = Float32Array.from(p64);
      q[k] = p64[k]! + h;
      const lp = loss(q);
      q[k] = p64[k]! - h;
      const lm = loss(q);
      const num = (lp - lm) / (2 * h);
      maxErr = Math.max(maxErr, Math.abs(num - grad[k]!) / Math.max(1, Math.abs(num)));
    }
    expect(maxErr).toBeLessThan(2e-3);
    // Gate gradient is non-trivial (not all zero).
    expect(Math.abs(grad[L.bg]!)).toBeGreaterThan(1e-4);
  });
});

describe('Eq. 1 forward against a hand-written formula (independent of the layout arithmetic)', () => {
  it('z_t = z + sigmoid(w_g . f + b_g) * (W2 relu(W1 [z ; s] + b1) + b2), bias coordinate g * a[D] on the item side', () => {
    const shape = { dim: 3, statDim: 2, gateDim: 2, hidden: 4, biasOut: true };
    const L = adapterLayout(shape);
    const rnd = mulberry32(12);
    const p = Float32Array.from({ length: L.size }, () => rnd() - 0.5);
    const z = Array.from(Float32Array.from([0.3, -1.2, 0.8]));
    const s = Array.from(Float32Array.from([1.5, -0.4]));
    const f = Array.from(Float32Array.from([0.7, 2.0]));
    // The formula, with weights read by their documented row-major shapes.
    const x = [...z, ...s];
    const W1 = (j: number, k: number) => p[L.w1 + j * 5 + k]!;
    const W2 = (d: number, j: number) => p[L.w2 + d * 4 + j]!;
    const h = [0, 1, 2, 3].map((j) => Math.max(0, x.reduce((acc, xk, k) => acc + W1(j, k) * xk, p[L.b1 + j]!)));
    const a = [0, 1, 2, 3].map((d) => h.reduce((acc, hj, j) => acc + W2(d, j) * hj, p[L.b2 + d]!));
    const g = 1 / (1 + Math.exp(-(p[L.bg]! + p[L.wg]! * f[0]! + p[L.wg + 1]! * f[1]!)));
    expect(h.some((v) => v === 0) && h.some((v) => v > 0)).toBe(true); // both ReLU sides are exercised
    const sc = new AdapterScratch(L);
    const out = new Float32Array(4);
    const gOut = adapterForward(p, L, z, 0, s, 0, f, 0, 1, sc, out);
    expect(gOut).toBeCloseTo(g, 6);
    for (let d = 0; d < 3; d++) expect(out[d]).toBeCloseTo(z[d]! + g * a[d]!, 5);
    expect(out[3]).toBeCloseTo(g * a[3]!, 5);
    // Offsets into larger arrays are honoured, and a zero mask gives the base latent exactly.
    const zz = new Float32Array([9, 9, ...z]);
    const ss = new Float32Array([9, ...s]);
    const ff = new Float32Array([9, 9, 9, ...f]);
    const out2 = new Float32Array(4);
    adapterForward(p, L, zz, 2, ss, 1, ff, 3, 1, sc, out2);
    expect(Array.from(out2)).toEqual(Array.from(out));
    expect(adapterForward(p, L, z, 0, s, 0, f, 0, 0, sc, out2)).toBe(0);
    expect(Array.from(out2.subarray(0, 3))).toEqual(z);
    expect(out2[3]).toBe(0);
  });
});
