// Attribution of a recommended item's score to the user's history (method: evidence by effect on the score).
// Occlusion / leave-one-out: the user latent is recomputed with each history item removed, and with each group
// of history items sharing one of the candidate's attribute values removed; an item's effect is the drop of the
// candidate's score. All variants of one user go through the model in ONE batch (HistoryScorer). Exact for
// any model, including the non-linear SASRec user encoder (the exact decomposition of a mean-of-latents encoder is
// the special case where effects add up).
import type { ItemFacts } from './schema.ts';

/** Scores and ranks of some items after each of several history variants (row-major [variants, items]). */
export interface VariantScores {
  scores: Float64Array;
  /** 1-based rank of each item among all catalogue items not in `exclude` (pessimistic ties). */
  ranks: Int32Array;
}

/** The model as attribution and faithfulness see it: history in, scores out. */
export interface HistoryScorer {
  /**
   * Scores `items` after each history variant (item indices, oldest first), with every variant's user latent
   * computed in one model run. `exclude` = items never ranked (the user's full history).
   */
  scoreVariants(variants: readonly (readonly number[])[], items: readonly number[], exclude: readonly number[]): Promise<VariantScores>;
}

/** Default number of recent history positions attribution considers (the user encoder's window in this project). */
export const DEFAULT_WINDOW = 50;

/** Distinct items of the newest `window` history positions, newest last: the items that can carry an effect. */
export function historyWindow(history: readonly number[], window = DEFAULT_WINDOW): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (let p = history.length - 1; p >= Math.max(0, history.length - window); p--) {
    const i = history[p]!;
    if (!seen.has(i)) {
      seen.add(i);
      out.push(i);
    }
  }
  return out.reverse();
}

/** The history with every occurrence of `removed` taken out (the model then sees its usual window of the rest). */
export function without(history: readonly number[], removed: ReadonlySet<number>): number[] {
  return history.filter((i) => !removed.has(i));
}

/** The history restricted to `kept` (order preserved). */
export function onlyThese(history: readonly number[], kept: ReadonlySet<number>): number[] {
  return history.filter((i) => kept.has(i));
}

export const attributeKey = (a: { kind: string; value: string }) => `${a.kind}\u0000${a.value}`;

/** Per candidate: its attribute values shared with window items, and which window items carry each. */
export function attributeGroups(candidate: ItemFacts, window: readonly ItemFacts[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const a of candidate.attributes) {
    const key = attributeKey(a);
    if (groups.has(key)) continue;
    const carriers = window.filter((h) => h.idx !== candidate.idx && h.attributes.some((x) => x.kind === a.kind && x.value === a.value)).map((h) => h.idx);
    if (carriers.length) groups.set(key, carriers);
  }
  return groups;
}

export interface Attribution {
  /** Score and rank of each item with the full history. */
  score: number[];
  rank: number[];
  /** effect.get(h)![j] = score of items[j] with the full history minus with window item h removed. */
  effect: Map<number, number[]>;
  /** groupEffect[j].get(attributeKey) = drop of items[j]'s score when that group's carriers are removed. */
  groupEffect: Map<string, number>[];
}

/**
 * Leave-one-out effects of every window item on every item, plus the group effects of `groups[j]` (attribute
 * key -> carrier items) on item j; one scorer call (one batch) for all variants.
 */
export async function attributeHistory(scorer: HistoryScorer, history: readonly number[], items: readonly number[], groups: readonly Map<string, number[]>[] = [], window = DEFAULT_WINDOW): Promise<Attribution> {
  const win = historyWindow(history, window);
  const variants: number[][] = [[...history], ...win.map((h) => without(history, new Set([h])))];
  // The same carrier set (e.g. two candidates sharing a genre) is one variant.
  const groupRow = new Map<string, number>();
  const groupOf: { key: string; row: number }[][] = groups.map((g) =>
    [...g.entries()].map(([key, carriers]) => {
      const sig = [...carriers].sort((a, b) => a - b).join(',');
      let row = groupRow.get(sig);
      if (row === undefined) {
        row = variants.length;
        groupRow.set(sig, row);
        variants.push(without(history, new Set(carriers)));
      }
      return { key, row };
    }),
  );
  const { scores, ranks } = await scorer.scoreVariants(variants, items, history);
  const n = items.length;
  const at = (row: number, j: number) => scores[row * n + j]!;
  const score = items.map((_, j) => at(0, j));
  const effect = new Map<number, number[]>();
  win.forEach((h, r) => effect.set(h, items.map((_, j) => score[j]! - at(r + 1, j))));
  const groupEffect = items.map((_, j) => new Map((groupOf[j] ?? []).map(({ key, row }) => [key, score[j]! - at(row, j)] as const)));
  return { score, rank: items.map((_, j) => ranks[j]!), effect, groupEffect };
}
