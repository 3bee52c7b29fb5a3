import { describe, expect, it } from 'vitest';
import { mulberry32 } from './rng.ts';

// Pinned outputs: a change here silently changes every seeded result (adapter init, PQ codes, sampled negatives,
// sampled generations), so it must be deliberate.
describe('mulberry32', () => {
  it('gives the pinned stream for fixed seeds', () => {
    const take = (seed: number) => {
      const r = mulberry32(seed);
      return [r(), r(), r()];
    };
    expect(take(0)).toEqual([0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]);
    expect(take(1)).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    expect(take(42)).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  });

  it('takes seeds modulo 2^32 (large products such as seed * 2654435761 are fine)', () => {
    const big = mulberry32(2654435761 * 3);
    const wrapped = mulberry32((2654435761 * 3) % 2 ** 32);
    for (let i = 0; i < 5; i++) expect(big()).toBe(wrapped());
    expect(mulberry32(2654435761 * 3)()).toBe(0.2651473756413907);
  });

  it('stays in [0, 1)', () => {
    const r = mulberry32(7);
    for (let i = 0; i < 10_000; i++) {
      const v = r();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});
