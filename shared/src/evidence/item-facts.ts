// Turns an item record (canonical items.jsonl shape: title + text fields) into the attribute facts the
// evidence may cite: genres, director, writer, top-billed cast, plot keywords, catalogue attributes.
import type { ItemFacts } from './schema.ts';

export interface ItemTextLike {
  genres?: string[];
  director?: string[];
  writer?: string[];
  cast?: string[];
  plot?: string;
  attributes?: string[];
}

const STOP = new Set(
  'about after again against along among another around because become becomes before begin begins being between both cannot could during each every finds first from gets have having himself herself into itself later little loses makes meets more most much must never other others over their them themselves there these they things those through together under until upon very when where which while whose with within without would young years after'.split(' '),
);

/** Distinct plot keywords: lower-case words of 5+ letters that are not function words, in order of appearance. */
export function plotKeywords(plot: string | undefined, max = 8): string[] {
  if (!plot) return [];
  const out: string[] = [];
  for (const w of plot.toLowerCase().match(/[a-z]{5,}/g) ?? []) {
    if (!STOP.has(w) && !out.includes(w)) out.push(w);
    if (out.length >= max) break;
  }
  return out;
}

export function itemFacts(item: { idx: number; id: string; title: string; text?: ItemTextLike }, castLimit = 5): ItemFacts {
  const t = item.text ?? {};
  const attributes: ItemFacts['attributes'] = [
    ...(t.genres ?? []).filter((g) => g && g !== 'unknown').map((value) => ({ kind: 'genre' as const, value })),
    ...(t.director ?? []).map((value) => ({ kind: 'director' as const, value })),
    ...(t.writer ?? []).slice(0, 2).map((value) => ({ kind: 'writer' as const, value })),
    ...(t.cast ?? []).slice(0, castLimit).map((value) => ({ kind: 'cast' as const, value })),
    ...plotKeywords(t.plot).map((value) => ({ kind: 'keyword' as const, value })),
    ...(t.attributes ?? []).map((value) => ({ kind: 'attribute' as const, value })),
  ];
  return { idx: item.idx, id: item.id, title: item.title, attributes };
}
