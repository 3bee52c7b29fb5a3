// Test helper: a small synthetic stream in the canonical dataset layout the streaming runner reads (rows grouped
// by user, in time order within a user; streaming labels: -1 pre-training, else the 1-hour window).
import type { Dataset } from '@llmrec/data/index.ts';

export interface SyntheticStream {
  data: Pick<Dataset, 'interactions' | 'userStart' | 'nItems'>;
  labels: Int32Array;
}

/** Rows (user, item, ts, label) in any order -> the canonical layout (sorted by user, then time, then input order). */
export function syntheticStream(nItems: number, user: Int32Array, item: Int32Array, ts: Float64Array, labels: Int32Array): SyntheticStream {
  const n = user.length;
  const order = Array.from({ length: n }, (_, r) => r).sort((a, b) => user[a]! - user[b]! || ts[a]! - ts[b]! || a - b);
  const nUsers = Math.max(...user) + 1;
  const userStart = new Int32Array(nUsers + 1);
  for (const u of user) userStart[u + 1]!++;
  for (let u = 0; u < nUsers; u++) userStart[u + 1]! += userStart[u]!;
  const pick = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
    const out = make(n);
    order.forEach((r, k) => (out[k] = a[r]!));
    return out;
  };
  return {
    data: {
      interactions: { user: pick(user, (k) => new Int32Array(k)), item: pick(item, (k) => new Int32Array(k)), ts: pick(ts, (k) => new Float64Array(k)), rating: new Float32Array(n) },
      userStart,
      nItems,
    },
    labels: pick(labels, (k) => new Int32Array(k)),
  };
}
