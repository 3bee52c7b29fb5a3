// The KV values of product-quantised item latents (serving path: publish writes them, the edge reads them):
// codebooks (float32 centroids, base64) and the uint8 codes in chunks of PQ_CODES_CHUNK items, schema in
// values.ts. Read back into a validated PqIndex (shapes and code range checked: KV is a trust boundary).
import { base64ToBytes, base64ToFloat32, bytesToBase64, float32ToBase64 } from '../base64.ts';
import { createPqIndex, type PqIndex } from '../pq/codebook.ts';
import type { PqCodebooks, PqCodes } from './values.ts';

/** Codebooks + codes split into chunks of `chunk` items. */
export function pqToValues(pq: PqIndex, chunk: number): { codebooks: PqCodebooks; codes: PqCodes[] } {
  const codes: PqCodes[] = [];
  for (let start = 0; start < pq.items; start += chunk) {
    const count = Math.min(chunk, pq.items - start);
    codes.push({ v: 1, m: pq.m, start, count, codes: bytesToBase64(pq.codes.subarray(start * pq.m, (start + count) * pq.m)) });
  }
  return { codebooks: { v: 1, m: pq.m, k: pq.k, dsub: pq.dsub, dim: pq.m * pq.dsub, centroids: float32ToBase64(pq.codebooks) }, codes };
}

/** Reads back what pqToValues wrote (chunks in any order); throws when shapes or codes do not fit. */
export function pqFromValues(codebooks: PqCodebooks, chunks: readonly PqCodes[]): PqIndex {
  if (codebooks.m * codebooks.dsub !== codebooks.dim) throw new Error(`PQ codebooks: ${codebooks.m} x ${codebooks.dsub} does not make dim ${codebooks.dim}`);
  const sorted = [...chunks].sort((a, b) => a.start - b.start);
  const items = sorted.reduce((s, c) => s + c.count, 0);
  const codes = new Uint8Array(items * codebooks.m);
  let next = 0;
  for (const c of sorted) {
    const bytes = base64ToBytes(c.codes);
    if (c.start !== next || c.m !== codebooks.m || bytes.length !== c.count * c.m) throw new Error(`PQ codes chunk at item ${c.start} (${c.count} items) does not continue at item ${next} with ${codebooks.m} codes each`);
    codes.set(bytes, c.start * codebooks.m);
    next += c.count;
  }
  return createPqIndex(base64ToFloat32(codebooks.centroids), [codebooks.m, codebooks.k, codebooks.dsub], codes, items);
}
