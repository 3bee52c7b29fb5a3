// Documented FALLBACK base model for the streaming evaluation: when no SASRec export trained on the streaming
// pre-training part is available, a bag-of-items encoder (user = sum of history input embeddings / sqrt(n),
// score = u . z_i; MeanHistoryBase) is trained here in TypeScript with BPR on the first 70% of interactions
// (next-item prediction from each user's earlier pre-training items). It is frozen afterwards, like the paper's
// CF backbone; only the online adapters learn from the streamed 30%.
import { mulberry32 } from '@llmrec/shared/adapter/gated-adapter.ts';
import { MeanHistoryBase } from '@llmrec/shared/adapter/mean-history-base.ts';

export interface FallbackBaseConfig {
  dim: number;
  epochs: number;
  lr: number;
  reg: number;
  negatives: number;
  maxLen: number;
  seed: number;
}

export const defaultFallbackBase: FallbackBaseConfig = { dim: 64, epochs: 10, lr: 0.05, reg: 1e-4, negatives: 4, maxLen: 50, seed: 1 };

/** Pre-training sequences: item indices per user in time order. */
export function trainFallbackBase(nItems: number, sequences: readonly (readonly number[])[], cfg: FallbackBaseConfig, log?: (msg: string) => void): MeanHistoryBase {
  const D = cfg.dim;
  const rnd = mulberry32(cfg.seed * 7 + 3);
  const init = () => Float32Array.from({ length: nItems * D }, () => (rnd() - 0.5) * 0.1);
  const P = init();
  const Q = init();
  const u = new Float32Array(D);
  const du = new Float32Array(D);
  const pairs: [number, number][] = [];
  sequences.forEach((s, k) => {
    for (let t = 1; t < s.length; t++) pairs.push([k, t]);
  });
  for (let ep = 0; ep < cfg.epochs; ep++) {
    for (let k = pairs.length - 1; k > 0; k--) {
      const j = Math.floor(rnd() * (k + 1));
      [pairs[k], pairs[j]] = [pairs[j]!, pairs[k]!];
    }
    const lr = cfg.lr * (1 - ep / cfg.epochs);
    let loss = 0;
    for (const [si, t] of pairs) {
      const seq = sequences[si]!;
      const start = Math.max(0, t - cfg.maxLen);
      const n = t - start;
      const inv = 1 / Math.sqrt(n);
      u.fill(0);
      for (let h = start; h < t; h++) for (let d = 0; d < D; d++) u[d]! += Q[seq[h]! * D + d]!;
      for (let d = 0; d < D; d++) u[d]! *= inv;
      du.fill(0);
      const pos = seq[t]!;
      for (let q = 0; q < cfg.negatives; q++) {
        const neg = Math.floor(rnd() * nItems);
        if (neg === pos) continue;
        let x = 0;
        for (let d = 0; d < D; d++) x += u[d]! * (P[pos * D + d]! - P[neg * D + d]!);
        const g = 1 / (1 + Math.exp(x)); // d(-log sigmoid x)/dx = -g
        loss += Math.log1p(Math.exp(-x));
        for (let d = 0; d < D; d++) {
          du[d]! += g * (P[pos * D + d]! - P[neg * D + d]!);
          P[pos * D + d]! += lr * (g * u[d]! - cfg.reg * P[pos * D + d]!);
          P[neg * D + d]! += lr * (-g * u[d]! - cfg.reg * P[neg * D + d]!);
        }
      }
      for (let h = start; h < t; h++) {
        const off = seq[h]! * D;
        for (let d = 0; d < D; d++) Q[off + d]! += lr * (du[d]! * inv - cfg.reg * Q[off + d]!);
      }
    }
    log?.(`fallback base epoch ${ep + 1}/${cfg.epochs}: bpr ${(loss / (pairs.length * cfg.negatives)).toFixed(4)}`);
  }
  return new MeanHistoryBase(D, P, Q, cfg.maxLen);
}
