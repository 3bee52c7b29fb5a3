import { describe, expect, it } from 'vitest';
import { GATE_DIM, STAT_DIM, WindowStats } from './window-stats.ts';

describe('window statistics', () => {
  it('counts an event once even when delivered twice (idempotent by event id)', () => {
    const a = new WindowStats(5);
    const b = new WindowStats(5);
    const evs = [
      { eventId: 'x1', user: 'u', item: 1, ts: 100 },
      { eventId: 'x2', user: 'u', item: 2, ts: 200 },
      { eventId: 'x3', user: 'v', item: 1, ts: 300 },
    ];
    for (const e of evs) a.apply(e);
    for (const e of [...evs, evs[0], evs[1]]) b.apply(e!);
    expect(b.applied).toBe(3);
    expect(Array.from(b.itemShort)).toEqual(Array.from(a.itemShort));
    expect(b.co.get(1)?.get(2)).toBe(a.co.get(1)?.get(2));
  });

  it('decays counts, shows a rising trend, and masks items without recent events', () => {
    const s = new WindowStats(3);
    for (let k = 0; k < 20; k++) s.apply({ eventId: `a${k}`, user: `u${k}`, item: 0, ts: k * 3600 * 24 }); // steady
    for (let k = 0; k < 10; k++) s.apply({ eventId: `b${k}`, user: `w${k}`, item: 1, ts: 19 * 86400 + k * 600 }); // burst
    const t = 19 * 86400 + 7200;
    const sv = new Float32Array(STAT_DIM);
    const fv = new Float32Array(GATE_DIM);
    s.itemFeatures(0, t, sv, 0, fv, 0);
    const trendSteady = sv[2]!;
    expect(s.itemFeatures(1, t, sv, 0, fv, 0)).toBe(1);
    expect(sv[2]).toBeGreaterThan(trendSteady);
    expect(s.itemFeatures(2, t, sv, 0, fv, 0)).toBe(0);
    expect(s.itemMask(1, t + 8 * 86400)).toBe(0);
  });

  it('rebasing keeps decayed values exact', () => {
    const s = new WindowStats(2);
    s.apply({ eventId: 'a', user: 'u', item: 0, ts: 0 });
    const sv = new Float32Array(STAT_DIM);
    const fv = new Float32Array(GATE_DIM);
    s.itemFeatures(0, 40 * 86400, sv, 0, fv, 0);
    const before = sv[1]!;
    s.apply({ eventId: 'b', user: 'v', item: 1, ts: 40 * 86400 }); // triggers rebase
    s.itemFeatures(0, 40 * 86400, sv, 0, fv, 0);
    expect(sv[1]).toBeCloseTo(before, 6);
  });
});
