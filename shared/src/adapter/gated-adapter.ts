// Gated adapter of the dynamic latent (paper Eq. 1): z_t = z + g * A([z ; s]).
// A is a 2-layer ReLU MLP (hidden 256 by default) whose last layer starts at zero, so a fresh adapter is the
// identity; g = mask * sigmoid(w_g . f + b_g) is the confidence gate over statistics features f (log-count
// first), and mask = 0 when an entity has no recent statistics at all, so thin statistics give g = 0 exactly.
// All parameters live in ONE Float32Array (layout below) so AdamW, EMA, EWC and serialisation treat them
// as a flat vector. Forward/backward are written out by hand (verified by finite differences in tests) and
// allocate nothing in the hot loop: callers pass a reusable AdapterScratch.
import { mulberry32 } from '../rng.ts';

export interface AdapterShape {
  /** Latent dimension D (input z and output z_t). */
  dim: number;
  /** Number of statistics features s fed to A next to z. */
  statDim: number;
  /** Number of gate features f. */
  gateDim: number;
  /** Hidden width of A. */
  hidden: number;
  /**
   * Item side: A also outputs a score-bias coordinate, i.e. Eq. 1 on the augmented latent [z ; 0] scored
   * against [u ; 1], so a gated popularity / co-interaction boost is one linear unit away.
   */
  biasOut?: boolean;
}

export interface AdapterLayout {
  shape: AdapterShape;
  inDim: number;
  /** dim, plus 1 with biasOut. */
  outDim: number;
  w1: number; // [hidden x inDim], row-major
  b1: number; // [hidden]
  w2: number; // [outDim x hidden], zero at init
  b2: number; // [outDim], zero at init
  wg: number; // [gateDim]
  bg: number; // [1]
  size: number;
}

export function adapterLayout(shape: AdapterShape): AdapterLayout {
  const inDim = shape.dim + shape.statDim;
  const outDim = shape.dim + (shape.biasOut ? 1 : 0);
  const w1 = 0;
  const b1 = w1 + shape.hidden * inDim;
  const w2 = b1 + shape.hidden;
  const b2 = w2 + outDim * shape.hidden;
  const wg = b2 + outDim;
  const bg = wg + shape.gateDim;
  return { shape, inDim, outDim, w1, b1, w2, b2, wg, bg, size: bg + 1 };
}

// Re-exported: callers (online trainer, tests, eval/src/streaming) import the seeded PRNG from here.
export { mulberry32 } from '../rng.ts';

/**
 * Fresh parameters: He-initialised first layer, zero last layer (identity adapter), gate bias `gateBias`
 * (sigmoid(-3) = 0.05) and gate weight +1 on the evidence features (`evidence`: the log-count, and for items
 * the co-interaction count), so the gate opens as evidence grows.
 */
export function initAdapter(layout: AdapterLayout, seed: number, gateBias = -3, evidence: readonly number[] = [0]): Float32Array {
  const p = new Float32Array(layout.size);
  const rnd = mulberry32(seed);
  const std = Math.sqrt(2 / layout.inDim);
  for (let k = 0; k < layout.shape.hidden * layout.inDim; k++) {
    // Box-Muller from two uniforms.
    const u = Math.max(rnd(), 1e-12);
    p[layout.w1 + k] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  }
  for (const k of evidence) p[layout.wg + k] = 1;
  p[layout.bg] = gateBias;
  return p;
}

/** Reusable buffers for one forward/backward; one per concurrent caller. */
export class AdapterScratch {
  readonly x: Float32Array;
  readonly pre: Float32Array;
  readonly h: Float32Array;
  readonly a: Float32Array;
  readonly dh: Float32Array;
  /** Gate value and its pre-sigmoid value after the last forward. */
  g = 0;
  sig = 0;
  constructor(readonly layout: AdapterLayout) {
    this.x = new Float32Array(layout.inDim);
    this.pre = new Float32Array(layout.shape.hidden);
    this.h = new Float32Array(layout.shape.hidden);
    this.a = new Float32Array(layout.outDim);
    this.dh = new Float32Array(layout.shape.hidden);
  }
}

/** A([z ; s]) into scratch.a (also keeps x, pre, h for backward). */
export function adapterMlp(p: Float32Array, L: AdapterLayout, z: ArrayLike<number>, zOff: number, s: ArrayLike<number>, sOff: number, sc: AdapterScratch): Float32Array {
  const { dim, statDim, hidden } = L.shape;
  const inDim = L.inDim;
  const x = sc.x;
  for (let d = 0; d < dim; d++) x[d] = z[zOff + d]!;
  for (let k = 0; k < statDim; k++) x[dim + k] = s[sOff + k]!;
  const pre = sc.pre;
  const h = sc.h;
  for (let j = 0; j < hidden; j++) {
    let acc = p[L.b1 + j]!;
    const row = L.w1 + j * inDim;
    for (let k = 0; k < inDim; k++) acc += p[row + k]! * x[k]!;
    pre[j] = acc;
    h[j] = acc > 0 ? acc : 0;
  }
  const a = sc.a;
  for (let d = 0; d < L.outDim; d++) {
    let acc = p[L.b2 + d]!;
    const row = L.w2 + d * hidden;
    for (let j = 0; j < hidden; j++) acc += p[row + j]! * h[j]!;
    a[d] = acc;
  }
  return a;
}

/** g = mask * sigmoid(w_g . f + b_g); stores sig and g in scratch. */
export function adapterGate(p: Float32Array, L: AdapterLayout, f: ArrayLike<number>, fOff: number, mask: number, sc: AdapterScratch): number {
  let acc = p[L.bg]!;
  for (let k = 0; k < L.shape.gateDim; k++) acc += p[L.wg + k]! * f[fOff + k]!;
  const sig = 1 / (1 + Math.exp(-acc));
  sc.sig = sig;
  sc.g = mask * sig;
  return sc.g;
}

/** Full Eq. 1 forward: out = z + g * A([z ; s]) (out has outDim entries; the bias coordinate of z is 0). Returns g. */
export function adapterForward(
  p: Float32Array, L: AdapterLayout,
  z: ArrayLike<number>, zOff: number, s: ArrayLike<number>, sOff: number, f: ArrayLike<number>, fOff: number, mask: number,
  sc: AdapterScratch, out: Float32Array,
): number {
  const a = adapterMlp(p, L, z, zOff, s, sOff, sc);
  const g = adapterGate(p, L, f, fOff, mask, sc);
  for (let d = 0; d < L.shape.dim; d++) out[d] = z[zOff + d]! + g * a[d]!;
  if (L.outDim > L.shape.dim) out[L.shape.dim] = g * a[L.shape.dim]!;
  return g;
}

/**
 * Backward of adapterForward given dL/dout (the base latent z is frozen, so only parameter gradients are
 * produced), accumulated into grad. Must follow the forward that filled `sc`. `gateFixed` = the gate was a
 * constant (ablation "no gate"): no gradient flows to w_g, b_g.
 */
export function adapterBackward(p: Float32Array, L: AdapterLayout, f: ArrayLike<number>, fOff: number, mask: number, dOut: ArrayLike<number>, sc: AdapterScratch, grad: Float32Array, gateFixed = false): void {
  const { hidden, gateDim } = L.shape;
  const dim = L.outDim;
  const inDim = L.inDim;
  const g = sc.g;
  const a = sc.a;
  if (!gateFixed && mask !== 0) {
    let dg = 0;
    for (let d = 0; d < dim; d++) dg += dOut[d]! * a[d]!;
    const dgl = dg * mask * sc.sig * (1 - sc.sig);
    for (let k = 0; k < gateDim; k++) grad[L.wg + k]! += dgl * f[fOff + k]!;
    grad[L.bg]! += dgl;
  }
  if (g === 0) return;
  const h = sc.h;
  const dh = sc.dh.fill(0);
  for (let d = 0; d < dim; d++) {
    const da = g * dOut[d]!;
    if (da === 0) continue;
    grad[L.b2 + d]! += da;
    const row = L.w2 + d * hidden;
    for (let j = 0; j < hidden; j++) {
      grad[row + j]! += da * h[j]!;
      dh[j]! += p[row + j]! * da;
    }
  }
  const x = sc.x;
  const pre = sc.pre;
  for (let j = 0; j < hidden; j++) {
    if (pre[j]! <= 0) continue;
    const dp = dh[j]!;
    grad[L.b1 + j]! += dp;
    const row = L.w1 + j * inDim;
    for (let k = 0; k < inDim; k++) grad[row + k]! += dp * x[k]!;
  }
}
