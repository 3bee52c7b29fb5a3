// The content-profile term for items without CF signal: scale, centring on the catalog mean, the last-50 window.
import { describe, expect, it } from 'vitest';
import { calibrate, coldContent, contentProfile, PROFILE_WINDOW, profileTerm } from './cold-content.ts';

// four items in 2-d: norms 1, 1, 2 and an item with no content
const latents = Float32Array.from([1, 0, 0, 1, 0, 2, 0, 0]);

describe('cold content', () => {
  it('normalises rows, averages norms and unit rows over the items that have content', () => {
    const c = coldContent(latents, 2, 3);
    expect([...c.unit]).toEqual([1, 0, 0, 1, 0, 1, 0, 0]);
    expect(c.scale).toBeCloseTo(4 / 3, 6);
    expect(c.mean[0]).toBeCloseTo(1 / 3, 6);
    expect(c.mean[1]).toBeCloseTo(2 / 3, 6);
    expect(() => coldContent(latents, 3, 1)).toThrow(/dim 3/);
    expect(() => coldContent(latents, 2, -1)).toThrow(/>= 0/);
  });

  it('profiles the last window of the history, skips unknown items, and centres the term on the catalog mean', () => {
    const c = coldContent(latents, 2, 3);
    const q = new Float32Array(2);
    const centre = contentProfile(c, [0, 0, 99, -1], q);
    expect([...q]).toEqual([1, 0]);
    expect(centre).toBeCloseTo(1 / 3, 6);
    // 3 * |z_u| 2 * scale 4/3 * (cos 0 with item 1 - centre 1/3) and (cos 1 with item 0 - 1/3)
    expect(profileTerm(c, 2, q, centre!, c.unit, 1)).toBeCloseTo(3 * 2 * (4 / 3) * (0 - 1 / 3), 5);
    expect(profileTerm(c, 2, q, centre!, c.unit, 0)).toBeCloseTo(3 * 2 * (4 / 3) * (1 - 1 / 3), 5);
    expect(contentProfile(c, [3], q)).toBeNull();
    expect([...q]).toEqual([0, 0]);
    // only the last PROFILE_WINDOW items count: item 1 early, then a full window of item 0
    const h = [1, ...Array.from({ length: PROFILE_WINDOW }, () => 0)];
    contentProfile(c, h, q);
    expect([...q]).toEqual([1, 0]);
    contentProfile(c, h.slice(0, PROFILE_WINDOW), q);
    expect(q[1]).toBeGreaterThan(0);
  });

  it('calibrates mixed scores onto the plain scores: order of the mixed ones, mean and spread of the plain ones', () => {
    const mixed = Float64Array.from([10, -10, 0]);
    calibrate([0, 1, 2], mixed);
    expect([...mixed].map((x) => Math.round(x * 1e6) / 1e6)).toEqual([2, 0, 1]);
    const one = Float64Array.from([5]);
    calibrate([0.5], one);
    expect([...one]).toEqual([0.5]);
    const flat = Float64Array.from([3, 3]);
    calibrate([1, 2], flat);
    expect([...flat]).toEqual([1, 2]);
  });
});
