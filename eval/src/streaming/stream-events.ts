// The interactions of a streaming split as time-ordered events (pre-training first): what the fallback base
// trains on, what the trained base precomputes z_u for, and what the adapter benchmark and job tools replay.
// The streaming evaluation itself runs through eval/src/streaming.ts (the one streaming runner).

export interface StreamEvent {
  row: number;
  user: number;
  item: number;
  ts: number;
  /** Window index, or -1 for pre-training. */
  window: number;
}

/** Events sorted by time (ties by row), pre-training first. */
export function streamEvents(user: Int32Array, item: Int32Array, ts: Float64Array, labels: Int32Array): StreamEvent[] {
  const ev: StreamEvent[] = [];
  for (let r = 0; r < labels.length; r++) ev.push({ row: r, user: user[r]!, item: item[r]!, ts: ts[r]!, window: labels[r]! });
  ev.sort((a, b) => a.ts - b.ts || a.row - b.row);
  return ev;
}
