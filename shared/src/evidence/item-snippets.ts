// The per-item snippets of the KV evidence dictionary (method: evidence-grounded explanations and prompts):
// genre, year, director, cast, catalogue attributes, plot, popularity, in that order (the prompt takes the
// first few: shared/src/prompt/prompt-evidence.ts). One source for `llmrec publish` (what goes to KV) and the
// offline LLM evaluation (what it rebuilds from the dataset, with popularity counted over training rows only).
import type { EvidenceSnippet } from '../prompt/prompt-evidence.ts';
import type { ItemTextLike } from './item-facts.ts';

/** Interaction counts per item over the rows `keep` admits; explicit = some admitted rating is not 1. */
export interface Popularity {
  count: Float64Array;
  ratingSum: Float64Array;
  explicit: boolean;
}

export function countPopularity(item: ArrayLike<number>, rating: ArrayLike<number>, nItems: number, keep: (row: number) => boolean = () => true): Popularity {
  const count = new Float64Array(nItems);
  const ratingSum = new Float64Array(nItems);
  let explicit = false;
  for (let r = 0; r < item.length; r++) {
    if (!keep(r)) continue;
    count[item[r]!]!++;
    ratingSum[item[r]!]! += rating[r]!;
    if (rating[r] !== 1) explicit = true;
  }
  return { count, ratingSum, explicit };
}

export function itemSnippets(idx: number, text: ItemTextLike & { year?: number }, pop: Popularity): EvidenceSnippet[] {
  const t = text;
  const e: EvidenceSnippet[] = [];
  if (t.genres?.length) e.push({ kind: 'genre', text: `Genres: ${t.genres.join(', ')}` });
  if (t.year) e.push({ kind: 'year', text: `Released ${t.year}` });
  if (t.director?.length) e.push({ kind: 'director', text: `Directed by ${t.director.slice(0, 2).join(', ')}` });
  if (t.cast?.length) e.push({ kind: 'cast', text: `Starring ${t.cast.slice(0, 3).join(', ')}` });
  if (t.attributes?.length) e.push({ kind: 'attributes', text: t.attributes.slice(0, 8).join(', ') });
  if (t.plot) e.push({ kind: 'plot', text: t.plot.length > 300 ? `${t.plot.slice(0, 297)}...` : t.plot });
  const c = pop.count[idx]!;
  if (c > 0) e.push({ kind: 'popularity', text: pop.explicit ? `${c} ratings, mean ${(pop.ratingSum[idx]! / c).toFixed(2)}` : `${c} interactions`, weight: c });
  return e;
}
