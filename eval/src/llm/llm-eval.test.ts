import { describe, expect, it } from 'vitest';
import { answered, chooseWeight, pairedAnswered, WEIGHTS } from './llm-eval.ts';
import { TEST, TRAIN, VALID, type Dataset } from '@llmrec/data/index.ts';
import { evidenceDictionary, layout, variantPrompt, type Variant } from './prompt-variants.ts';

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

describe('evidence ablation prompts', () => {
  const dictionary = Array.from({ length: 8 }, (_, i) => [
    { kind: 'genre', text: `Genres: g${i}` },
    { kind: 'year', text: `Released ${1990 + i}` },
    { kind: 'director', text: `Directed by d${i}` },
    { kind: 'popularity', text: `${i} ratings`, weight: i },
  ]);
  const history = Array.from({ length: 7 }, (_, i) => ({ idx: i, title: `T${i}` }));
  const o = { userId: '1', history, candidates: [{ idx: 7, title: 'C' }], dictionary, maxHistory: 50 };
  const soft = (v: Variant, kind: string) => layout(variantPrompt(v, o)).pieces.filter((p) => 'soft' in p && p.soft === kind).map((p) => ('soft' in p ? p.idx : -1));
  const text = (v: Variant) => layout(variantPrompt(v, o)).pieces.map((p) => ('text' in p ? p.text : '')).join('');

  it('full: the first 3 snippets of the 5 newest history items, each with its soft evidence token (as the edge)', () => {
    expect(soft('full', 'evidence')).toEqual([2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6]);
    expect(text('full')).toContain('Directed by d6');
    expect(text('full')).not.toContain('ratings');
    expect(text('full')).not.toContain('g1;');
  });

  it('no-evidence-tokens: the same text as full, no soft evidence pieces; no-evidence: no evidence text', () => {
    expect(soft('no-evidence-tokens', 'evidence')).toEqual([]);
    expect(text('no-evidence-tokens')).toBe(text('full'));
    expect(soft('no-evidence-tokens', 'item')).toEqual(soft('full', 'item'));
    expect(soft('no-evidence', 'evidence')).toEqual([]);
    expect(text('no-evidence')).not.toContain('Genres');
  });
});

describe('evidence dictionary of the offline eval', () => {
  it('counts popularity over training rows only (held-out interactions never reach the prompt)', () => {
    const interactions = { item: Int32Array.from([0, 1, 0, 1]), rating: Float32Array.from([4, 5, 2, 3]) } as unknown as Dataset['interactions'];
    const labels = Int8Array.from([TRAIN, TRAIN, VALID, TEST]);
    const d = evidenceDictionary({ interactions, nItems: 2 }, [{ idx: 0, text: { genres: ['Drama'] } }, { idx: 1, text: {} }], { labels });
    expect(d[0]).toEqual([{ kind: 'genre', text: 'Genres: Drama' }, { kind: 'popularity', text: '1 ratings, mean 4.00', weight: 1 }]);
    expect(d[1]).toEqual([{ kind: 'popularity', text: '1 ratings, mean 5.00', weight: 1 }]);
  });
});

describe('LLM-alone figures when a prompt did not fit (no LLM ranking)', () => {
  it('leave those users out, and pair only users ranked in both variants', () => {
    expect(answered([1, null, 0, 1])).toEqual([1, 0, 1]);
    // user 1 failed in the ablated variant, user 3 in full: two pairs remain, both with difference -1
    const t = pairedAnswered([0, null, 0, 1], [1, 0, 1, null]);
    expect(t.n).toBe(2);
    expect(t.meanDiff).toBe(-1);
  });
});
