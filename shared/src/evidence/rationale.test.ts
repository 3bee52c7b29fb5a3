// The template rationale word for word (what a user reads when no LLM answers): every attribute kind's phrase,
// one and two neighbours with their co-user counts, each of the three phrasings with neighbours only, attributes
// only and both, the phrasing index wrapping around, at most two of each cited, and the sentence without evidence.
import { describe, expect, it } from 'vitest';
import { attributePhrase, renderRationale } from './rationale.ts';
import { EVIDENCE_VERSION, type AttributeEvidence, type Evidence, type NeighbourEvidence } from './schema.ts';

const nb = (idx: number, title: string, coUsers: number): NeighbourEvidence => ({ idx, id: `i${idx}`, title, similarity: 0.5, coUsers, effect: null });
const at = (kind: AttributeEvidence['kind'], value: string): AttributeEvidence => ({ kind, value, weight: 0.3, historyItems: 2, effect: null });
const ev = (neighbours: NeighbourEvidence[], attributes: AttributeEvidence[]): Evidence => ({
  v: EVIDENCE_VERSION, method: 'co-interaction', item: { idx: 9, id: 'i9', title: 'Heat' }, score: null, neighbours, attributes, content: [], minCoUsers: 5,
});

describe('template rationale', () => {
  it('names each attribute kind in its own words', () => {
    expect(['genre', 'director', 'writer', 'cast', 'keyword', 'attribute'].map((kind) => attributePhrase({ kind: kind as AttributeEvidence['kind'], value: 'X' }))).toEqual([
      'the genre X', 'director X', 'writer X', 'actor X', 'the theme X', 'the attribute X',
    ]);
  });

  it('phrasing 0: neighbours and attributes, neighbours only, attributes only', () => {
    const two = [nb(1, 'Alien', 12), nb(2, 'Aliens', 7)];
    expect(renderRationale(ev(two, [at('genre', 'Sci-Fi'), at('director', 'Cameron')])).text).toBe(
      'Recommended because you watched "Alien" and "Aliens" (12 and 7 viewers, respectively, also watched this) and it matches your interest in the genre Sci-Fi and director Cameron.');
    expect(renderRationale(ev([nb(1, 'Alien', 12)], [])).text).toBe('Recommended because you watched "Alien" (12 viewers watched both).');
    expect(renderRationale(ev([], [at('cast', 'Weaver')])).text).toBe('Recommended because it matches your interest in actor Weaver.');
  });

  it('phrasings 1 and 2, and the index wraps around modulo three', () => {
    const one = [nb(3, 'Fargo', 9)];
    const kw = [at('keyword', 'heist')];
    expect(renderRationale(ev(one, kw), 1).text).toBe('Viewers who watched "Fargo" also watched this (9 viewers watched both), and it features the theme heist, which you often choose.');
    expect(renderRationale(ev(one, []), 1).text).toBe('Viewers who watched "Fargo" also watched this (9 viewers watched both).');
    expect(renderRationale(ev([], kw), 1).text).toBe('It features the theme heist, which you often choose.');
    expect(renderRationale(ev(one, kw), 2).text).toBe('Like "Fargo", which you watched (9 viewers watched both), it fits your taste for the theme heist.');
    expect(renderRationale(ev(one, []), 2).text).toBe('Like "Fargo", which you watched (9 viewers watched both), it fits your taste.');
    expect(renderRationale(ev([], kw), 2).text).toBe('It fits your taste for the theme heist.');
    expect(renderRationale(ev(one, kw), 4).text).toBe(renderRationale(ev(one, kw), 1).text);
  });

  it('cites at most two neighbours and two attributes, exactly those named, from the template', () => {
    const r = renderRationale(ev([nb(1, 'A', 9), nb(2, 'B', 8), nb(3, 'C', 7)], [at('genre', 'g1'), at('writer', 'w'), at('genre', 'g3')]));
    expect(r).toEqual({ v: EVIDENCE_VERSION, text: expect.any(String), cited: { neighbours: [1, 2], attributes: [{ kind: 'genre', value: 'g1' }, { kind: 'writer', value: 'w' }] }, source: 'template' });
    expect(r.text).not.toContain('"C"');
    expect(r.text).not.toContain('g3');
    expect(r.text).toContain('writer w');
  });

  it('without evidence it says so and cites nothing', () => {
    expect(renderRationale(ev([], []), 2)).toEqual({ v: EVIDENCE_VERSION, text: 'Recommended from your overall viewing pattern; no single film or attribute stands out as evidence.', cited: { neighbours: [], attributes: [] }, source: 'template' });
  });
});
