import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attributeHistory, buildEvidence, checkRationale, CoInteractionIndex, explainWithModel, itemFacts, measureFaithfulness, renderRationale, type EvidenceSource, type HistoryScorer, type ItemFacts } from './index.ts';

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

/** A model to attribute: z_u = tanh of the mean latent of the history (non-linear, so effects do not add up). */
function tanhMeanScorer(latents: number[][], calls = { n: 0 }): HistoryScorer {
  const zu = (h: readonly number[]) => {
    const d = latents[0]!.length;
    const z = new Array<number>(d).fill(0);
    for (const i of h) for (let k = 0; k < d; k++) z[k]! += latents[i]![k]! / h.length;
    return z.map(Math.tanh);
  };
  const dot = (a: number[], b: number[]) => a.reduce((s, x, k) => s + x * b[k]!, 0);
  return {
    async scoreVariants(variants, items, exclude) {
      calls.n++;
      const scores = new Float64Array(variants.length * items.length);
      const ranks = new Int32Array(variants.length * items.length);
      variants.forEach((h, v) => {
        const z = zu(h);
        const all = latents.map((l) => (h.length ? dot(z, l) : 0));
        items.forEach((it, j) => {
          scores[v * items.length + j] = all[it]!;
          ranks[v * items.length + j] = 1 + all.filter((s, i) => i !== it && !exclude.includes(i) && s >= all[it]!).length;
        });
      });
      return { scores, ranks };
    },
  };
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

describe('co-interaction evidence (baseline) and the template', () => {
  const items = catalog(6);
  // Item 1 is the candidate's nearest neighbour in latent space but only 4 users share it; item 2 has 6.
  const latents = [[1, 0], [0.99, 0.1], [0.9, 0.4], [0, 1], [-1, 0], [0.5, 0.5]];
  const histories = [...Array.from({ length: 4 }, () => [0, 1]), ...Array.from({ length: 6 }, () => [0, 2]), [3, 4]];
  const src = source(items, latents, histories);

  it('cites a neighbour only at or above the co-user threshold, most similar first', () => {
    const ev = buildEvidence(src, 0, [1, 2, 3, 4], { minCoUsers: 5 });
    expect(ev.method).toBe('co-interaction');
    expect(ev.neighbours.map((n) => n.idx)).toEqual([2]);
    expect(ev.neighbours[0]!.coUsers).toBe(6);
    const low = buildEvidence(src, 0, [1, 2, 3, 4], { minCoUsers: 4 });
    expect(low.neighbours.map((n) => n.idx)).toEqual([1, 2]);
  });

  it('renders a sentence naming only evidence; a forged title is caught', () => {
    const ev = buildEvidence(src, 0, [1, 2, 3, 4], { minCoUsers: 4 });
    const r = renderRationale(ev);
    expect(r.source).toBe('template');
    expect(r.text).toContain('"Film 2 (1991)"');
    expect(checkRationale(r, ev, items.map((i) => i.title))).toEqual({ ok: true, problems: [] });
    const forged = { ...r, text: r.text.replace('Film 2 (1991)', 'Film 5 (1994)') };
    expect(checkRationale(forged, ev, items.map((i) => i.title)).ok).toBe(false);
  });

  it('the template is faithful to its evidence for arbitrary catalogues, histories and latents', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 8 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.float({ noNaN: true, min: -1, max: 1 }), fc.float({ noNaN: true, min: -1, max: 1 })), { minLength: 10, maxLength: 10 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 6 }),
        (hist, lat, cand, k) => {
          const items10 = catalog(10);
          const ev = buildEvidence(source(items10, lat.map(([a, b]) => [a, b]), hist), cand, hist[0]!, { minCoUsers: k });
          for (const n of ev.neighbours) expect(n.coUsers).toBeGreaterThanOrEqual(k);
          expect(checkRationale(renderRationale(ev), ev, items10.map((i) => i.title)).problems).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('attribution: evidence by effect on the score', () => {
  // Candidate 0. Item 1 points the same way as 0 but is tiny (cosine 1, little effect); item 2 is less similar but
  // large (big effect); item 3 points away (removing it raises the score: negative effect, never evidence).
  const items = catalog(8);
  const latents = [[1, 0], [0.05, 0], [2, 1.5], [-1, 0.2], [0, 1], [0.3, -0.2], [0.1, 0.9], [-0.5, -0.5]];
  const everyone = Array.from({ length: 9 }, () => [0, 1, 2, 3, 4, 5]);
  const src = source(items, latents, everyone);
  const history = [1, 2, 3, 4, 5];

  it('measures leave-one-out effects in one model call, exactly as re-scoring each variant', async () => {
    const calls = { n: 0 };
    const scorer = tanhMeanScorer(latents, calls);
    const att = await attributeHistory(scorer, history, [0, 6]);
    expect(calls.n).toBe(1);
    for (const h of history) {
      const { scores } = await tanhMeanScorer(latents).scoreVariants([history.filter((x) => x !== h)], [0, 6], history);
      expect(att.effect.get(h)![0]).toBeCloseTo(att.score[0]! - scores[0]!, 12);
      expect(att.effect.get(h)![1]).toBeCloseTo(att.score[1]! - scores[1]!, 12);
    }
  });

  it('cites history items by effect, not by similarity; negative effects are never evidence', async () => {
    const att = await attributeHistory(tanhMeanScorer(latents), history, [0]);
    const effects = { score: att.score[0]!, history: new Map([...att.effect].map(([h, e]) => [h, e[0]!])), groups: new Map() };
    const ev = buildEvidence(src, 0, history, { minCoUsers: 5 }, effects);
    expect(ev.method).toBe('attribution');
    expect(ev.neighbours[0]!.idx).toBe(2);
    expect(ev.neighbours.map((n) => n.idx)).not.toContain(3);
    for (const n of ev.neighbours) expect(n.effect).toBeGreaterThan(0);
    for (let i = 1; i < ev.neighbours.length; i++) expect(ev.neighbours[i - 1]!.effect!).toBeGreaterThanOrEqual(ev.neighbours[i]!.effect!);
    const baseline = buildEvidence(src, 0, history, { minCoUsers: 5 });
    expect(baseline.neighbours[0]!.idx).toBe(1);
  });

  it('privacy: the item with the largest effect is not cited when fewer than k users share it', async () => {
    // Item 2 (largest effect) is shared with the candidate by 4 users only.
    const few = [...Array.from({ length: 4 }, () => [0, 2]), ...Array.from({ length: 6 }, () => [0, 1, 4, 5])];
    const att = await attributeHistory(tanhMeanScorer(latents), history, [0]);
    const effects = { score: att.score[0]!, history: new Map([...att.effect].map(([h, e]) => [h, e[0]!])), groups: new Map() };
    const ev = buildEvidence(source(items, latents, few), 0, history, { minCoUsers: 5 }, effects);
    expect(ev.neighbours.length).toBeGreaterThan(0);
    expect(ev.neighbours.map((n) => n.idx)).not.toContain(2);
    for (const n of ev.neighbours) expect(n.coUsers).toBeGreaterThanOrEqual(5);
  });

  it('faithfulness: comprehensiveness and sufficiency re-score the model, with random subsets of equal size', async () => {
    const calls = { n: 0 };
    const scorer = tanhMeanScorer(latents, calls);
    const [f, none] = await measureFaithfulness(scorer, history, [{ item: 0, cited: [2] }, { item: 6, cited: [] }], { samples: 20, seed: 7 });
    expect(calls.n).toBe(1);
    const direct = async (h: number[]) => (await tanhMeanScorer(latents).scoreVariants([h], [0], history)).scores[0]!;
    const full = await direct(history);
    expect(f!.score).toBeCloseTo(full, 12);
    expect(f!.comprehensiveness.scoreDrop).toBeCloseTo(full - (await direct([1, 3, 4, 5])), 12);
    expect(f!.sufficiency.scoreDrop).toBeCloseTo(full - (await direct([2])), 12);
    // Random single items from the window: the mean drop over all five candidates, within sampling noise.
    let mean = 0;
    for (const h of history) mean += (full - (await direct(history.filter((x) => x !== h)))) / history.length;
    expect(f!.comprehensiveness.randomScoreDrop).toBeGreaterThan(mean - 0.1);
    expect(f!.comprehensiveness.randomScoreDrop).toBeLessThan(f!.comprehensiveness.scoreDrop);
    expect(f!.comprehensiveness.rank).toBeGreaterThanOrEqual(f!.rank);
    expect(none).toMatchObject({ size: 0, samples: 0, comprehensiveness: { scoreDrop: 0 } });
  });

  it('explainWithModel: a writer naming something outside the evidence is caught and the template answers', async () => {
    const input = { history: history.map((i) => items[i]!), items: [items[0]!], coUsers: [history.map(() => 9)], latent: (i: number) => latents[i]!, minCoUsers: 5 };
    const scorer = tanhMeanScorer(latents);
    const rogue = { write: async () => [{ v: 2 as const, text: 'Because of "Film 3 (1992)" and "Titanic (1997)".', cited: { neighbours: [2], attributes: [] }, source: 'llm' as const }] };
    const [e] = await explainWithModel(scorer, input, { writer: rogue });
    expect(e!.rationale.source).toBe('template');
    expect(e!.rationale.text).not.toContain('Titanic');
    const honest = { write: async (evs: readonly { neighbours: { idx: number; title: string }[] }[]) => evs.map((ev) => ({ v: 2 as const, text: `You liked "${ev.neighbours[0]!.title}".`, cited: { neighbours: [ev.neighbours[0]!.idx], attributes: [] }, source: 'llm' as const })) };
    const [g] = await explainWithModel(scorer, input, { writer: honest });
    expect(g!.rationale.source).toBe('llm');
    expect(g!.faithfulness.size).toBe(1);
    expect(g!.faithfulness.comprehensiveness.scoreDrop).toBeCloseTo(g!.evidence.neighbours[0]!.effect!, 12);
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
  it('a title is cited once even when two ids share it', () => {
    const items = catalog(4).map((f, i) => (i === 2 ? { ...f, title: 'Film 2 (1991)' } : f));
    const s = source(items, [[1, 0], [0.99, 0.1], [0.98, 0.12], [0, 1]], Array.from({ length: 6 }, () => [0, 1, 2]));
    const ev = buildEvidence(s, 0, [1, 2, 3]);
    expect(ev.neighbours.map((n) => n.title)).toEqual(['Film 2 (1991)']);
  });
});
