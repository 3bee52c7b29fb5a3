// Streaming split for the online (dynamic adapter) experiments: rows in global time order, the first 70% are
// pre-training (-1), the remaining 30% carry the index of their 1-hour window of event time, counted from the first
// streamed event (empty windows are possible: iterate the distinct values in order). Each window is predicted
// before it is learned.
import type { SplitInput } from './loo.ts';

export interface StreamingParams {
  pretrain: number;
  windowSeconds: number;
}

export interface StreamingResult {
  labels: Int32Array;
  /** Event time where window 0 starts. */
  t0: number;
  windows: number;
  nonEmptyWindows: number;
}

export function streamingSplit(ds: SplitInput, p: StreamingParams = { pretrain: 0.7, windowSeconds: 3600 }): StreamingResult {
  const { ts } = ds.interactions;
  const n = ts.length;
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  order.sort((a, b) => ts[a]! - ts[b]! || a - b); // ties: row order (user index, then file order)
  const cut = Math.floor(n * p.pretrain);
  const labels = new Int32Array(n).fill(-1);
  const t0 = cut < n ? ts[order[cut]!]! : 0;
  const seen = new Set<number>();
  let windows = 0;
  for (let k = cut; k < n; k++) {
    const w = Math.floor((ts[order[k]!]! - t0) / p.windowSeconds);
    labels[order[k]!] = w;
    seen.add(w);
    windows = w + 1;
  }
  return { labels, t0, windows, nonEmptyWindows: seen.size };
}
