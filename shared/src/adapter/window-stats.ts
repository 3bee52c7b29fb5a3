// Sliding-window statistics s_{i,t} of the dynamic latent (paper Eq. 1): per item a short and a long
// exponentially decayed count (popularity trend = recent vs longer average), the time of its last interaction
// (recency), and decayed co-interaction counts between items consumed by the same user close in time
// (read against a user's recent items at scoring time). Per user the same counts over the user's own events.
// Applying an event is idempotent by event id, so at-least-once delivery never counts an event twice.
// Decay uses a rolling reference time: a stored value v means v * exp(-(t - ref) / tau) at time t, so an
// update is O(1) and nothing is touched for items without events.

export interface StatsConfig {
  /** Short decay constant (s): "recent windows". */
  tauShort: number;
  /** Long decay constant (s): "longer average". */
  tauLong: number;
  /** Decay constant of co-interaction counts (s). */
  tauCo: number;
  /** Entities with no event within this horizon (s) get gate mask 0 (thin statistics). */
  activeHorizon: number;
  /** How many of a user's latest items count as "recent" for co-interactions. */
  recentItems: number;
}

export const defaultStatsConfig: StatsConfig = {
  tauShort: 24 * 3600,
  tauLong: 14 * 24 * 3600,
  tauCo: 7 * 24 * 3600,
  activeHorizon: 7 * 24 * 3600,
  recentItems: 5,
};

/** Number of statistics features fed to A, and of gate features. */
export const STAT_DIM = 4;
export const GATE_DIM = 4;

export interface StatEvent {
  eventId: string;
  user: string;
  item: number;
  /** Event time, seconds. */
  ts: number;
}

export interface UserStats {
  short: number;
  long: number;
  last: number;
  n: number;
  /** Most recent items, newest last (at most recentItems). */
  recent: number[];
}

export class WindowStats {
  readonly itemShort: Float64Array;
  readonly itemLong: Float64Array;
  readonly itemLast: Float64Array;
  readonly itemTotal: Float64Array;
  /** co.get(a) maps b -> decayed count of (a, b) co-interactions (symmetric). */
  readonly co = new Map<number, Map<number, number>>();
  readonly users = new Map<string, UserStats>();
  /** Event id -> event time, for idempotency; pruned past 2 * activeHorizon. */
  readonly seen = new Map<string, number>();
  ref = Number.NaN;
  now = Number.NEGATIVE_INFINITY;
  applied = 0;

  constructor(readonly nItems: number, readonly cfg: StatsConfig = defaultStatsConfig) {
    this.itemShort = new Float64Array(nItems);
    this.itemLong = new Float64Array(nItems);
    this.itemLast = new Float64Array(nItems).fill(Number.NEGATIVE_INFINITY);
    this.itemTotal = new Float64Array(nItems);
  }

  /** Applies an event unless its id was seen; returns whether it was new. */
  apply(e: StatEvent): boolean {
    if (this.seen.has(e.eventId)) return false;
    if (e.item < 0 || e.item >= this.nItems) return false;
    this.seen.set(e.eventId, e.ts);
    if (Number.isNaN(this.ref)) this.ref = e.ts;
    this.rebase(e.ts);
    const c = this.cfg;
    const ws = Math.exp((e.ts - this.ref) / c.tauShort);
    const wl = Math.exp((e.ts - this.ref) / c.tauLong);
    const wc = Math.exp((e.ts - this.ref) / c.tauCo);
    this.itemShort[e.item]! += ws;
    this.itemLong[e.item]! += wl;
    this.itemTotal[e.item]! += 1;
    if (e.ts > this.itemLast[e.item]!) this.itemLast[e.item] = e.ts;
    let u = this.users.get(e.user);
    if (!u) {
      u = { short: 0, long: 0, last: Number.NEGATIVE_INFINITY, n: 0, recent: [] };
      this.users.set(e.user, u);
    }
    for (const r of u.recent) {
      if (r === e.item) continue;
      this.addCo(r, e.item, wc);
      this.addCo(e.item, r, wc);
    }
    u.short += ws;
    u.long += wl;
    u.n += 1;
    if (e.ts > u.last) u.last = e.ts;
    u.recent.push(e.item);
    if (u.recent.length > c.recentItems) u.recent.shift();
    if (e.ts > this.now) this.now = e.ts;
    this.applied++;
    if (this.seen.size > 200_000) this.pruneSeen();
    return true;
  }

  private addCo(a: number, b: number, w: number): void {
    let row = this.co.get(a);
    if (!row) this.co.set(a, (row = new Map()));
    row.set(b, (row.get(b) ?? 0) + w);
  }

  /** Keeps stored values small by moving the reference time forward (exact re-scaling). */
  private rebase(t: number): void {
    const c = this.cfg;
    if ((t - this.ref) / c.tauShort < 30) return;
    const fs = Math.exp(-(t - this.ref) / c.tauShort);
    const fl = Math.exp(-(t - this.ref) / c.tauLong);
    const fc = Math.exp(-(t - this.ref) / c.tauCo);
    for (let i = 0; i < this.nItems; i++) {
      this.itemShort[i]! *= fs;
      this.itemLong[i]! *= fl;
    }
    for (const u of this.users.values()) {
      u.short *= fs;
      u.long *= fl;
    }
    for (const [a, row] of this.co) {
      for (const [b, v] of row) {
        const nv = v * fc;
        if (nv < 1e-6) row.delete(b);
        else row.set(b, nv);
      }
      if (row.size === 0) this.co.delete(a);
    }
    this.ref = t;
  }

  private pruneSeen(): void {
    const cutoff = this.now - 2 * this.cfg.activeHorizon;
    for (const [id, ts] of this.seen) if (ts < cutoff) this.seen.delete(id);
  }

  /** Gate mask of an item at time t: 1 with an event within the active horizon, else 0. */
  itemMask(i: number, t: number): number {
    return t - this.itemLast[i]! <= this.cfg.activeHorizon ? 1 : 0;
  }

  /**
   * Item statistics s (STAT_DIM) and gate features f without the co-interaction term (GATE_DIM, f[3] = 0),
   * written at offsets. Returns the gate mask.
   */
  itemFeatures(i: number, t: number, s: Float32Array, sOff: number, f: Float32Array, fOff: number): number {
    const c = this.cfg;
    const dt = Number.isNaN(this.ref) ? 0 : t - this.ref;
    const cs = this.itemShort[i]! * Math.exp(-dt / c.tauShort);
    const cl = this.itemLong[i]! * Math.exp(-dt / c.tauLong);
    const ls = Math.log1p(cs);
    const ll = Math.log1p(cl);
    const trend = ls - Math.log1p(cl * (c.tauShort / c.tauLong));
    const age = t - this.itemLast[i]!;
    const rec = Number.isFinite(age) ? Math.exp(-Math.max(0, age) / c.tauShort) : 0;
    s[sOff] = ls;
    s[sOff + 1] = ll;
    s[sOff + 2] = trend;
    s[sOff + 3] = rec;
    f[fOff] = ls;
    f[fOff + 1] = trend;
    f[fOff + 2] = rec;
    f[fOff + 3] = 0;
    return this.itemMask(i, t);
  }

  /** Adds log1p(decayed co-interaction count with `recent`) for every item into out (length nItems). */
  coFeature(recent: readonly number[], t: number, out: Float32Array): void {
    out.fill(0);
    if (Number.isNaN(this.ref)) return;
    const f = Math.exp(-(t - this.ref) / this.cfg.tauCo);
    for (const r of recent) {
      const row = this.co.get(r);
      if (!row) continue;
      for (const [b, v] of row) out[b]! += v * f;
    }
    for (let i = 0; i < out.length; i++) if (out[i] !== 0) out[i] = Math.log1p(out[i]!);
  }

  /** User statistics s_u and gate features f_u (same layout as items); returns the user's gate mask. */
  userFeatures(user: string, historyLen: number, t: number, s: Float32Array, sOff: number, f: Float32Array, fOff: number): number {
    const c = this.cfg;
    const u = this.users.get(user);
    const dt = Number.isNaN(this.ref) ? 0 : t - this.ref;
    const cs = u ? u.short * Math.exp(-dt / c.tauShort) : 0;
    const cl = u ? u.long * Math.exp(-dt / c.tauLong) : 0;
    const age = u ? t - u.last : Number.POSITIVE_INFINITY;
    const rec = Number.isFinite(age) ? Math.exp(-Math.max(0, age) / c.tauShort) : 0;
    const ls = Math.log1p(cs);
    const hl = Math.log1p(historyLen) / 5;
    s[sOff] = ls;
    s[sOff + 1] = Math.log1p(cl);
    s[sOff + 2] = hl;
    s[sOff + 3] = rec;
    f[fOff] = ls;
    f[fOff + 1] = hl;
    f[fOff + 2] = rec;
    f[fOff + 3] = 0;
    return u && age <= c.activeHorizon ? 1 : 0;
  }

  /** The user's recent items (for co-interaction features), newest last. */
  userRecent(user: string): readonly number[] {
    return this.users.get(user)?.recent ?? [];
  }
}
