// Product-quantized item latents (serving-time compression of the joint item latents z_i; read at the edge):
// validated shapes, decoding of codes back to vectors. Trained offline by training/llmrec_train/pq.py.
export interface PqIndex {
  /** Sub-spaces. */
  m: number;
  /** Centroids per sub-space (<= 256: codes are uint8). */
  k: number;
  /** Dimensions per sub-space. */
  dsub: number;
  items: number;
  /** float32 [m, k, dsub], row-major. */
  codebooks: Float32Array;
  /** uint8 [items, m], row-major. */
  codes: Uint8Array;
}

export function createPqIndex(codebooks: Float32Array, codebookShape: readonly number[], codes: Uint8Array, items: number): PqIndex {
  if (codebookShape.length !== 3) throw new Error(`PQ codebooks must be [m, k, dsub], got [${codebookShape.join(', ')}]`);
  const [m, k, dsub] = codebookShape as [number, number, number];
  if (k > 256) throw new Error(`PQ with k=${k} does not fit uint8 codes`);
  if (codebooks.length !== m * k * dsub) throw new Error(`PQ codebooks have ${codebooks.length} values, shape needs ${m * k * dsub}`);
  if (codes.length !== items * m) throw new Error(`PQ codes have ${codes.length} bytes, need ${items} x ${m}`);
  for (let i = 0; i < codes.length; i++) if (codes[i]! >= k) throw new Error(`PQ code ${codes[i]} at ${i} is >= k=${k}`);
  return { m, k, dsub, items, codebooks, codes };
}

/** Reconstructed vector of one item (length m * dsub). */
export function decodeItem(pq: PqIndex, item: number, out = new Float32Array(pq.m * pq.dsub)): Float32Array {
  const { m, k, dsub, codes, codebooks } = pq;
  for (let s = 0; s < m; s++) {
    const c = codes[item * m + s]!;
    const base = (s * k + c) * dsub;
    for (let j = 0; j < dsub; j++) out[s * dsub + j] = codebooks[base + j]!;
  }
  return out;
}

/** All items decoded, row-major [items, m * dsub] (publish writes the decoded latents of the live overlay). */
export function decodeAll(pq: PqIndex): Float32Array {
  const dim = pq.m * pq.dsub;
  const out = new Float32Array(pq.items * dim);
  for (let i = 0; i < pq.items; i++) decodeItem(pq, i, out.subarray(i * dim, (i + 1) * dim));
  return out;
}

/** Bytes of the codes alone and with codebooks, vs float32 latents of the same shape. */
export function compression(pq: PqIndex): { floatBytes: number; codeBytes: number; codebookBytes: number; ratioCodes: number; ratioWithCodebooks: number } {
  const floatBytes = pq.items * pq.m * pq.dsub * 4;
  const codeBytes = pq.codes.byteLength;
  const codebookBytes = pq.codebooks.byteLength;
  return { floatBytes, codeBytes, codebookBytes, ratioCodes: floatBytes / codeBytes, ratioWithCodebooks: floatBytes / (codeBytes + codebookBytes) };
}
