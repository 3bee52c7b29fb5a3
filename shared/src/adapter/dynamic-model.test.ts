import { describe, expect, it } from 'vitest';
import { adaptUser, dynamicLayout, DynamicScorer, historyKey, initDynamic, splitParams } from './dynamic-model.ts';
import { adapterForward, adapterMlp, AdapterScratch, mulberry32 } from './gated-adapter.ts';
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

/** Eq. 1 computed densely per item, as the trainer computes it (online-trainer.ts itemForward): the reference. */
function referenceScores(p: Float32Array, L: ReturnType<typeof dynamicLayout>, base: MeanHistoryBase, stats: WindowStats, at: number, user: string, history: number[], t: number, noGate: boolean): Float64Array {
  const D = base.dim;
  const u = new Float32Array(D);
  base.userLatent(history, u);
  // User side without adaptUser: features at request time t, gate mask 0 keeps u.
  const uT = new Float32Array(D + 1);
  const su = new Float32Array(STAT_DIM);
  const fu = new Float32Array(GATE_DIM);
  const scu = new AdapterScratch(L.user);
  const maskU = stats.userFeatures(user, history.length, t, su, 0, fu, 0);
  if (maskU === 0) uT.set(u);
  else if (noGate) {
    const a = adapterMlp(splitParams(p, L).user, L.user, u, 0, su, 0, scu);
    for (let d = 0; d < D; d++) uT[d] = u[d]! + a[d]!;
  } else adapterForward(splitParams(p, L).user, L.user, u, 0, su, 0, fu, 0, maskU, scu, uT);
  const pi = splitParams(p, L).item;
  const sc = new AdapterScratch(L.item);
  const s = new Float32Array(STAT_DIM);
  const f = new Float32Array(GATE_DIM);
  const z = new Float32Array(D + 1);
  const recent = history.slice(-stats.cfg.recentItems);
  const out = new Float64Array(base.nItems);
  for (let i = 0; i < base.nItems; i++) {
    const mask = stats.itemFeatures(i, at, s, 0, f, 0);
    f[GATE_DIM - 1] = coPair(stats, recent, i, at);
    if (mask === 0) {
      z.set(base.itemLatents.subarray(i * D, (i + 1) * D));
      z[D] = 0;
    } else {
      adapterForward(pi, L.item, base.itemLatents, i * D, s, 0, f, 0, mask, sc, z);
      if (noGate) for (let d = 0; d <= D; d++) z[d] = (d < D ? base.itemLatents[i * D + d]! : 0) + sc.a[d]!;
    }
    let acc = z[D]!;
    for (let d = 0; d < D; d++) acc += uT[d]! * z[d]!;
    out[i] = acc;
  }
  return out;
}

describe('DynamicScorer against the dense Eq. 1 (tight tolerance, every branch of the serving shortcut)', () => {
  const rnd = mulberry32(77);
  const D = 5;
  const N = 30;
  const vec = (n: number, s = 1) => Float32Array.from({ length: n }, () => (rnd() - 0.5) * s);
  const base = new MeanHistoryBase(D, vec(N * D), vec(N * D));
  const L = dynamicLayout({ dim: D, hidden: 8 });
  const p = initDynamic(L, 9);
  for (let k = 0; k < p.length; k++) p[k]! += (rnd() - 0.5) * 0.8;
  p[L.item.wg + GATE_DIM - 1] = 2.5; // a strong co-interaction gate weight: the sparse correction matters
  const stats = new WindowStats(N);
  const day = 24 * 3600;
  // Old events (items 0-9, beyond the 7-day active horizon at `at`: gate mask 0, item 0 among them) co-occur with
  // recent ones (items 10-29, the last item included) in users' streams.
  for (let k = 0; k < 60; k++) stats.apply({ eventId: `old${k}`, user: `u${k % 4}`, item: k % 10, ts: 1e6 + k * 600 });
  for (let k = 0; k < 90; k++) stats.apply({ eventId: `new${k}`, user: `u${k % 4}`, item: 10 + ((k * 7) % 20), ts: 1e6 + 9 * day + k * 600 });
  stats.apply({ eventId: 'mixed', user: 'u1', item: 5, ts: 1e6 + 9 * day + 90 * 600 }); // keeps old item 5 active
  const at = 1e6 + 9 * day + 91 * 600;
  const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!), `item ${i}: ${a[i]} vs ${b[i]}`).toBeLessThan(1e-5 * (1 + Math.abs(b[i]!)));
  };
  const cases: [string, string, number[]][] = [
    ['active user, history longer than recentItems (only the newest 5 co-interact), the last item among them', 'u1', [1, 13, 20, 27, 14, 21, 4, 11, 29]],
    ['user unseen by the statistics (gate mask 0: u_t = u)', 'stranger', [2, 19, 25]],
    ['short history with an inactive item', 'u2', [2, 15]],
  ];

  for (const [name, user, history] of cases) {
    it(`${name}`, () => {
      const t = at + 120;
      const ref = referenceScores(p, L, base, stats, at, user, history, t, false);
      const out = new Float32Array(N);
      new DynamicScorer(base, p, L, stats, at, { coMin: 0 }).score(user, history, t, out);
      close(out, ref);
      // The adapter really moves scores (else the comparison proves little).
      const st = new Float32Array(N);
      new DynamicScorer(base, p, L, stats, at, { coMin: 0 }).score(user, history, t, st, 'static');
      expect(Math.max(...Array.from(out, (x, i) => Math.abs(x - st[i]!)))).toBeGreaterThan(0.05);
    });
  }

  it('the no-gate ablation (g = mask, no co-interaction term) matches its dense form', () => {
    const history = [1, 13, 20, 27, 14, 29];
    const ref = referenceScores(p, L, base, stats, at, 'u1', history, at + 60, true);
    const out = new Float32Array(N);
    new DynamicScorer(base, p, L, stats, at, { coMin: 0, noGate: true }).score('u1', history, at + 60, out);
    close(out, ref);
  });

  it('scoreLatent with the base z_u equals score; static mode is z_u . z_i; coMin drops only small co-counts (default 0.05)', () => {
    const history = [1, 13, 20, 27, 14, 29];
    const u = new Float32Array(D);
    base.userLatent(history, u);
    const a = new Float32Array(N);
    const b = new Float32Array(N);
    const scorer = new DynamicScorer(base, p, L, stats, at, { coMin: 0 });
    scorer.score('u1', history, at, a);
    scorer.scoreLatent('u1', u, history, at, b);
    expect(Array.from(b)).toEqual(Array.from(a));
    scorer.scoreLatent('u1', u, history, at, b, 'static');
    for (let i = 0; i < N; i++) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += u[d]! * base.itemLatents[i * D + d]!;
      expect(b[i]).toBeCloseTo(dot, 6);
    }
    const dflt = new Float32Array(N);
    const explicit = new Float32Array(N);
    new DynamicScorer(base, p, L, stats, at).score('u1', history, at, dflt);
    new DynamicScorer(base, p, L, stats, at, { coMin: 0.05 }).score('u1', history, at, explicit);
    expect(Array.from(dflt)).toEqual(Array.from(explicit));
    const huge = new Float32Array(N);
    new DynamicScorer(base, p, L, stats, at, { coMin: 1e9 }).score('u1', history, at, huge); // drops every co-count
    expect(Array.from(huge)).not.toEqual(Array.from(a));
  });

  it('initDynamic: identity adapters (zero last layers), item gate sigmoid(-3) opening with log-count and co-interactions, user gate with log-count, distinct seeds', () => {
    const q = initDynamic(L, 3);
    const { item, user } = splitParams(q, L);
    for (const [P, A] of [[item, L.item], [user, L.user]] as const) {
      expect(P.subarray(A.w2, A.wg).every((x) => x === 0)).toBe(true); // w2 and b2
      expect(P[A.bg]).toBe(-3);
    }
    expect(Array.from(item.subarray(L.item.wg, L.item.bg))).toEqual([1, 0, 0, 1]);
    expect(Array.from(user.subarray(L.user.wg, L.user.bg))).toEqual([1, 0, 0, 0]);
    expect(Array.from(item.subarray(L.item.w1, L.item.w1 + 5))).not.toEqual(Array.from(user.subarray(L.user.w1, L.user.w1 + 5)));
    expect(Array.from(initDynamic(L, 3))).toEqual(Array.from(q));
    expect(L.item.outDim).toBe(D + 1); // the item side carries the score-bias coordinate
    expect(L.user.outDim).toBe(D);
    expect(item.subarray(L.item.b1, L.item.w2).every((x) => x === 0)).toBe(true); // first-layer bias zero
  });

  it('He initialisation of the first layer: mean 0, std sqrt(2 / inDim) (Box-Muller)', () => {
    const big = dynamicLayout({ dim: 64, hidden: 256 });
    const w = splitParams(initDynamic(big, 5), big).item.subarray(big.item.w1, big.item.b1);
    const mean = w.reduce((a, x) => a + x, 0) / w.length;
    const sd = Math.sqrt(w.reduce((a, x) => a + (x - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.01 * Math.sqrt(2 / big.item.inDim) * 5);
    expect(sd / Math.sqrt(2 / big.item.inDim)).toBeGreaterThan(0.97);
    expect(sd / Math.sqrt(2 / big.item.inDim)).toBeLessThan(1.03);
    // Symmetric, not skewed (cos of a uniform angle): as many positive as negative weights.
    const pos = w.reduce((a, x) => a + (x > 0 ? 1 : 0), 0) / w.length;
    expect(Math.abs(pos - 0.5)).toBeLessThan(0.02);
  });

  it('historyKey tells apart histories whose digits would run together', () => {
    expect(historyKey([1, 23])).not.toBe(historyKey([12, 3]));
    expect(historyKey([])).not.toBe(historyKey([0]));
  });

  it('a user the statistics have not seen keeps its base latent exactly (gate mask 0)', () => {
    const u = vec(D);
    const out = new Float32Array(D);
    const sc = new AdapterScratch(L.user);
    const g = adaptUser(p, L, stats, 'stranger', [1, 2], at, u, sc, { s: new Float32Array(STAT_DIM), f: new Float32Array(GATE_DIM) }, out);
    expect(g).toBe(0);
    expect(sc.g).toBe(0);
    expect(Array.from(out)).toEqual(Array.from(u));
    const g1 = adaptUser(p, L, stats, 'u1', [1, 2], at, u, sc, { s: new Float32Array(STAT_DIM), f: new Float32Array(GATE_DIM) }, out);
    expect(g1).toBeGreaterThan(0);
    expect(Array.from(out)).not.toEqual(Array.from(u));
  });
});
