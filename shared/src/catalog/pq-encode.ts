// PQ-encodes a new item's joint latent with the published codebooks (issue 11: an item embedded by the content
// tower joins the catalog's PQ codes without retraining them): per sub-space, the nearest centroid in L2, the
// rule the codebooks were trained with (k-means) and publish used for every other item. Runtime-neutral.
export interface Codebooks {
  m: number;
  k: number;
  dsub: number;
  /** float32 [m, k, dsub]. */
  centroids: Float32Array;
}

export function pqEncode(books: Codebooks, z: ArrayLike<number>, out = new Uint8Array(books.m)): Uint8Array {
  const { m, k, dsub, centroids } = books;
  if (z.length !== m * dsub) throw new Error(`latent has ${z.length} dims, the codebooks ${m * dsub}`);
  for (let s = 0; s < m; s++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      const b = (s * k + c) * dsub;
      let d = 0;
      for (let j = 0; j < dsub; j++) {
        const v = z[s * dsub + j]! - centroids[b + j]!;
        d += v * v;
      }
      if (d < bestD) [bestD, best] = [d, c];
    }
    out[s] = best;
  }
  return out;
}
