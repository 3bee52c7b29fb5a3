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
  readonly dim: number;
  readonly nItems: number;
  /** Row-major [nItems x dim]. */
  readonly itemLatents: Float32Array;
  /** User latent from the user's history (item indices, oldest first) into out. */
  userLatent(history: readonly number[], out: Float32Array): void;
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
    for (let d = 0; d < L.user.shape.dim; d++) out[d] = u[d] + a[d];
    return 1;
  }
  return adapterForward(pu, L.user, u, 0, feat.s, 0, feat.f, 0, mask, sc, out);
}

/** Serving-side precomputation for one parameter version and one statistics snapshot. */
export class DynamicScorer {
  readonly dim: number;
  /** Indices of the items with mask 1, and their A outputs [active x dim] and gate logits without co term. */
  readonly active: Int32Array;
  readonly itemA: Float32Array;
  readonly gateLogit0: Float32Array;
  readonly coWeight: number;
  private readonly userScratch: AdapterScratch;
  private readonly feat = { s: new Float32Array(STAT_DIM), f: new Float32Array(GATE_DIM) };
  private readonly uBase: Float32Array;
  private readonly uT: Float32Array;
  private readonly co: Float32Array;

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
    this.itemA = new Float32Array(act.length * O);
    this.gateLogit0 = new Float32Array(act.length);
    for (let k = 0; k < act.length; k++) {
      const i = act[k];
      stats.itemFeatures(i, at, s, 0, f, 0);
      const a = adapterMlp(pi, L, base.itemLatents, i * D, s, 0, sc);
      this.itemA.set(a, k * O);
      let gl = pi[L.bg];
      for (let q = 0; q < GATE_DIM - 1; q++) gl += pi[L.wg + q] * f[q];
      this.gateLogit0[k] = gl;
    }
    this.coWeight = pi[L.wg + GATE_DIM - 1];
    this.userScratch = new AdapterScratch(layout.user);
    this.uBase = new Float32Array(D);
    this.uT = new Float32Array(D);
    this.co = new Float32Array(base.nItems);
  }

  /**
   * Scores of every item for a user (u_t . z_i,t) into out (length nItems). `static` skips the adapters
   * (the frozen base path), which is what the overhead benchmark compares against.
   */
  score(user: string, history: readonly number[], t: number, out: Float32Array, mode: 'dynamic' | 'static' = 'dynamic'): void {
    const D = this.dim;
    const Z = this.base.itemLatents;
    this.base.userLatent(history, this.uBase);
    const u = mode === 'static' ? this.uBase : this.uT;
    if (mode === 'dynamic') adaptUser(this.params, this.layout, this.stats, user, history, t, this.uBase, this.userScratch, this.feat, this.uT, this.opts);
    for (let i = 0, off = 0; i < this.base.nItems; i++, off += D) {
      let acc = 0;
      for (let d = 0; d < D; d++) acc += u[d] * Z[off + d];
      out[i] = acc;
    }
    if (mode === 'static' || this.active.length === 0) return;
    const recent = history.slice(-this.stats.cfg.recentItems);
    this.stats.coFeature(recent, this.at, this.co);
    const A = this.itemA;
    const O = this.layout.item.outDim;
    for (let k = 0, off = 0; k < this.active.length; k++, off += O) {
      const i = this.active[k];
      const g = this.opts.noGate ? 1 : 1 / (1 + Math.exp(-(this.gateLogit0[k] + this.coWeight * this.co[i])));
      let acc = O > D ? A[off + D] : 0; // score-bias coordinate (user side is 1)
      for (let d = 0; d < D; d++) acc += u[d] * A[off + d];
      out[i] += g * acc;
    }
  }
}

export { adapterBackward, adapterGate, AdapterScratch };
