// Consumer-group bookkeeping shared by the memory and SQLite event logs, mirroring what Redis Streams does
// with XREADGROUP + XAUTOCLAIM: own pending first (redelivery), then stale pending of others, then new events.
// Part 5 of the serving design (durable events, at-least-once delivery to the adapter job).

export interface PendingEntry {
  consumer: string;
  deliveredAt: number;
}

export interface GroupState {
  /** Absolute index (0-based, seq - 1; stable across trimming) of the first event never delivered to this group. */
  next: number;
  /** Delivered but unacked events, by 0-based index. */
  pending: Map<number, PendingEntry>;
}

/** Chooses which event indices to hand to `consumer` and updates the group state; `logLength` counts trimmed events too. */
export function pickDeliveries(g: GroupState, consumer: string, count: number, logLength: number, now: number, claimIdleMs: number): number[] {
  const out: number[] = [];
  if (count <= 0) return out;
  const pendingSorted = [...g.pending.entries()].sort((a, b) => a[0] - b[0]);
  for (const [i, p] of pendingSorted) {
    if (out.length >= count) break;
    if (p.consumer === consumer) out.push(i);
  }
  for (const [i, p] of pendingSorted) {
    if (out.length >= count) break;
    if (p.consumer !== consumer && now - p.deliveredAt >= claimIdleMs) out.push(i);
  }
  while (out.length < count && g.next < logLength) out.push(g.next++);
  for (const i of out) g.pending.set(i, { consumer, deliveredAt: now });
  return out;
}
