// The dynamic model around a frozen base (paper Eq. 1 for items and users): item latents z_i,t =
// z_i + g_i,t * A([z_i ; s_i,t]) and user latents u_t = u + g_u,t * A_u([u ; s_u,t]), scored by u_t . z_i,t.
// Both adapters share one flat parameter vector [item adapter | user adapter] (AdamW / EMA / EWC / storage).
// `DynamicScorer` is the serving path: A_i is computed once per published version for the items with
// recent statistics (the others have g = 0 and keep their base latent), so a request costs one user-adapter
// forward, the co-interaction gate terms and one extra dot product per active item.
import { adapterBackward, adapterForward, adapterGate, adapterLayout, adapterMlp, AdapterScratch, initAdapter, type AdapterLayout } from './gated-adapter.ts';
import { GATE_DIM, STAT_DIM, type WindowStats } from './window-stats.ts';

/** The frozen base recommender: item latents and a user encoder over the user's history. */
export interface BaseModel {
  /**
   * Identity of the frozen base (a serving bundle's `version`, or the fallback base's cache name). An adapter
   * only means something in the latent space it was trained in, so published versions and job checkpoints
   * carry it and the worker / job refuse to mix adapters across bases. Absent: unknown (only the dim is checked).
   */
  readonly id?: string;
  readonly dim: number;
  readonly nItems: number;
  /** Row-major [nItems x dim]. */
  readonly itemLatents: Float32Array;
  /** User latent from the user's history (item indices, oldest first) into out. */
  userLatent(history: readonly number[], out: Float32Array): void;
}

/** Identity of a history (its item indices in order), for bases whose z_u is computed ahead of the synchronous call. */
export function historyKey(history: readonly number[]): string {
  return history.join(',');
}

export interface DynamicShape {
  dim: number;
  hidden: number;
}

export interface DynamicLayout {
  item: AdapterLayout;
  user: AdapterLayout;
  /** Offset of the user adapter in the flat vector. */
  userOff: number;
  size: number;
}

export function dynamicLayout(shape: DynamicShape): DynamicLayout {
  const s = { dim: shape.dim, statDim: STAT_DIM, gateDim: GATE_DIM, hidden: shape.hidden };
  const item = adapterLayout({ ...s, biasOut: true });
  const user = adapterLayout(s);
  return { item, user, userOff: item.size, size: item.size + user.size };
}

export function initDynamic(L: DynamicLayout, seed: number): Float32Array {
  const p = new Float32Array(L.size);
  p.set(initAdapter(L.item, seed, -3, [0, GATE_DIM - 1]), 0); // item gate: log-count and co-interactions
  p.set(initAdapter(L.user, seed + 7919), L.userOff);
  return p;
}

/** Views of the two adapters inside the flat vector (no copy). */
export function splitParams(p: Float32Array, L: DynamicLayout): { item: Float32Array; user: Float32Array } {
  return { item: p.subarray(0, L.userOff), user: p.subarray(L.userOff, L.size) };
}

/** Options shared by serving and training; `noGate` is the ablation with g fixed at the mask. */
export interface GateOptions {
  noGate?: boolean;
  /**
   * Serving only: co-interaction counts below this (decayed) value are dropped when the scorer packs them
   * (log1p(0.05) moves a gate logit by < 0.05 * w_co); 0 keeps every count (exact Eq. 1).
   */
  coMin?: number;
}

/** Adapted user latent u_t into out; returns g_u. */
export function adaptUser(
  p: Float32Array, L: DynamicLayout, stats: WindowStats, user: string, history: readonly number[], t: number,
  u: Float32Array, sc: AdapterScratch, feat: { s: Float32Array; f: Float32Array }, out: Float32Array, opts: GateOptions = {},
): number {
  const mask = stats.userFeatures(user, history.length, t, feat.s, 0, feat.f, 0);
  if (mask === 0) {
    out.set(u);
    sc.g = 0;
    return 0;
  }
  const pu = splitParams(p, L).user;
  if (opts.noGate) {
    const a = adapterMlp(pu, L.user, u, 0, feat.s, 0, sc);
    sc.g = 1;
    sc.sig = 1;
    for (let d = 0; d < L.user.shape.dim; d++) out[d] = u[d]! + a[d]!;
    return 1;
  }
  return adapterForward(pu, L.user, u, 0, feat.s, 0, feat.f, 0, mask, sc, out);
}

/**
 * Serving-side precomputation for one parameter version and one statistics snapshot. The user-independent
 * part of Eq. 1 is folded in once: zg_i = z_i + g0_i * A_i and bias_i = g0_i * A_i[D], with g0_i the gate
 * without the co-interaction term. A request then costs the static dot products over zg plus a correction
 * (g_i - g0_i) * (u . A_i + A_i[D]) only for the few items that co-occur with the user's recent items.
 */
export class DynamicScorer {
  readonly dim: number;
  /** Indices of the items with mask 1, their A outputs [active x outDim] and gate logits without the co term. */
  readonly active: Int32Array;
  readonly itemA: Float32Array;
  readonly gateLogit0: Float32Array;
  readonly coWeight: number;
  /** Item latents with the co-free adapter folded in [nItems x dim], and the folded score bias. */
  readonly folded: Float32Array;
  readonly foldedBias: Float32Array;
  private readonly activeIndex: Int32Array;
  private readonly userScratch: AdapterScratch;
  private readonly feat = { s: new Float32Array(STAT_DIM), f: new Float32Array(GATE_DIM) };
  private readonly uBase: Float32Array;
  private readonly uT: Float32Array;
  private readonly co: Float32Array;
  private readonly touched: Int32Array;
  /** Decayed co-interaction counts packed per version (CSR over source items, active targets only). */
  private readonly coStart: Int32Array;
  private readonly coItem: Int32Array;
  private readonly coVal: Float32Array;

  constructor(
    readonly base: BaseModel, readonly params: Float32Array, readonly layout: DynamicLayout,
    readonly stats: WindowStats, readonly at: number, readonly opts: GateOptions = {},
  ) {
    const L = layout.item;
    const D = base.dim;
    const O = L.outDim;
    this.dim = D;
    const pi = splitParams(params, layout).item;
    const sc = new AdapterScratch(L);
    const s = new Float32Array(STAT_DIM);
    const f = new Float32Array(GATE_DIM);
    const act: number[] = [];
    for (let i = 0; i < base.nItems; i++) if (stats.itemMask(i, at) === 1) act.push(i);
    this.active = Int32Array.from(act);
    this.activeIndex = new Int32Array(base.nItems).fill(-1);
    this.itemA = new Float32Array(act.length * O);
    this.gateLogit0 = new Float32Array(act.length);
    this.folded = base.itemLatents.slice();
    this.foldedBias = new Float32Array(base.nItems);
    for (let k = 0; k < act.length; k++) {
      const i = act[k]!;
      this.activeIndex[i] = k;
      stats.itemFeatures(i, at, s, 0, f, 0);
      const a = adapterMlp(pi, L, base.itemLatents, i * D, s, 0, sc);
      this.itemA.set(a, k * O);
      let gl = pi[L.bg]!;
      for (let q = 0; q < GATE_DIM - 1; q++) gl += pi[L.wg + q]! * f[q]!;
      this.gateLogit0[k] = gl;
      const g0 = opts.noGate ? 1 : 1 / (1 + Math.exp(-gl));
      for (let d = 0; d < D; d++) this.folded[i * D + d]! += g0 * a[d]!;
      if (O > D) this.foldedBias[i] = g0 * a[D]!;
    }
    this.coWeight = pi[L.wg + GATE_DIM - 1]!;
    this.userScratch = new AdapterScratch(layout.user);
    this.uBase = new Float32Array(D);
    this.uT = new Float32Array(D);
    this.co = new Float32Array(base.nItems);
    this.touched = new Int32Array(base.nItems);
    const coMin = opts.coMin ?? 0.05;
    const decay = Number.isNaN(stats.ref) ? 0 : Math.exp(-(at - stats.ref) / stats.cfg.tauCo);
    const start = new Int32Array(base.nItems + 1);
    const items: number[] = [];
    const vals: number[] = [];
    for (let a = 0; a < base.nItems; a++) {
      start[a] = items.length;
      const row = stats.co.get(a);
      if (!row || decay === 0) continue;
      for (const [b, v] of row) {
        const dv = v * decay;
        if (this.activeIndex[b]! < 0 || dv < coMin) continue;
        items.push(b);
        vals.push(dv);
      }
    }
    start[base.nItems] = items.length;
    this.coStart = start;
    this.coItem = Int32Array.from(items);
    this.coVal = Float32Array.from(vals);
  }

  /**
   * Scores of every item for a user (u_t . z_i,t, plus the item score bias) into out (length nItems).
   * `static` is the frozen base path, which the overhead benchmark compares against.
   */
  score(user: string, history: readonly number[], t: number, out: Float32Array, mode: 'dynamic' | 'static' = 'dynamic'): void {
    this.base.userLatent(history, this.uBase);
    this.scoreLatent(user, this.uBase, history, t, out, mode);
  }

  /**
   * Same as score() with the base user latent computed by the caller (e.g. an asynchronous ONNX user
   * encoder in the worker). `uBase` is not modified.
   */
  scoreLatent(user: string, uBase: Float32Array, history: readonly number[], t: number, out: Float32Array, mode: 'dynamic' | 'static' = 'dynamic'): void {
    const D = this.dim;
    if (mode === 'static') {
      dots(uBase, this.base.itemLatents, D, out);
      return;
    }
    const u = this.uT;
    adaptUser(this.params, this.layout, this.stats, user, history, t, uBase, this.userScratch, this.feat, u, this.opts);
    dots(u, this.folded, D, out);
    const fb = this.foldedBias;
    for (let i = 0; i < out.length; i++) out[i]! += fb[i]!;
    if (this.opts.noGate || this.coWeight === 0 || this.active.length === 0 || Number.isNaN(this.stats.ref)) return;
    // Sparse co-interaction counts with the user's recent items (only active items can change).
    const co = this.co;
    const touched = this.touched;
    let nt = 0;
    const r0 = Math.max(0, history.length - this.stats.cfg.recentItems);
    for (let r = r0; r < history.length; r++) {
      const a = history[r]!;
      for (let q = this.coStart[a]!; q < this.coStart[a + 1]!; q++) {
        const b = this.coItem[q]!;
        if (co[b] === 0) touched[nt++] = b;
        co[b]! += this.coVal[q]!;
      }
    }
    const A = this.itemA;
    const O = this.layout.item.outDim;
    for (let q = 0; q < nt; q++) {
      const i = touched[q]!;
      const k = this.activeIndex[i]!;
      const gl = this.gateLogit0[k]!;
      const dg = 1 / (1 + Math.exp(-(gl + this.coWeight * Math.log1p(co[i]!)))) - 1 / (1 + Math.exp(-gl));
      co[i] = 0;
      const off = k * O;
      let acc = O > D ? A[off + D] : 0; // score-bias coordinate (user side is 1)
      for (let d = 0; d < D; d++) acc! += u[d]! * A[off + d]!;
      out[i]! += dg * acc!;
    }
  }
}

/** out[i] = u . M_i for a row-major [n x D] matrix. */
function dots(u: Float32Array, M: Float32Array, D: number, out: Float32Array): void {
  for (let i = 0, off = 0; i < out.length; i++, off += D) {
    let acc = 0;
    for (let d = 0; d < D; d++) acc += u[d]! * M[off + d]!;
    out[i] = acc;
  }
}

export { adapterBackward, adapterGate, AdapterScratch };
