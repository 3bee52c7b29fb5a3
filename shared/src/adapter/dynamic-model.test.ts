import { describe, expect, it } from 'vitest';
import { adaptUser, dynamicLayout, DynamicScorer, initDynamic, splitParams } from './dynamic-model.ts';
import { adapterForward, AdapterScratch, mulberry32 } from './gated-adapter.ts';
import { MeanHistoryBase } from './mean-history-base.ts';
import { coPair } from './online-trainer.ts';
import { GATE_DIM, STAT_DIM, WindowStats } from './window-stats.ts';

describe('DynamicScorer (serving path of Eq. 1)', () => {
  it('folded scoring equals the direct per-item Eq. 1 forward, co-interaction gate included', () => {
    const rnd = mulberry32(21);
    const D = 6;
    const N = 25;
    const vec = (n: number, s = 1) => Float32Array.from({ length: n }, () => (rnd() - 0.5) * s);
    const base = new MeanHistoryBase(D, vec(N * D), vec(N * D));
    const L = dynamicLayout({ dim: D, hidden: 10 });
    const p = initDynamic(L, 4);
    for (let k = 0; k < p.length; k++) p[k]! += (rnd() - 0.5) * 0.4; // non-trivial adapter and gate
    const stats = new WindowStats(N);
    for (let k = 0; k < 80; k++) stats.apply({ eventId: `e${k}`, user: `u${k % 6}`, item: (k * 7) % 18, ts: 5000 + k * 900 });
    const at = 5000 + 80 * 900;
    const scorer = new DynamicScorer(base, p, L, stats, at, { coMin: 0 });
    const history = [3, 10, 17, 4, 11];
    const out = new Float32Array(N);
    scorer.score('u2', history, at + 60, out);

    const u = new Float32Array(D);
    base.userLatent(history, u);
    const uT = new Float32Array(D);
    adaptUser(p, L, stats, 'u2', history, at + 60, u, new AdapterScratch(L.user), { s: new Float32Array(STAT_DIM), f: new Float32Array(GATE_DIM) }, uT);
    const pi = splitParams(p, L).item;
    const sc = new AdapterScratch(L.item);
    const s = new Float32Array(STAT_DIM);
    const f = new Float32Array(GATE_DIM);
    const z = new Float32Array(D + 1);
    let adapted = 0;
    for (let i = 0; i < N; i++) {
      const mask = stats.itemFeatures(i, at, s, 0, f, 0);
      f[GATE_DIM - 1] = coPair(stats, history, i, at);
      let ref: number;
      if (mask === 0) {
        ref = 0;
        for (let d = 0; d < D; d++) ref += uT[d]! * base.itemLatents[i * D + d]!;
      } else {
        adapted++;
        adapterForward(pi, L.item, base.itemLatents, i * D, s, 0, f, 0, mask, sc, z);
        ref = z[D]!;
        for (let d = 0; d < D; d++) ref += uT[d]! * z[d]!;
      }
      expect(out[i]).toBeCloseTo(ref, 4);
    }
    expect(adapted).toBeGreaterThan(5);
    expect(adapted).toBeLessThan(N); // some items stay on the base latent (g = 0)
  });
});
