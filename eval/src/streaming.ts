// Streaming evaluation (the online-adapter experiments): models are fitted on the pre-training rows (first 70% in
// time), then the remaining rows are replayed in 1-hour windows; every event of a window is predicted (its user's
// earlier rows as input history, at the event's own time) BEFORE the model may `learn` from that window. Metrics
// are averaged over events. The one streaming runner: the adapter tables (streaming/ablation.ts) run through it
// too, with the OnlineLearner as the model (streaming/adapter-model.ts).
import type { Dataset, Split } from '@llmrec/data/index.ts';
import { DEFAULT_KS, fullRanks, metricNames, sampledUserMetrics, userMetrics } from './metrics/ranking.ts';
import type { ModelSpec } from './models/types.ts';
import { mixSeed, mulberry32, sampleNegatives } from './rng.ts';
import { type EvalOptions, type ModelRun, type ResultRow, tieKeyFor } from './runner.ts';

export interface WindowPoint {
  window: number;
  events: number;
  metrics: Record<string, number>;
}

export interface StreamingRun extends ModelRun {
  series: WindowPoint[];
}

/** The first `max` online rows of the stream (0 = all), cut inside a window if need be. */
function limitWindows(windows: Array<{ window: number; rows: Int32Array }>, max: number): Array<{ window: number; rows: Int32Array }> {
  if (max <= 0) return windows;
  const out: Array<{ window: number; rows: Int32Array }> = [];
  let left = max;
  for (const w of windows) {
    if (left <= 0) break;
    out.push(w.rows.length <= left ? w : { window: w.window, rows: w.rows.subarray(0, left) });
    left -= w.rows.length;
  }
  return out;
}

/** Stream rows grouped by window, each window's rows in time order (ties: row order). */
export function streamWindows(ds: Pick<Dataset, 'interactions'>, labels: Int32Array | Int8Array): Array<{ window: number; rows: Int32Array }> {
  const rows: number[] = [];
  for (let r = 0; r < labels.length; r++) if (labels[r]! >= 0) rows.push(r);
  const { ts } = ds.interactions;
  rows.sort((a, b) => labels[a]! - labels[b]! || ts[a]! - ts[b]! || a - b);
  const out: Array<{ window: number; rows: Int32Array }> = [];
  let s = 0;
  for (let k = 1; k <= rows.length; k++) {
    if (k === rows.length || labels[rows[k]!] !== labels[rows[s]!]) {
      out.push({ window: labels[rows[s]!]!, rows: Int32Array.from(rows.slice(s, k)) });
      s = k;
    }
  }
  return out;
}

/** Options of a streaming run: `maxOnline` > 0 replays only the first maxOnline online events (quick runs). */
export type StreamingOptions = EvalOptions & { maxOnline?: number };

export async function runStreaming(ds: Pick<Dataset, 'interactions' | 'userStart' | 'nItems'>, split: Pick<Split, 'labels'>, spec: ModelSpec, o: StreamingOptions): Promise<StreamingRun> {
  const ks = o.ks ?? DEFAULT_KS;
  const protocols = o.protocols ?? ['full', 'sampled'];
  const nNeg = o.negatives ?? 100;
  const labels = split.labels;
  const trainMask = new Uint8Array(labels.length);
  for (let r = 0; r < labels.length; r++) trainMask[r] = labels[r]! < 0 ? 1 : 0;
  const t0 = performance.now();
  const scorer = await spec.create({ dataset: ds as Dataset, split: 'streaming', labels, trainMask, seed: o.seeds[0] ?? 0, home: o.home, log: o.log ?? (() => {}) });
  const fitSeconds = (performance.now() - t0) / 1000;

  const windows = limitWindows(streamWindows(ds, labels), o.maxOnline ?? 0);
  const total = windows.reduce((a, w) => a + w.rows.length, 0);
  const names = metricNames(ks);
  const perUser: Record<string, Float64Array> = Object.fromEntries(names.map((n) => [n, new Float64Array(total)]));
  const sampledSums = o.seeds.map(() => Object.fromEntries(names.map((n) => [n, 0])) as Record<string, number>);
  const series: WindowPoint[] = [];
  const { user, item, ts } = ds.interactions;
  const n = ds.nItems;
  const excluded = new Uint8Array(n);
  const interacted = new Uint8Array(n);
  const um: Record<string, number> = {};
  const batch = spec.batchSize ?? 256;
  let done = 0;
  let scoreSeconds = 0;
  for (const w of windows) {
    const first = done;
    for (let b0 = 0; b0 < w.rows.length; b0 += batch) {
      const rows = w.rows.subarray(b0, Math.min(w.rows.length, b0 + batch));
      const users = Int32Array.from(rows, (r) => user[r]!);
      const histories = Array.from(rows, (r) => item.slice(ds.userStart[user[r]!]!, r));
      const timestamps = Array.from(rows, (r) => ts.slice(ds.userStart[user[r]!]!, r));
      const at = Float64Array.from(rows, (r) => ts[r]!);
      const st = performance.now();
      const scores = await scorer.score({ users, histories, timestamps, at });
      scoreSeconds += (performance.now() - st) / 1000;
      if (scores.length !== rows.length * n) throw new Error(`${spec.name}: score() returned ${scores.length} values, expected ${rows.length * n}`);
      rows.forEach((r, b) => {
        const row = scores.subarray(b * n, (b + 1) * n);
        const target = [item[r]!];
        const tieKey = tieKeyFor(o, r);
        if (protocols.includes('full')) {
          for (const h of histories[b]!) excluded[h] = 1;
          excluded[target[0]!] = 0;
          userMetrics(fullRanks(row, target, excluded, tieKey), ks, um);
          for (const name of names) perUser[name]![done] = um[name]!;
          for (const h of histories[b]!) excluded[h] = 0;
        }
        if (protocols.includes('sampled')) {
          const u = user[r]!;
          let nInter = 0;
          for (let q = ds.userStart[u]!; q < ds.userStart[u + 1]!; q++) {
            if (!interacted[item[q]!]) nInter++;
            interacted[item[q]!] = 1;
          }
          o.seeds.forEach((seed, s) => {
            const m = sampledUserMetrics(row, target, sampleNegatives(mulberry32(mixSeed(seed, r)), n, interacted, nInter, nNeg), ks, tieKey);
            for (const name of names) sampledSums[s]![name]! += m[name]!;
          });
          for (let q = ds.userStart[u]!; q < ds.userStart[u + 1]!; q++) interacted[item[q]!] = 0;
        }
        done++;
      });
    }
    const metrics: Record<string, number> = {};
    for (const name of ['HR@10', 'NDCG@10']) metrics[name] = perUser[name]!.subarray(first, done).reduce((a, x) => a + x, 0) / (done - first);
    series.push({ window: w.window, events: done - first, metrics });
    // only now may the model see this window
    await scorer.learn?.({ user: Int32Array.from(w.rows, (r) => user[r]!), item: Int32Array.from(w.rows, (r) => item[r]!), ts: Float64Array.from(w.rows, (r) => ts[r]!), window: w.window, rows: w.rows });
    o.onProgress?.(spec.name, done, total);
  }
  await scorer.close?.();
  const rows: ResultRow[] = [];
  if (protocols.includes('full')) {
    const metrics: Record<string, number> = {};
    for (const name of names) metrics[name] = perUser[name]!.reduce((a, x) => a + x, 0) / Math.max(1, total);
    rows.push({ model: spec.name, protocol: 'full', seed: null, users: total, metrics });
  }
  if (protocols.includes('sampled')) {
    o.seeds.forEach((seed, s) => {
      const metrics: Record<string, number> = {};
      for (const name of names) metrics[name] = sampledSums[s]![name]! / Math.max(1, total);
      rows.push({ model: spec.name, protocol: 'sampled', seed, users: total, metrics });
    });
  }
  return { model: spec.name, rows, perUser, fitSeconds, scoreSeconds, series };
}
