// Top-K ranking metrics (Hit@K, NDCG@K, Recall@K) for full ranking and sampled ranking — the evaluation
// protocol every experiment shares, and the ONE rank / NDCG implementation on the TypeScript side (offline
// evaluation via eval/src/metrics/ranking.ts, the streaming replay and the online adapters' guardrail). The Python
// side (training/llmrec_train/metrics.py) follows the same rule, checked on the shared fixture
// eval/src/metrics/fixtures/ranking-cases.json by both test suites. Tie rules: 'pessimistic' (default) — an item whose score EQUALS a target's
// score is ranked above that target, so constant or coarse scores never earn credit by luck; 'random' — equal scores
// are ordered by a seeded hash of the item (a uniformly random, reproducible tie-break). A NaN target score ranks last.

export type TieRule = 'pessimistic' | 'random';

/** Tie-break key per item for the 'random' rule (higher key ranks first among equal scores). */
export type TieKey = (item: number) => number;

export const DEFAULT_KS = [5, 10, 20] as const;

export type MetricName = `${'HR' | 'NDCG' | 'Recall'}@${number}`;

export function metricNames(ks: readonly number[]): MetricName[] {
  return ks.flatMap((k) => [`HR@${k}`, `NDCG@${k}`, `Recall@${k}`] as MetricName[]);
}

/**
 * 0-based rank of each target among the candidates of a full ranking: every item except `excluded` ones (the
 * user's input history). Targets are never excluded. Pessimistic: other targets count above a target only with a
 * strictly higher score or an equal score and a lower position in `targets` (so the ranks form one consistent
 * list). With `tieKey` (random rule), every candidate with an equal score and a higher key counts above.
 */
export function fullRanks(scores: Float32Array | Float64Array, targets: ArrayLike<number>, excluded: Uint8Array, tieKey?: TieKey): Int32Array {
  const n = scores.length;
  const ranks = new Int32Array(targets.length);
  for (let t = 0; t < targets.length; t++) {
    const ti = targets[t]!;
    const st = scores[ti]!;
    if (Number.isNaN(st)) {
      ranks[t] = n; // worst possible
      continue;
    }
    let r = 0;
    if (tieKey) {
      const kt = tieKey(ti);
      for (let j = 0; j < n; j++) {
        const sj = scores[j]!;
        if (excluded[j] === 0 && (sj > st || (sj === st && j !== ti && tieKey(j) > kt))) r++;
      }
      ranks[t] = r;
      continue;
    }
    for (let j = 0; j < n; j++) if (scores[j]! >= st && excluded[j] === 0) r++;
    // r counted candidates (incl. ti itself and other targets, which are never excluded); fix those up
    r -= 1;
    for (let o = 0; o < targets.length; o++) {
      if (o === t) continue;
      const so = scores[targets[o]!]!;
      if (so > st || (so === st && o < t)) continue; // counted above, correctly
      if (so === st) r--; // tie with a later target: that target is below
    }
    ranks[t] = r;
  }
  return ranks;
}

/** Full-ranking rank of one target when the excluded items come as a list (e.g. a user's history): same rule. */
export function fullRankOf(scores: Float32Array | Float64Array, target: number, exclude: Iterable<number>): number {
  const excluded = new Uint8Array(scores.length);
  for (const i of exclude) excluded[i] = 1;
  excluded[target] = 0; // the target is never excluded, even when it is also in the list
  return fullRanks(scores, [target], excluded)[0]!;
}

/** DCG discount of a 0-based rank: 1 / log2(rank + 2). */
export function discount(rank: number): number {
  return 1 / Math.log2(rank + 2);
}

/** NDCG@K of one target (ideal DCG 1): discount(rank) inside the top K, else 0. */
export function ndcgAt(rank: number, k: number): number {
  return rank < k ? discount(rank) : 0;
}

/** 0-based rank of `target` among `negatives` (pessimistic ties, or ordered by `tieKey`). */
export function sampledRank(scores: Float32Array | Float64Array, target: number, negatives: ArrayLike<number>, tieKey?: TieKey): number {
  const st = scores[target]!;
  if (Number.isNaN(st)) return negatives.length;
  let r = 0;
  if (tieKey) {
    const kt = tieKey(target);
    for (let k = 0; k < negatives.length; k++) {
      const sj = scores[negatives[k]!]!;
      if (sj > st || (sj === st && tieKey(negatives[k]!) > kt)) r++;
    }
    return r;
  }
  for (let k = 0; k < negatives.length; k++) if (scores[negatives[k]!]! >= st) r++;
  return r;
}

/**
 * Metrics of one user from target ranks: Hit@K = any target in the top K; Recall@K = share of targets in the top K;
 * NDCG@K = DCG / ideal DCG with binary gains (ideal: min(|targets|, K) hits at the top). With one target, Recall = Hit.
 */
export function userMetrics(ranks: ArrayLike<number>, ks: readonly number[], out: Record<string, number> = {}): Record<string, number> {
  const nt = ranks.length;
  for (const k of ks) {
    let hits = 0;
    let dcg = 0;
    for (let t = 0; t < nt; t++) {
      const r = ranks[t]!;
      if (r < k) {
        hits++;
        dcg += discount(r);
      }
    }
    let idcg = 0;
    for (let i = 0; i < Math.min(nt, k); i++) idcg += discount(i);
    out[`HR@${k}`] = hits > 0 ? 1 : 0;
    out[`Recall@${k}`] = nt > 0 ? hits / nt : 0;
    out[`NDCG@${k}`] = idcg > 0 ? dcg / idcg : 0;
  }
  return out;
}

/** Sampled protocol, one user: each target ranked against the same negatives; metrics averaged over targets. */
export function sampledUserMetrics(scores: Float32Array | Float64Array, targets: ArrayLike<number>, negatives: ArrayLike<number>, ks: readonly number[], tieKey?: TieKey): Record<string, number> {
  const acc: Record<string, number> = {};
  const one = new Int32Array(1);
  const tmp: Record<string, number> = {};
  for (let t = 0; t < targets.length; t++) {
    one[0] = sampledRank(scores, targets[t]!, negatives, tieKey);
    userMetrics(one, ks, tmp);
    for (const [k, v] of Object.entries(tmp)) acc[k] = (acc[k] ?? 0) + v / targets.length;
  }
  return acc;
}
