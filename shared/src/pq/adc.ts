// Asymmetric distance computation over PQ codes: the user latent z_u stays float, items stay coded. One lookup
// table of z_u . centroid per (sub-space, centroid), then each item's score is m table lookups — the
// inner-product ranking z_u . z_i of the base aligner, computed at the edge without decoding.
import type { PqIndex } from './codebook.ts';

/** Inner products of query sub-vectors with every centroid: float32 [m, k]. */
export function adcTable(pq: PqIndex, query: ArrayLike<number>): Float32Array {
  const { m, k, dsub, codebooks } = pq;
  if (query.length !== m * dsub) throw new Error(`query has ${query.length} dims, PQ expects ${m * dsub}`);
  const t = new Float32Array(m * k);
  for (let s = 0; s < m; s++) {
    for (let c = 0; c < k; c++) {
      const base = (s * k + c) * dsub;
      let acc = 0;
      for (let j = 0; j < dsub; j++) acc += query[s * dsub + j]! * codebooks[base + j]!;
      t[s * k + c] = acc;
    }
  }
  return t;
}

/** Approximate z_u . z_i for every item (or into `out`). */
export function adcScores(pq: PqIndex, query: ArrayLike<number>, out = new Float32Array(pq.items)): Float32Array {
  const { m, k, codes, items } = pq;
  const t = adcTable(pq, query);
  for (let i = 0; i < items; i++) {
    let acc = 0;
    const row = i * m;
    for (let s = 0; s < m; s++) acc += t[s * k + codes[row + s]!]!;
    out[i] = acc;
  }
  return out;
}

/** Top-n items by ADC score, excluding `exclude`; ties broken by lower index. */
export function adcTopN(pq: PqIndex, query: ArrayLike<number>, n: number, exclude: ReadonlySet<number> = new Set()): { item: number; score: number }[] {
  const scores = adcScores(pq, query);
  const idx: number[] = [];
  for (let i = 0; i < pq.items; i++) if (!exclude.has(i)) idx.push(i);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx.slice(0, n).map((item) => ({ item, score: scores[item]! }));
}
