import { describe, expect, it } from 'vitest';
import { chooseWeight, WEIGHTS } from './llm-eval.ts';

describe('fusion weight chosen on validation', () => {
  const byWeight = (f: (w: number) => number) => Object.fromEntries(WEIGHTS.map((w) => [String(w), [f(w), f(w)]]));

  it('picks the best validation mean, and 0 (latent order) when no weight beats it', () => {
    expect(chooseWeight(byWeight((w) => (w === 0.25 ? 0.2 : 0.1)))).toBe(0.25);
    expect(chooseWeight(byWeight((w) => 0.1 - w))).toBe(0);
    // Ties go to the smaller weight: an LLM that changes nothing on validation stays off.
    expect(chooseWeight(byWeight(() => 0.1))).toBe(0);
  });

  it('never chooses a weight scoring below w = 0 on validation', () => {
    for (let s = 1; s <= 50; s++) {
      const f = (w: number) => Math.sin(s * (w + 1)) * 0.01 + 0.1;
      const w = chooseWeight(byWeight(f));
      expect(f(w)).toBeGreaterThanOrEqual(f(0));
    }
  });
});
