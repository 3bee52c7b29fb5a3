// Baseline: item-kNN. Item-item cosine similarity over users' training histories,
// sim(i, j) = |U_i ∩ U_j| / sqrt(|U_i| |U_j|), each item keeping its `neighbors` most similar items; a user's
// score for item j is the sum of sim(h, j) over the items h in the user's input history.
import type { ModelSpec } from './types.ts';

export interface ItemKnnIndex {
  k: number;
  /** [nItems x k] neighbor ids (-1 = none) and similarities. */
  ids: Int32Array;
  sims: Float32Array;
}

/** Build the top-k cosine neighbor lists from (user, item) training pairs (duplicates count once). */
export function buildItemKnn(nUsers: number, nItems: number, user: Int32Array, item: Int32Array, mask: Uint8Array, k: number): ItemKnnIndex {
  // user -> distinct items and item -> distinct users, as CSR
  const seen = new Set<number>();
  const pairsU: number[] = [];
  const pairsI: number[] = [];
  for (let r = 0; r < user.length; r++) {
    if (!mask[r]) continue;
    const key = user[r]! * nItems + item[r]!;
    if (seen.has(key)) continue;
    seen.add(key);
    pairsU.push(user[r]!);
    pairsI.push(item[r]!);
  }
  const csr = (keys: number[], vals: number[], n: number) => {
    const start = new Int32Array(n + 1);
    for (const x of keys) start[x + 1]!++;
    for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, n);
    const v = new Int32Array(keys.length);
    for (let p = 0; p < keys.length; p++) v[fill[keys[p]!]!++] = vals[p]!;
    return { start, v };
  };
  const byUser = csr(pairsU, pairsI, nUsers);
  const byItem = csr(pairsI, pairsU, nItems);
  const deg = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) deg[i] = byItem.start[i + 1]! - byItem.start[i]!;

  const ids = new Int32Array(nItems * k).fill(-1);
  const sims = new Float32Array(nItems * k);
  const acc = new Float64Array(nItems);
  const touched: number[] = [];
  for (let i = 0; i < nItems; i++) {
    touched.length = 0;
    for (let p = byItem.start[i]!; p < byItem.start[i + 1]!; p++) {
      const u = byItem.v[p]!;
      for (let q = byUser.start[u]!; q < byUser.start[u + 1]!; q++) {
        const j = byUser.v[q]!;
        if (j === i) continue;
        if (acc[j] === 0) touched.push(j);
        acc[j]! += 1;
      }
    }
    const cand = touched.map((j) => [j, acc[j]! / Math.sqrt(deg[i]! * deg[j]!)] as const);
    for (const j of touched) acc[j] = 0;
    cand.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    for (let n = 0; n < Math.min(k, cand.length); n++) {
      ids[i * k + n] = cand[n]![0];
      sims[i * k + n] = cand[n]![1];
    }
  }
  return { k, ids, sims };
}

export const model: ModelSpec = {
  name: 'itemknn',
  description: 'item-kNN: cosine item-item similarity over training histories, 100 neighbors per item, summed over the input history',
  create(ctx) {
    const { nUsers, nItems, interactions } = ctx.dataset;
    const t = Date.now();
    const index = buildItemKnn(nUsers, nItems, interactions.user, interactions.item, ctx.trainMask, 100);
    ctx.log(`itemknn: neighbor lists for ${nItems} items in ${((Date.now() - t) / 1000).toFixed(1)}s`);
    const { k, ids, sims } = index;
    return {
      score(req) {
        const out = new Float32Array(req.users.length * nItems);
        for (let b = 0; b < req.users.length; b++) {
          const row = b * nItems;
          for (const h of req.histories[b]!) {
            for (let n = h * k; n < h * k + k; n++) {
              const j = ids[n]!;
              if (j < 0) break;
              out[row + j]! += sims[n]!;
            }
          }
        }
        return out;
      },
    };
  },
};
