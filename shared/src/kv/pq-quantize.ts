// Product quantisation of the joint item latents for KV storage (request path: the edge reads PQ codes and
// codebooks from KV and decodes them in pure TypeScript). Used by publish when a serving bundle carries
// full-precision latents only (e.g. the baseline bundle); the same algorithm as training/llmrec_train/pq.py:
// per sub-space k-means (k-means++ seeding, Lloyd iterations), one uint8 code per sub-space. Runtime-neutral.
import { mulberry32 } from '../rng.ts';
import type { PqCodebooks, PqCodes } from './values.ts';

export interface PqModel {
  m: number;
  k: number;
  dsub: number;
  dim: number;
  /** [m, k, dsub] row-major. */
  centroids: Float32Array;
  /** [n, m] row-major. */
  codes: Uint8Array;
}

/** Picks m: the largest of 16, 8, 4, 2, 1 dividing dim with at least 2 dims per sub-space. */
export function defaultSubspaces(dim: number): number {
  for (const m of [16, 8, 4, 2, 1]) if (dim % m === 0 && dim / m >= 2) return m;
  return 1;
}

export function trainPq(x: Float32Array, dim: number, opts: { m?: number; k?: number; iters?: number; seed?: number } = {}): PqModel {
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
  return { m, k, dsub, dim, centroids, codes };
}

/** Reconstructs the latents of items [0, n) from their codes. */
export function pqDecode(pq: Pick<PqModel, 'm' | 'k' | 'dsub' | 'centroids'>, codes: Uint8Array): Float32Array {
  const n = codes.length / pq.m;
  const out = new Float32Array(n * pq.m * pq.dsub);
  for (let i = 0; i < n; i++) for (let s = 0; s < pq.m; s++) out.set(pq.centroids.subarray((s * pq.k + codes[i * pq.m + s]!) * pq.dsub, (s * pq.k + codes[i * pq.m + s]! + 1) * pq.dsub), (i * pq.m + s) * pq.dsub);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Float32 (little-endian, as stored in KV) <-> base64. */
export function float32ToBase64(a: Float32Array): string {
  const le = new Uint8Array(a.length * 4);
  const view = new DataView(le.buffer);
  a.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytesToBase64(le);
}

export function base64ToFloat32(b64: string): Float32Array {
  const bytes = base64ToBytes(b64);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** The KV values of a PQ model: codebooks + codes split into chunks of `chunk` items. */
export function pqToValues(pq: PqModel, chunk: number): { codebooks: PqCodebooks; codes: PqCodes[] } {
  const n = pq.codes.length / pq.m;
  const codes: PqCodes[] = [];
  for (let start = 0; start < n; start += chunk) {
    const count = Math.min(chunk, n - start);
    codes.push({ v: 1, m: pq.m, start, count, codes: bytesToBase64(pq.codes.subarray(start * pq.m, (start + count) * pq.m)) });
  }
  return { codebooks: { v: 1, m: pq.m, k: pq.k, dsub: pq.dsub, dim: pq.dim, centroids: float32ToBase64(pq.centroids) }, codes };
}

/** Reads back what pqToValues wrote: centroids and the codes of all items, in index order. */
export function pqFromValues(codebooks: PqCodebooks, chunks: readonly PqCodes[]): PqModel {
  const sorted = [...chunks].sort((a, b) => a.start - b.start);
  const n = sorted.reduce((s, c) => s + c.count, 0);
  const codes = new Uint8Array(n * codebooks.m);
  for (const c of sorted) codes.set(base64ToBytes(c.codes), c.start * codebooks.m);
  return { m: codebooks.m, k: codebooks.k, dsub: codebooks.dsub, dim: codebooks.dim, centroids: base64ToFloat32(codebooks.centroids), codes };
}
