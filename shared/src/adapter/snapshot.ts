// Serialisation of the online adapter state, parsed with zod on the way back (trust boundary: KV):
// the statistics snapshot a published adapter version serves with, and the job checkpoint (optimiser, EMA,
// EWC, replay buffer, statistics with seen event ids, histories) that lets a killed job resume exactly.
// Floats travel as little-endian base64 (shared/src/base64.ts).
import { z } from 'zod';
import { base64ToFloat32, base64ToFloat64, float32ToBase64, float64ToBase64 } from '../base64.ts';
import { WindowStats, type StatsConfig } from './window-stats.ts';

const finiteOrNull = z.number().nullable();

export const StatsConfigSchema = z.object({
  tauShort: z.number().positive(),
  tauLong: z.number().positive(),
  tauCo: z.number().positive(),
  activeHorizon: z.number().positive(),
  recentItems: z.number().int().positive(),
});

export const StatsSnapshot = z.object({
  v: z.literal(1),
  nItems: z.number().int().positive(),
  cfg: StatsConfigSchema,
  ref: finiteOrNull,
  now: finiteOrNull,
  applied: z.number().int().nonnegative(),
  itemShort: z.string(),
  itemLong: z.string(),
  itemLast: z.string(),
  itemTotal: z.string(),
  /** Co-interaction triples flattened: a, b, value, ... */
  co: z.array(z.number()),
  users: z.array(z.tuple([z.string(), z.number(), z.number(), finiteOrNull, z.number().int(), z.array(z.number().int())])),
  /** Seen event ids with their times (only in job checkpoints; serving does not need them). */
  seen: z.array(z.tuple([z.string(), z.number()])).optional(),
});
export type StatsSnapshot = z.infer<typeof StatsSnapshot>;

const nn = (x: number) => (Number.isFinite(x) ? x : null);

export function encodeStats(s: WindowStats, withSeen: boolean): StatsSnapshot {
  const co: number[] = [];
  for (const [a, row] of s.co) for (const [b, v] of row) co.push(a, b, v);
  return {
    v: 1, nItems: s.nItems, cfg: { ...s.cfg }, ref: nn(s.ref), now: nn(s.now), applied: s.applied,
    itemShort: float64ToBase64(s.itemShort), itemLong: float64ToBase64(s.itemLong), itemLast: float64ToBase64(s.itemLast), itemTotal: float64ToBase64(s.itemTotal),
    co,
    users: [...s.users].map(([id, u]) => [id, u.short, u.long, nn(u.last), u.n, u.recent.slice()]),
    seen: withSeen ? [...s.seen] : undefined,
  };
}

export function decodeStats(raw: unknown): WindowStats {
  const p = StatsSnapshot.parse(raw);
  const s = new WindowStats(p.nItems, p.cfg as StatsConfig);
  const arrays: [Float64Array, string][] = [[s.itemShort, p.itemShort], [s.itemLong, p.itemLong], [s.itemLast, p.itemLast], [s.itemTotal, p.itemTotal]];
  for (const [dst, b64] of arrays) {
    const src = base64ToFloat64(b64);
    if (src.length !== p.nItems) throw new Error(`statistics snapshot: array of ${src.length} values for ${p.nItems} items`);
    dst.set(src);
  }
  for (let k = 0; k + 2 < p.co.length; k += 3) {
    let row = s.co.get(p.co[k]!);
    if (!row) s.co.set(p.co[k]!, (row = new Map()));
    row.set(p.co[k + 1]!, p.co[k + 2]!);
  }
  for (const [id, short, long, last, n, recent] of p.users) s.users.set(id, { short, long, last: last ?? Number.NEGATIVE_INFINITY, n, recent });
  for (const [id, ts] of p.seen ?? []) s.seen.set(id, ts);
  s.ref = p.ref ?? Number.NaN;
  s.now = p.now ?? Number.NEGATIVE_INFINITY;
  s.applied = p.applied;
  return s;
}
