import { describe, expect, it } from 'vitest';
import { dynamicLayout, initDynamic } from './dynamic-model.ts';
import { mulberry32 } from './gated-adapter.ts';
import { MeanHistoryBase } from './mean-history-base.ts';
import { OnlineTrainer, defaultTrainConfig, type Example } from './online-trainer.ts';
import { WindowStats } from './window-stats.ts';

const D = 4;
const N = 12;

function tinyWorld(seed: number) {
  const rnd = mulberry32(seed);
  const vec = (n: number) => Float32Array.from({ length: n }, () => rnd() * 2 - 1);
  const base = new MeanHistoryBase(D, vec(N * D), vec(N * D));
  const stats = new WindowStats(N);
  let id = 0;
  for (let t = 0; t < 40; t++) stats.apply({ eventId: `e${id++}`, user: `u${t % 3}`, item: (t * 5) % 8, ts: 1000 + t * 600 });
  return { base, stats, rnd, vec };
}

describe('online trainer (Eq. 2-3)', () => {
  for (const noGate of [false, true]) {
    it(`loss gradient matches finite differences (noGate=${noGate})`, () => {
      const { base, stats, rnd } = tinyWorld(7);
      const L = dynamicLayout({ dim: D, hidden: 6 });
      const p = initDynamic(L, 5);
      for (let k = 0; k < p.length; k++) p[k]! += (rnd() * 2 - 1) * 0.3; // leave the identity point
      const tr = new OnlineTrainer(base, L, p, { ...defaultTrainConfig, negatives: 3, distill: 0.3, noGate });
      const ex: Example = { user: 'u1', history: [1, 6, 2], item: 5 };
      const negs = [0, 3, 11]; // 11 never seen: mask 0 path
      const t = 1000 + 40 * 600;
      const grad = new Float32Array(L.size);
      tr.exampleLoss(p, ex, negs, stats, t, grad);
      const p64 = Float64Array.from(p);
      let maxErr = 0;
      let nonZero = 0;
      for (let k = 0; k < L.size; k++) {
        const h = 1e-2;
        const q = Float32Array.from(p64);
        q[k] = p64[k]! + h;
        const lp = tr.exampleLoss(q, ex, negs, stats, t, null);
        q[k] = p64[k]! - h;
        const lm = tr.exampleLoss(q, ex, negs, stats, t, null);
        const num = (lp - lm) / (2 * h);
        if (Math.abs(grad[k]!) > 1e-6) nonZero++;
        maxErr = Math.max(maxErr, Math.abs(num - grad[k]!) / Math.max(1, Math.abs(num)));
      }
      expect(maxErr).toBeLessThan(5e-3);
      expect(nonZero).toBeGreaterThan(L.size / 4);
    });
  }

  it('a window of training raises the positive over negatives; EMA lags the raw weights', () => {
    const { base, stats } = tinyWorld(9);
    const L = dynamicLayout({ dim: D, hidden: 16 });
    const tr = new OnlineTrainer(base, L, initDynamic(L, 1), { ...defaultTrainConfig, lr: 1e-2, negatives: 4 });
    const t = 1000 + 40 * 600;
    const examples: Example[] = Array.from({ length: 64 }, (_, k) => ({ user: `u${k % 3}`, history: [1, 2], item: 5 }));
    const before = tr.exampleLoss(tr.params, examples[0]!, [0, 3, 7, 9], stats, t, null);
    for (let w = 0; w < 5; w++) tr.trainWindow(examples, stats, t);
    const after = tr.exampleLoss(tr.params, examples[0]!, [0, 3, 7, 9], stats, t, null);
    expect(after).toBeLessThan(before);
    expect(tr.replayBuf.length).toBe(64 * 5 > 1024 ? 1024 : 320);
    let dRaw = 0;
    let dEma = 0;
    const init = initDynamic(L, 1);
    for (let k = 0; k < init.length; k++) {
      dRaw += Math.abs(tr.params[k]! - init[k]!);
      dEma += Math.abs(tr.ema[k]! - init[k]!);
    }
    expect(dEma).toBeGreaterThan(0);
    expect(dEma).toBeLessThan(dRaw);
  });
});
