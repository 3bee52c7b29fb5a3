// Product quantisation training (offline path, and publish of a bundle without an offline PQ): per sub-space
// k-means (k-means++ seeding, Lloyd iterations), one uint8 code per sub-space — the same algorithm as
// training/llmrec_train/pq.py. Seeded, so the same latents always give the same codes (idempotent publish).
// Decoding and scoring are codebook.ts / adc.ts; the KV encoding is kv/pq-values.ts. Runtime-neutral.
import { mulberry32 } from '../rng.ts';
import type { PqIndex } from './codebook.ts';

/** Picks m: the largest of 16, 8, 4, 2, 1 dividing dim with at least 2 dims per sub-space. */
export function defaultSubspaces(dim: number): number {
  for (const m of [16, 8, 4, 2, 1]) if (dim % m === 0 && dim / m >= 2) return m;
  return 1;
}

export function trainPq(x: Float32Array, dim: number, opts: { m?: number; k?: number; iters?: number; seed?: number } = {}): PqIndex {
  const n = x.length / dim;
  if (!Number.isInteger(n) || n === 0) throw new Error(`latents of length ${x.length} are not n x ${dim}`);
  const m = opts.m ?? defaultSubspaces(dim);
  if (dim % m !== 0) throw new Error(`dim ${dim} not divisible by ${m} sub-spaces`);
  const k = Math.min(opts.k ?? 256, 256);
  const dsub = dim / m;
  const iters = opts.iters ?? 15;
  // Seeded so the same latents always give the same codes (idempotent publish).
  const rand = mulberry32(opts.seed ?? 0);
  const centroids = new Float32Array(m * k * dsub);
  const codes = new Uint8Array(n * m);
  const sub = new Float64Array(n * dsub);
  const c = new Float64Array(k * dsub);
  const assign = new Int32Array(n);
  const best = new Float64Array(n);
  const dist2 = (i: number, j: number) => {
    let s = 0;
    for (let d = 0; d < dsub; d++) {
      const v = sub[i * dsub + d]! - c[j * dsub + d]!;
      s += v * v;
    }
    return s;
  };
  const assignAll = (kk: number) => {
    for (let i = 0; i < n; i++) {
      let bj = 0;
      let bd = Infinity;
      for (let j = 0; j < kk; j++) {
        const d = dist2(i, j);
        if (d < bd) [bd, bj] = [d, j];
      }
      assign[i] = bj;
      best[i] = bd;
    }
  };
  for (let s = 0; s < m; s++) {
    for (let i = 0; i < n; i++) for (let d = 0; d < dsub; d++) sub[i * dsub + d] = x[i * dim + s * dsub + d]!;
    const kk = Math.min(k, n);
    // k-means++ seeding.
    const first = Math.floor(rand() * n);
    for (let d = 0; d < dsub; d++) c[d] = sub[first * dsub + d]!;
    for (let i = 0; i < n; i++) best[i] = dist2(i, 0);
    for (let j = 1; j < kk; j++) {
      let total = 0;
      for (let i = 0; i < n; i++) total += best[i]!;
      let pick = 0;
      if (total > 0) {
        let r = rand() * total;
        for (pick = 0; pick < n - 1 && (r -= best[pick]!) > 0; pick++);
      } else pick = Math.floor(rand() * n);
      for (let d = 0; d < dsub; d++) c[j * dsub + d] = sub[pick * dsub + d]!;
      for (let i = 0; i < n; i++) best[i] = Math.min(best[i]!, dist2(i, j));
    }
    // Lloyd iterations; an empty cluster takes the worst-served point.
    const sums = new Float64Array(kk * dsub);
    const counts = new Int32Array(kk);
    for (let it = 0; it < iters; it++) {
      assignAll(kk);
      sums.fill(0);
      counts.fill(0);
      for (let i = 0; i < n; i++) {
        counts[assign[i]!]!++;
        for (let d = 0; d < dsub; d++) sums[assign[i]! * dsub + d]! += sub[i * dsub + d]!;
      }
      for (let j = 0; j < kk; j++) {
        if (counts[j]! > 0) for (let d = 0; d < dsub; d++) c[j * dsub + d] = sums[j * dsub + d]! / counts[j]!;
        else {
          let worst = 0;
          for (let i = 1; i < n; i++) if (best[i]! > best[worst]!) worst = i;
          for (let d = 0; d < dsub; d++) c[j * dsub + d] = sub[worst * dsub + d]!;
          best[worst] = 0;
        }
      }
    }
    assignAll(kk);
    for (let j = 0; j < k; j++) for (let d = 0; d < dsub; d++) centroids[(s * k + j) * dsub + d] = c[(j < kk ? j : 0) * dsub + d]!;
    for (let i = 0; i < n; i++) codes[i * m + s] = assign[i]!;
  }
  return { m, k, dsub, items: n, codebooks: centroids, codes };
}
