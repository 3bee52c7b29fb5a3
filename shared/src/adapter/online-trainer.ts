// Online training of the adapters (paper Eq. 2-3): BPR ranking loss over sampled negatives + distillation of
// z_t (and u_t) towards the frozen base latent + EWC penalty, AdamW (lr 1e-3), a 1,024-interaction replay
// buffer mixed into every update, and an EMA (0.99) of the weights for serving. Gradients are hand-written
// (gated-adapter.ts) and checked against finite differences in the tests.
import { AdamW, defaultAdamW, emaUpdate, Ewc } from './adamw.ts';
import { adapterBackward, adapterForward, AdapterScratch } from './gated-adapter.ts';
import { adaptUser, splitParams, type BaseModel, type DynamicLayout } from './dynamic-model.ts';
import { mulberry32 } from './gated-adapter.ts';
import { GATE_DIM, STAT_DIM, type WindowStats } from './window-stats.ts';

export interface TrainConfig {
  lr: number;
  batchSize: number;
  negatives: number;
  /** Distillation weight (0 = ablation "no distillation"). */
  distill: number;
  /** EWC weight (0 = ablation "no EWC"). */
  ewc: number;
  /** Replay buffer capacity (0 = ablation "no replay"). */
  replay: number;
  emaDecay: number;
  /** Ablation "no gate": g fixed to the mask. */
  noGate: boolean;
  /** Share of negatives drawn from the batch's own items (popularity-proportional) instead of uniformly. */
  batchNegatives: number;
  seed: number;
}

export const defaultTrainConfig: TrainConfig = {
  lr: 1e-3, batchSize: 64, negatives: 2, distill: 0.1, ewc: 1, replay: 1024, emaDecay: 0.99, noGate: false, batchNegatives: 0, seed: 1,
};

/** One training interaction: the user's history before it (most recent last, truncated) and the item. */
export interface Example {
  user: string;
  history: number[];
  item: number;
}

export interface StepReport {
  loss: number;
  rank: number;
  ewc: number;
}

export class OnlineTrainer {
  readonly params: Float32Array;
  readonly ema: Float32Array;
  readonly opt: AdamW;
  readonly ewc: Ewc;
  readonly replayBuf: Example[] = [];
  seen = 0;
  private readonly rnd: () => number;
  private readonly grad: Float32Array;
  private readonly decayMask: Uint8Array;
  private readonly scU: AdapterScratch;
  private readonly scI: AdapterScratch[];
  private readonly feat = { s: new Float32Array(STAT_DIM), f: new Float32Array(GATE_DIM) };
  private readonly sI = new Float32Array(STAT_DIM);
  private readonly fI: Float32Array[];
  private readonly masks: Float64Array;
  private readonly u: Float32Array;
  private readonly uT: Float32Array;
  private readonly dU: Float32Array;
  private readonly dZ: Float32Array;
  private readonly zs: Float32Array[];
  private readonly gs: Float64Array;

  constructor(readonly base: BaseModel, readonly layout: DynamicLayout, init: Float32Array, readonly cfg: TrainConfig = defaultTrainConfig) {
    this.params = init.slice();
    this.ema = init.slice();
    this.opt = new AdamW(layout.size, { ...defaultAdamW, lr: cfg.lr });
    this.ewc = new Ewc(layout.size, cfg.ewc);
    this.rnd = mulberry32(cfg.seed * 2654435761);
    this.grad = new Float32Array(layout.size);
    this.decayMask = new Uint8Array(layout.size);
    for (const [L, off] of [[layout.item, 0], [layout.user, layout.userOff]] as const) {
      this.decayMask.fill(1, off + L.w1, off + L.b1);
      this.decayMask.fill(1, off + L.w2, off + L.b2);
    }
    this.scU = new AdapterScratch(layout.user);
    this.scI = Array.from({ length: 1 + cfg.negatives }, () => new AdapterScratch(layout.item));
    this.fI = Array.from({ length: 1 + cfg.negatives }, () => new Float32Array(GATE_DIM));
    this.masks = new Float64Array(1 + cfg.negatives);
    const D = base.dim;
    this.u = new Float32Array(D);
    this.uT = new Float32Array(D);
    this.dU = new Float32Array(D);
    this.zs = Array.from({ length: 1 + cfg.negatives }, () => new Float32Array(layout.item.outDim));
    this.dZ = new Float32Array(layout.item.outDim);
    this.gs = new Float64Array(1 + cfg.negatives);
  }

  /**
   * Loss of one example and its gradient accumulated into grad (used by the batch step and the finite-
   * difference test). Features come from `stats` at time t (the snapshot serving used for this window).
   */
  exampleLoss(p: Float32Array, ex: Example, negs: readonly number[], stats: WindowStats, t: number, grad: Float32Array | null): number {
    const L = this.layout;
    const D = this.base.dim;
    const Z = this.base.itemLatents;
    const pi = splitParams(p, L).item;
    const O = L.item.outDim;
    const opts = { noGate: this.cfg.noGate };
    this.base.userLatent(ex.history, this.u);
    const gu = adaptUser(p, L, stats, ex.user, ex.history, t, this.u, this.scU, this.feat, this.uT, opts);
    const uMask = gu === 0 && !opts.noGate ? 0 : 1;
    const recent = ex.history.slice(-stats.cfg.recentItems);
    const items = [ex.item, ...negs];
    // Forward every item, each with its own scratch so backward needs no second forward.
    const scores = new Float64Array(items.length);
    for (let k = 0; k < items.length; k++) {
      this.masks[k] = this.itemForward(pi, stats, items[k]!, recent, t, this.zs[k]!, k);
      this.gs[k] = this.scI[k]!.g;
      let acc = O > D ? this.zs[k]![D]! : 0; // bias coordinate scored against the user's constant 1
      for (let d = 0; d < D; d++) acc += this.uT[d]! * this.zs[k]![d]!;
      scores[k] = acc;
    }
    let loss = 0;
    this.dU.fill(0);
    const wNeg = 1 / negs.length;
    const dScore = new Float64Array(items.length);
    for (let k = 1; k < items.length; k++) {
      const x = scores[0]! - scores[k]!;
      loss += wNeg * (x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x)));
      const dx = -wNeg / (1 + Math.exp(x));
      dScore[0]! += dx;
      dScore[k]! -= dx;
    }
    const lam = this.cfg.distill;
    for (let k = 0; k < items.length; k++) {
      const zi = items[k]! * D;
      let dist = O > D ? this.zs[k]![D]! ** 2 : 0;
      for (let d = 0; d < D; d++) {
        const diff = this.zs[k]![d]! - Z[zi + d]!;
        dist += diff * diff;
      }
      loss += lam * dist;
    }
    let distU = 0;
    for (let d = 0; d < D; d++) distU += (this.uT[d]! - this.u[d]!) ** 2;
    loss += lam * distU;
    if (!grad) return loss;
    const gi = grad.subarray(0, L.userOff);
    for (let k = 0; k < items.length; k++) {
      for (let d = 0; d < D; d++) this.dU[d]! += dScore[k]! * this.zs[k]![d]!;
      const mask = this.masks[k]!;
      if (mask === 0) continue;
      const zi = items[k]! * D;
      const zk = this.zs[k]!;
      for (let d = 0; d < D; d++) this.dZ[d] = dScore[k]! * this.uT[d]! + 2 * lam * (zk[d]! - Z[zi + d]!);
      if (O > D) this.dZ[D] = dScore[k]! + 2 * lam * zk[D]!;
      adapterBackward(pi, L.item, this.fI[k]!, 0, mask, this.dZ, this.scI[k]!, gi, this.cfg.noGate);
    }
    if (uMask !== 0) {
      for (let d = 0; d < D; d++) this.dU[d]! += 2 * lam * (this.uT[d]! - this.u[d]!);
      // scU still holds the user forward of this example (items use their own scratches).
      adapterBackward(splitParams(p, L).user, L.user, this.feat.f, 0, 1, this.dU, this.scU, grad.subarray(L.userOff), this.cfg.noGate);
    }
    return loss;
  }

  /** z_t of one item into out with scratch `slot` filled for backward; returns the gate mask. */
  private itemForward(pi: Float32Array, stats: WindowStats, item: number, recent: readonly number[], t: number, out: Float32Array, slot: number): number {
    const D = this.base.dim;
    const Z = this.base.itemLatents;
    const sc = this.scI[slot]!;
    const f = this.fI[slot]!;
    const mask = stats.itemFeatures(item, t, this.sI, 0, f, 0);
    if (mask === 0) {
      for (let d = 0; d < D; d++) out[d] = Z[item * D + d]!;
      if (out.length > D) out[D] = 0;
      sc.g = 0;
      return 0;
    }
    f[GATE_DIM - 1] = coPair(stats, recent, item, t);
    adapterForward(pi, this.layout.item, Z, item * D, this.sI, 0, f, 0, mask, sc, out);
    if (this.cfg.noGate) {
      sc.g = 1;
      sc.sig = 1;
      for (let d = 0; d < D; d++) out[d] = Z[item * D + d]! + sc.a[d]!;
      if (out.length > D) out[D] = sc.a[D]!;
    }
    return mask;
  }

  private sampleNegs(pos: number, batch: readonly Example[]): number[] {
    const out: number[] = [];
    while (out.length < this.cfg.negatives) {
      let j = this.rnd() < this.cfg.batchNegatives ? batch[Math.floor(this.rnd() * batch.length)]!.item : pos;
      if (j === pos) j = Math.floor(this.rnd() * this.base.nItems);
      if (j !== pos) out.push(j);
    }
    return out;
  }

  /** One AdamW step on a batch (plus EMA and Fisher update); returns mean losses. */
  step(batch: readonly Example[], stats: WindowStats, t: number): StepReport {
    const grad = this.grad.fill(0);
    let rank = 0;
    for (const ex of batch) rank += this.exampleLoss(this.params, ex, this.sampleNegs(ex.item, batch), stats, t, grad);
    const inv = 1 / Math.max(1, batch.length);
    for (let k = 0; k < grad.length; k++) grad[k]! *= inv;
    this.ewc.observe(grad);
    const pen = this.ewc.addGradient(this.params, grad);
    this.opt.update(this.params, grad, this.decayMask);
    emaUpdate(this.ema, this.params, this.cfg.emaDecay);
    return { loss: rank * inv + pen, rank: rank * inv, ewc: pen };
  }

  /** Trains on one window's examples, each batch mixed with as many replayed past examples. */
  trainWindow(examples: readonly Example[], stats: WindowStats, t: number): StepReport & { steps: number } {
    const order = examples.slice();
    for (let k = order.length - 1; k > 0; k--) {
      const j = Math.floor(this.rnd() * (k + 1));
      [order[k], order[j]] = [order[j]!, order[k]!];
    }
    const half = this.cfg.replay > 0 ? Math.max(1, this.cfg.batchSize >> 1) : this.cfg.batchSize;
    let steps = 0;
    let sum = { loss: 0, rank: 0, ewc: 0 };
    for (let start = 0; start < order.length; start += half) {
      const batch = order.slice(start, start + half);
      const fresh = batch.length;
      for (let k = 0; k < fresh && this.replayBuf.length > 0; k++) batch.push(this.replayBuf[Math.floor(this.rnd() * this.replayBuf.length)]!);
      const r = this.step(batch, stats, t);
      sum = { loss: sum.loss + r.loss, rank: sum.rank + r.rank, ewc: sum.ewc + r.ewc };
      steps++;
    }
    for (const ex of examples) this.remember(ex);
    this.ewc.consolidate(this.params);
    const n = Math.max(1, steps);
    return { loss: sum.loss / n, rank: sum.rank / n, ewc: sum.ewc / n, steps };
  }

  /** Reservoir sampling into the replay buffer (trained examples, and held-out ones once the guardrail is done with them). */
  remember(ex: Example): void {
    if (this.cfg.replay === 0) return;
    this.seen++;
    if (this.replayBuf.length < this.cfg.replay) this.replayBuf.push(ex);
    else {
      const j = Math.floor(this.rnd() * this.seen);
      if (j < this.cfg.replay) this.replayBuf[j] = ex;
    }
  }
}

/** log1p of the decayed co-interaction count of `item` with the user's recent items. */
export function coPair(stats: WindowStats, recent: readonly number[], item: number, t: number): number {
  if (Number.isNaN(stats.ref)) return 0;
  let v = 0;
  for (const r of recent) v += stats.co.get(r)?.get(item) ?? 0;
  return v === 0 ? 0 : Math.log1p(v * Math.exp(-(t - stats.ref) / stats.cfg.tauCo));
}
