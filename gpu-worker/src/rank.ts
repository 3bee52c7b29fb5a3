// Ranking by latents (the CF score of the method, z_u . z_i): dot products over the candidate set (or every
// item), seen items excluded, top-k by a bounded selection (no full sort of the catalog).
import type { ScoredIndex } from '@llmrec/shared/api/wire.ts';

export function rankByLatents(
  zu: Float32Array,
  zuOffset: number,
  itemLatents: Float32Array,
  dim: number,
  candidates: readonly number[] | null,
  exclude: ReadonlySet<number>,
  k: number,
): ScoredIndex[] {
  const n = itemLatents.length / dim;
  const top: ScoredIndex[] = [];
  const consider = (idx: number) => {
    if (exclude.has(idx)) return;
    let s = 0;
    const base = idx * dim;
    for (let d = 0; d < dim; d++) s += zu[zuOffset + d]! * itemLatents[base + d]!;
    if (top.length < k) {
      top.push({ idx, score: s });
      if (top.length === k) top.sort(byScore);
    } else if (s > top[k - 1]!.score || (s === top[k - 1]!.score && idx < top[k - 1]!.idx)) {
      // Insert keeping order (k is small: linear insertion beats a heap here).
      let i = k - 1;
      while (i > 0 && byScore({ idx, score: s }, top[i - 1]!) < 0) i--;
      top.splice(i, 0, { idx, score: s });
      top.pop();
    }
  };
  if (candidates) {
    for (const idx of candidates) if (idx >= 0 && idx < n) consider(idx);
  } else {
    for (let idx = 0; idx < n; idx++) consider(idx);
  }
  if (top.length < k) top.sort(byScore);
  return top;
}

function byScore(a: ScoredIndex, b: ScoredIndex): number {
  return b.score - a.score || a.idx - b.idx;
}

/** Top-k from precomputed scores of every item (the dynamic path), same candidate/exclude/tie rules. */
export function rankFromScores(scores: Float32Array, candidates: readonly number[] | null, exclude: ReadonlySet<number>, k: number): ScoredIndex[] {
  const pool: number[] = [];
  if (candidates) {
    for (const idx of candidates) if (idx >= 0 && idx < scores.length && !exclude.has(idx)) pool.push(idx);
  } else {
    for (let idx = 0; idx < scores.length; idx++) if (!exclude.has(idx)) pool.push(idx);
  }
  const top = pool.map((idx) => ({ idx, score: scores[idx]! }));
  top.sort(byScore);
  return top.slice(0, k);
}
