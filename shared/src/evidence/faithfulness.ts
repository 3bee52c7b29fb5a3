// Faithfulness of an explanation, two ways. (1) To its evidence: the sentence cites only evidence (items above
// the co-user threshold, attribute values present) and names no other title (checkRationale). (2) To the model
// (ERASER, DeYoung et al. 2020): re-score with the cited history items removed (comprehensiveness) and with only
// them kept (sufficiency), next to random subsets of the same size from the same history window
// (measureFaithfulness). (2) is the removal check: it asks the model, it does not re-render the sentence.
import { mulberry32 } from '../rng.ts';
import { DEFAULT_WINDOW, historyWindow, onlyThese, without, type HistoryScorer } from './attribution.ts';
import type { Evidence, Faithfulness, Rationale } from './schema.ts';

export interface FaithfulnessReport {
  ok: boolean;
  problems: string[];
}

/**
 * Checks `r` against `ev`. `otherTitles` are titles the sentence must not name unless cited (e.g. the
 * user's whole history and the other candidates).
 */
export function checkRationale(r: Rationale, ev: Evidence, otherTitles: readonly string[] = []): FaithfulnessReport {
  const problems: string[] = [];
  const byIdx = new Map(ev.neighbours.map((n) => [n.idx, n]));
  const citedTitles = new Set<string>();
  for (const idx of r.cited.neighbours) {
    const n = byIdx.get(idx);
    if (!n) problems.push(`cites item ${idx}, which is not in the evidence`);
    else {
      citedTitles.add(n.title);
      if (n.coUsers < ev.minCoUsers) problems.push(`cites item ${idx} with ${n.coUsers} co-users (< ${ev.minCoUsers})`);
      if (!r.text.includes(`"${n.title}"`)) problems.push(`cited item "${n.title}" is not named in the text`);
    }
  }
  for (const a of r.cited.attributes) {
    if (!ev.attributes.some((e) => e.kind === a.kind && e.value === a.value)) problems.push(`cites ${a.kind} ${a.value}, which is not in the evidence`);
    if (!r.text.includes(a.value)) problems.push(`cited ${a.kind} ${a.value} is not in the text`);
  }
  for (const m of r.text.matchAll(/"([^"]+)"/g)) {
    if (!citedTitles.has(m[1]!)) problems.push(`names "${m[1]}" without citing it`);
  }
  for (const t of otherTitles) {
    if (t && !citedTitles.has(t) && t !== ev.item.title && r.text.includes(t)) problems.push(`names "${t}", which is not cited evidence`);
  }
  for (const n of ev.neighbours) if (n.coUsers < ev.minCoUsers) problems.push(`evidence item ${n.idx} is below the co-user threshold`);
  return { ok: problems.length === 0, problems };
}

export interface FaithfulnessOptions {
  /** Random subsets per case (default 10). */
  samples?: number;
  seed?: number;
  /** History window random subsets are drawn from (default 50, the encoder's). */
  window?: number;
}

export interface FaithfulnessCase {
  item: number;
  /** The cited history items (item indices). */
  cited: readonly number[];
}

/** k distinct draws from `pool` (partial Fisher-Yates). */
function sample(pool: readonly number[], k: number, rand: () => number): number[] {
  const a = [...pool];
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, n);
}

/**
 * ERASER comprehensiveness and sufficiency of each case's cited history items, with random baselines of equal
 * size drawn from the same window; every variant of every case in one scorer call (one model batch).
 */
export async function measureFaithfulness(scorer: HistoryScorer, history: readonly number[], cases: readonly FaithfulnessCase[], opts: FaithfulnessOptions = {}): Promise<Faithfulness[]> {
  const samples = opts.samples ?? 10;
  const rand = mulberry32(opts.seed ?? 1);
  const pool = historyWindow(history, opts.window ?? DEFAULT_WINDOW);
  const items = [...new Set(cases.map((c) => c.item))];
  const col = new Map(items.map((it, j) => [it, j]));
  const variants: number[][] = [[...history]];
  const plan = cases.map((c) => {
    const cited = [...new Set(c.cited)];
    if (!cited.length) return null;
    const rows = { comp: variants.length, suff: variants.length + 1, rComp: [] as number[], rSuff: [] as number[] };
    variants.push(without(history, new Set(cited)), onlyThese(history, new Set(cited)));
    for (let s = 0; s < samples; s++) {
      const r = new Set(sample(pool, cited.length, rand));
      rows.rComp.push(variants.length);
      variants.push(without(history, r));
      rows.rSuff.push(variants.length);
      variants.push(onlyThese(history, r));
    }
    return { cited, rows };
  });
  const { scores, ranks } = await scorer.scoreVariants(variants, items, history);
  const n = items.length;
  return cases.map((c, i) => {
    const j = col.get(c.item)!;
    const s = (row: number) => scores[row * n + j]!;
    const rk = (row: number) => ranks[row * n + j]!;
    const score = s(0);
    const rank = rk(0);
    const p = plan[i];
    if (!p) {
      const none = { scoreDrop: 0, rank, randomScoreDrop: 0, randomRank: rank };
      return { size: 0, score, rank, comprehensiveness: none, sufficiency: none, samples: 0 };
    }
    const mean = (rows: number[], f: (r: number) => number) => (rows.length ? rows.reduce((a, r) => a + f(r), 0) / rows.length : NaN);
    const effect = (row: number, randomRows: number[]) => ({
      scoreDrop: score - s(row),
      rank: rk(row),
      randomScoreDrop: rows(randomRows) ? score - mean(randomRows, s) : 0,
      randomRank: rows(randomRows) ? mean(randomRows, rk) : rank,
    });
    return { size: p.cited.length, score, rank, comprehensiveness: effect(p.rows.comp, p.rows.rComp), sufficiency: effect(p.rows.suff, p.rows.rSuff), samples };
  });
}

const rows = (r: number[]) => r.length > 0;
