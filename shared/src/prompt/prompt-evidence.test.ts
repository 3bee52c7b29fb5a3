import { describe, expect, it } from 'vitest';
import { buildSoftPrompt } from '../llm-prompt/soft-prompt.ts';
import { countPopularity, itemSnippets } from '../evidence/item-snippets.ts';
import { EVIDENCE_PER_ITEM, promptEvidence, withoutEvidenceTokens } from './prompt-evidence.ts';
import { assemblePrompt } from './segments.ts';

describe('prompt evidence (edge and offline eval)', () => {
  const rec = (...kinds: string[]) => ({ evidence: kinds.map((k, i) => ({ kind: k, text: `${k} ${i}`, ...(k === 'popularity' ? { weight: 7 } : {}) })) });

  it('takes the first snippets of each item, tags them with its index, maps kinds and keeps weights', () => {
    const out = promptEvidence([{ idx: 4 }, { idx: 9 }, { idx: 2 }], [rec('genre', 'year', 'director', 'cast'), null, rec('popularity', 'co-interaction')]);
    expect(out).toEqual([
      { kind: 'attribute', text: 'genre 0', itemIdx: 4 },
      { kind: 'attribute', text: 'year 1', itemIdx: 4 },
      { kind: 'attribute', text: 'director 2', itemIdx: 4 },
      { kind: 'popularity', text: 'popularity 0', itemIdx: 2, weight: 7 },
      { kind: 'co-interaction', text: 'co-interaction 1', itemIdx: 2 },
    ]);
    expect(out.filter((e) => e.itemIdx === 4)).toHaveLength(EVIDENCE_PER_ITEM);
  });

  it('cuts snippet text to the prompt schema limit', () => {
    const [e] = promptEvidence([{ idx: 0 }], [{ evidence: [{ kind: 'plot', text: 'x'.repeat(600) }] }]);
    expect(e!.text).toHaveLength(512);
  });

  it('without evidence tokens: the same text in the LLM prompt, no soft evidence pieces', () => {
    const ev = promptEvidence([{ idx: 3 }], [rec('genre', 'year')]);
    const seg = (evidence: typeof ev) => assemblePrompt({ userId: 'u', history: [{ idx: 3, title: 'A' }], evidence, candidates: [{ idx: 1, title: 'B' }], maxHistory: 10 });
    const full = buildSoftPrompt(seg(ev)).pieces;
    const bare = buildSoftPrompt(seg(withoutEvidenceTokens(ev))).pieces;
    const text = (ps: typeof full) => ps.map((p) => ('text' in p ? p.text : '')).join('');
    expect(full.filter((p) => 'soft' in p && p.soft === 'evidence')).toHaveLength(2);
    expect(bare.filter((p) => 'soft' in p && p.soft === 'evidence')).toHaveLength(0);
    expect(text(bare)).toBe(text(full));
  });
});

describe('item snippets (the KV evidence dictionary publish writes)', () => {
  it('counts popularity only over the admitted rows (training rows in the offline eval)', () => {
    const item = [0, 0, 1, 0];
    const rating = [4, 2, 5, 1];
    const all = countPopularity(item, rating, 2);
    const train = countPopularity(item, rating, 2, (r) => r < 2);
    expect(Array.from(all.count)).toEqual([3, 1]);
    expect(Array.from(train.count)).toEqual([2, 0]);
    expect(itemSnippets(0, {}, train)).toEqual([{ kind: 'popularity', text: '2 ratings, mean 3.00', weight: 2 }]);
    // No admitted interaction: no popularity snippet (an item seen only in held-out rows says nothing).
    expect(itemSnippets(1, {}, train)).toEqual([]);
  });

  it('orders genre, year, director, cast, attributes, plot, popularity and cuts long plots', () => {
    const pop = countPopularity([0], [1], 1);
    const s = itemSnippets(0, { genres: ['Drama'], year: 1995, director: ['A', 'B', 'C'], cast: ['w', 'x', 'y', 'z'], attributes: ['k'], plot: 'p'.repeat(400) }, pop);
    expect(s.map((x) => x.kind)).toEqual(['genre', 'year', 'director', 'cast', 'attributes', 'plot', 'popularity']);
    expect(s[2]!.text).toBe('Directed by A, B');
    expect(s[5]!.text).toHaveLength(300);
    expect(s[6]!.text).toBe('1 interactions');
  });
});
