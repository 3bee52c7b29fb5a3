// Optimiser pieces of the online adapter update (paper Eq. 2-3): AdamW (decoupled weight decay), the EMA
// of the weights that serving uses, and the EWC penalty with a diagonal Fisher estimated from recent batches.
// Everything works on the flat parameter vector of the adapters.

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const defaultAdamW: AdamWConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

export class AdamW {
  readonly m: Float32Array;
  readonly v: Float32Array;
  step = 0;
  constructor(size: number, readonly cfg: AdamWConfig = defaultAdamW) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** One update of p from grad (grad is not modified). `decayMask[k]` = 0 exempts biases/gate from decay. */
  update(p: Float32Array, grad: Float32Array, decayMask?: Uint8Array): void {
    const { lr, beta1, beta2, eps, weightDecay } = this.cfg;
    this.step++;
    const bc1 = 1 - beta1 ** this.step;
    const bc2 = 1 - beta2 ** this.step;
    const m = this.m;
    const v = this.v;
    for (let k = 0; k < p.length; k++) {
      const g = grad[k]!;
      m[k] = beta1 * m[k]! + (1 - beta1) * g;
      v[k] = beta2 * v[k]! + (1 - beta2) * g * g;
      const wd = decayMask && decayMask[k] === 0 ? 0 : weightDecay;
      p[k]! -= lr * ((m[k]! / bc1) / (Math.sqrt(v[k]! / bc2) + eps) + wd * p[k]!);
    }
  }
}

/** ema <- decay * ema + (1 - decay) * p. */
export function emaUpdate(ema: Float32Array, p: Float32Array, decay: number): void {
  for (let k = 0; k < p.length; k++) ema[k] = decay * ema[k]! + (1 - decay) * p[k]!;
}

/**
 * Elastic weight consolidation: penalty lambda * sum_k F_k (p_k - anchor_k)^2, F a running diagonal Fisher
 * (mean squared mini-batch gradient of the ranking loss), normalised by its mean so lambda is scale-free.
 */
export class Ewc {
  readonly fisher: Float32Array;
  readonly anchor: Float32Array;
  fisherMean = 0;
  hasAnchor = false;
  constructor(size: number, readonly lambda: number, readonly fisherDecay = 0.9) {
    this.fisher = new Float32Array(size);
    this.anchor = new Float32Array(size);
  }

  /** Folds one batch's ranking-loss gradient into the Fisher estimate. */
  observe(grad: Float32Array): void {
    const f = this.fisher;
    const d = this.fisherDecay;
    for (let k = 0; k < f.length; k++) f[k] = d * f[k]! + (1 - d) * grad[k]! * grad[k]!;
  }

  /** Consolidates: the current parameters become the anchor (end of a window). */
  consolidate(p: Float32Array): void {
    this.anchor.set(p);
    let s = 0;
    for (let k = 0; k < this.fisher.length; k++) s += this.fisher[k]!;
    this.fisherMean = s / this.fisher.length;
    this.hasAnchor = this.fisherMean > 0;
  }

  /** Adds the penalty gradient into grad; returns the penalty value. */
  addGradient(p: Float32Array, grad: Float32Array): number {
    if (!this.hasAnchor || this.lambda === 0) return 0;
    const scale = this.lambda / this.fisherMean;
    let pen = 0;
    for (let k = 0; k < p.length; k++) {
      const diff = p[k]! - this.anchor[k]!;
      const w = scale * this.fisher[k]!;
      pen += w * diff * diff;
      grad[k]! += 2 * w * diff;
    }
    return pen;
  }
}
