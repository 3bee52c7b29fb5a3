import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildEvidence, checkRationale, CoInteractionIndex, itemFacts, removalCheck, renderRationale, type EvidenceSource, type ItemFacts } from './index.ts';

const genres = ['Drama', 'Comedy', 'Thriller', 'Sci-Fi'];
function catalog(n: number): ItemFacts[] {
  return Array.from({ length: n }, (_, i) =>
    itemFacts({ idx: i, id: String(i + 1), title: `Film ${i + 1} (199${i % 10})`, text: { genres: [genres[i % 4]!], director: [`Director ${i % 3}`], cast: [`Actor ${i % 5}`], plot: i % 2 ? 'A detective hunts a murderer through the harbour.' : 'Two friends build a rocket.' } }),
  );
}

function source(items: ItemFacts[], latents: number[][], histories: number[][]): EvidenceSource {
  const co = new CoInteractionIndex(histories, items.length);
  return { facts: (i) => items[i]!, latent: (i) => latents[i]!, coUsers: (a, b) => co.count(a, b) };
}

describe('co-interaction counts', () => {
  it('counts distinct users, ignoring repeats', () => {
    const co = new CoInteractionIndex([[0, 1, 1], [0, 1], [1, 2], [0, 0]], 3);
    expect(co.count(0, 1)).toBe(2);
    expect(co.count(1, 2)).toBe(1);
    expect(co.count(0, 2)).toBe(0);
    expect(co.list(1, 2).co).toEqual([[0, 2]]);
  });
});

describe('evidence and rationale', () => {
  const items = catalog(6);
  // Item 1 is the candidate's nearest neighbour in latent space but only 4 users share it; item 2 has 6.
  const latents = [[1, 0], [0.99, 0.1], [0.9, 0.4], [0, 1], [-1, 0], [0.5, 0.5]];
  const histories = [...Array.from({ length: 4 }, () => [0, 1]), ...Array.from({ length: 6 }, () => [0, 2]), [3, 4]];
  const src = source(items, latents, histories);

  it('cites a neighbour only at or above the co-user threshold, most similar first', () => {
    const ev = buildEvidence(src, 0, [1, 2, 3, 4], { minCoUsers: 5 });
    expect(ev.neighbours.map((n) => n.idx)).toEqual([2]);
    expect(ev.neighbours[0]!.coUsers).toBe(6);
    const low = buildEvidence(src, 0, [1, 2, 3, 4], { minCoUsers: 4 });
    expect(low.neighbours.map((n) => n.idx)).toEqual([1, 2]);
    expect(JSON.stringify(ev).replace(/coUsers|minCoUsers/g, '')).not.toMatch(/user/i);
  });

  it('weights attributes by history attention', () => {
    const ev = buildEvidence(src, 0, [1, 2, 3, 4]);
    const w = Object.fromEntries(ev.attributes.map((a) => [`${a.kind}:${a.value}`, a.weight]));
    // Candidate 0: Drama, Director 0, Actor 0; the history's nearest item (1) is Comedy/Director 1, so the
    // shared values come from farther items and get less than the total attention.
    for (const a of ev.attributes) expect(a.weight).toBeGreaterThan(0);
    expect(Object.values(w).every((x) => x <= 1 + 1e-9)).toBe(true);
  });

  it('renders a sentence naming only evidence, and removal takes a cited piece out', async () => {
    const ev = buildEvidence(src, 0, [1, 2, 3, 4], { minCoUsers: 4 });
    const r = await renderRationale(ev);
    expect(r.text).toContain('"Film 2 (1991)"');
    expect(checkRationale(r, ev, items.map((i) => i.title))).toEqual({ ok: true, problems: [] });
    expect((await removalCheck(r, ev)).ok).toBe(true);
    const forged = { ...r, text: r.text.replace('Film 2 (1991)', 'Film 5 (1994)') };
    expect(checkRationale(forged, ev, items.map((i) => i.title)).ok).toBe(false);
  });

  it('an LLM chooser picks within the slots and cannot add anything', async () => {
    const ev = buildEvidence(src, 0, [1, 2, 3, 4], { minCoUsers: 4 });
    const picks: string[] = [];
    const r = await renderRationale(ev, (slot, choices) => {
      picks.push(slot);
      return slot === 'phrasing' ? 99 : choices.length - 1;
    });
    expect(r.source).toBe('llm');
    expect(picks).toContain('phrasing');
    expect(checkRationale(r, ev, items.map((i) => i.title)).ok).toBe(true);
  });

  it('is faithful for arbitrary catalogues, histories and latents', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 8 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.float({ noNaN: true, min: -1, max: 1 }), fc.float({ noNaN: true, min: -1, max: 1 })), { minLength: 10, maxLength: 10 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 6 }),
        async (hist, lat, cand, k) => {
          const items10 = catalog(10);
          const s = source(items10, lat.map(([a, b]) => [a, b]), hist);
          const ev = buildEvidence(s, cand, hist[0]!, { minCoUsers: k });
          for (const n of ev.neighbours) expect(n.coUsers).toBeGreaterThanOrEqual(k);
          const r = await renderRationale(ev);
          expect(checkRationale(r, ev, items10.map((i) => i.title)).problems).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('published co-interaction lists', () => {
  it('give the same counts as the index for listed pairs and 0 below the publishing threshold', async () => {
    const { coUsersFromLists } = await import('./explain.ts');
    const hist = [[0, 1, 2], [0, 1], [0, 1, 2], [1, 2]];
    const co = new CoInteractionIndex(hist, 3);
    const lists = [0, 1, 2].map((i) => co.list(i, 3));
    const f = coUsersFromLists(async (i) => lists[i] ?? null);
    expect(await f(1, [0, 2])).toEqual([3, 3]);
    expect(await f(0, [2])).toEqual([0]); // 2 co-users < publishing threshold 3
  });
});

describe('duplicate titles', () => {
  it('a title is cited once even when two ids share it, so removal takes it out of the sentence', async () => {
    const items = catalog(4).map((f, i) => (i === 2 ? { ...f, title: 'Film 2 (1991)' } : f));
    const s = source(items, [[1, 0], [0.99, 0.1], [0.98, 0.12], [0, 1]], Array.from({ length: 6 }, () => [0, 1, 2]));
    const ev = buildEvidence(s, 0, [1, 2, 3]);
    expect(ev.neighbours.map((n) => n.title)).toEqual(['Film 2 (1991)']);
    const r = await renderRationale(ev);
    expect((await removalCheck(r, ev)).ok).toBe(true);
  });
});
