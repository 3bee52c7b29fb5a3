// Streaming evaluation protocol (issue 6): the first 70% of interactions (global time order) pre-train the
// base and warm the histories and window statistics; the remaining 30% are replayed in 1-hour windows of
// event time. Every interaction of a window is predicted BEFORE the window is learned: full ranking over all
// items, the user's already-seen items excluded, history updated right after each prediction (as ingest does).
// After the window the dynamic model runs the same window update as the background job (OnlineLearner).
import type { BaseModel } from '@llmrec/shared/adapter/dynamic-model.ts';
import { defaultLearnerConfig, OnlineLearner, type LearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { fullRankOf, ndcgAt } from '../metrics/ranking.ts';

export interface StreamEvent {
  row: number;
  user: number;
  item: number;
  ts: number;
  /** Window index, or -1 for pre-training. */
  window: number;
}

export interface StreamingRun {
  model: 'static' | 'dynamic';
  /** Per online interaction, in replay order. */
  hit: Uint8Array;
  ndcg: Float32Array;
  hit10: number;
  ndcg10: number;
  windows: number;
  published: number;
  trainMs: number;
  predictMs: number;
}

/** Events sorted by time (ties by row), pre-training first. */
export function streamEvents(user: Int32Array, item: Int32Array, ts: Float64Array, labels: Int32Array): StreamEvent[] {
  const ev: StreamEvent[] = [];
  for (let r = 0; r < labels.length; r++) ev.push({ row: r, user: user[r]!, item: item[r]!, ts: ts[r]!, window: labels[r]! });
  ev.sort((a, b) => a.ts - b.ts || a.row - b.row);
  return ev;
}

export function runStreaming(
  base: BaseModel, events: readonly StreamEvent[], model: 'static' | 'dynamic', cfg: LearnerConfig = defaultLearnerConfig,
  progress?: (done: number, total: number) => void, windowSeconds = 3600,
): StreamingRun {
  const online = events.filter((e) => e.window >= 0);
  const pre = events.filter((e) => e.window < 0);
  const t0 = online.length ? online[0]!.ts : 0;
  const learner = new OnlineLearner(base, cfg, pre.length ? pre[pre.length - 1]!.ts : 0);
  const seen = new Map<number, Set<number>>();
  const seenOf = (u: number) => {
    let s = seen.get(u);
    if (!s) seen.set(u, (s = new Set()));
    return s;
  };
  for (const e of pre) {
    learner.pushHistory(String(e.user), e.item);
    seenOf(e.user).add(e.item);
    if (model === 'dynamic') learner.stats.apply({ eventId: `r${e.row}`, user: String(e.user), item: e.item, ts: e.ts });
  }
  if (model === 'dynamic') learner.scorer = learner.makeScorer(learner.serving);
  const hit = new Uint8Array(online.length);
  const ndcg = new Float32Array(online.length);
  const scores = new Float32Array(base.nItems);
  let trainMs = 0;
  let predictMs = 0;
  let windows = 0;
  let published = 0;
  for (let k = 0; k < online.length; ) {
    const w = online[k]!.window;
    let end = k;
    while (end < online.length && online[end]!.window === w) end++;
    const tp = performance.now();
    for (let q = k; q < end; q++) {
      const e = online[q]!;
      const user = String(e.user);
      const s = seenOf(e.user);
      learner.scorer.score(user, learner.history(user), e.ts, scores, model);
      const r = fullRankOf(scores, e.item, s);
      hit[q] = r < 10 ? 1 : 0;
      ndcg[q] = ndcgAt(r, 10);
      s.add(e.item);
      if (model === 'dynamic') learner.observe({ eventId: `r${e.row}`, user, item: e.item, ts: e.ts });
      else learner.pushHistory(user, e.item);
    }
    predictMs += performance.now() - tp;
    if (model === 'dynamic') {
      const tt = performance.now();
      const rep = learner.learnWindow(t0 + (w + 1) * windowSeconds);
      trainMs += performance.now() - tt;
      if (rep.published) published++;
    }
    windows++;
    k = end;
    progress?.(k, online.length);
  }
  const mean = (a: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]!;
    return a.length ? s / a.length : 0;
  };
  return { model, hit, ndcg, hit10: mean(hit), ndcg10: mean(ndcg), windows, published, trainMs, predictMs };
}
