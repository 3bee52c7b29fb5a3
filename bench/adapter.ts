// Costs of dynamic incremental alignment (issue 6) on this machine: ms per adapter update step and per
// window update (train + guardrail + rebuild of the serving scorer, and the z_u encoding before it), adapter
// overhead per recommend request (dynamic vs static full-ranking scoring over all items with z_u given, as the
// worker scores after its encoder batch; the paper reports +8.6 %), the z_u encode cost itself, and freshness:
// event appended to the log -> a worker's AdapterRegistry serving a version trained on it (job at its shortest
// trigger: one event), and event -> the user's own next recommendation reflecting it (history on ingest).
// Data: ML-100K streaming split. Base: the serving bundle the job trains on (resolved as `llmrec job` resolves
// it: trained bundle, else baseline), or with LLMREC_BENCH_ADAPTER_BASE=fallback the TS fallback base (dim 64).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleBase } from '@llmrec/cli/commands/job.ts';
import { datasetDir, readDataset, readItems, readSplit, type Dataset } from '@llmrec/data/index.ts';
import { baseForDataset } from '@llmrec/eval/streaming/base-for-dataset.ts';
import { streamEvents, type StreamEvent } from '@llmrec/eval/streaming/stream-events.ts';
import { AdapterRegistry } from '@llmrec/gpu-worker/adapter-runtime/adapter-registry.ts';
import { AdapterJob, defaultJobConfig, type JobBase } from '@llmrec/gpu-worker/job/adapter-job.ts';
import { EncoderBase } from '@llmrec/gpu-worker/job/bundle-base.ts';
import { DynamicScorer } from '@llmrec/shared/adapter/dynamic-model.ts';
import { defaultLearnerConfig, OnlineLearner } from '@llmrec/shared/adapter/online-learner.ts';
import { readAdapter } from '@llmrec/shared/adapter/adapter-store.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { percentile, atMost, type BenchContext, type BenchSuite, type Metric } from './lib/suite.ts';

const ms = (v: number, note?: string): Metric => ({ value: Number(v.toFixed(3)), unit: 'ms', note });

/** The frozen base under test and how the worker gets z_u from it. */
interface BenchBase {
  /** The learner's base (with `prepare` when z_u comes from an asynchronous encoder). */
  base: JobBase;
  /** The freshness job's base: same model, its own z_u cache (as a separate job process would have). */
  jobBase: JobBase;
  events: StreamEvent[];
  itemIds: string[];
  /** z_u for each history as the worker computes it per request batch, row-major [histories x dim]. */
  encode(histories: readonly (readonly number[])[]): Promise<Float32Array>;
  describe: string;
  /** Which bundle (source, version, dim, folder), for the record's setup; null for the fallback base. */
  bundle: Record<string, unknown> | null;
  close(): Promise<void>;
}

async function openBase(kind: string, ds: Dataset, ctx: BenchContext): Promise<BenchBase> {
  if (kind === 'fallback') {
    const { base, events, itemIds } = baseForDataset(ds, ctx.home, {}, ctx.log);
    const encode = async (hs: readonly (readonly number[])[]) => {
      const z = new Float32Array(hs.length * base.dim);
      hs.forEach((h, r) => base.userLatent(h, z.subarray(r * base.dim, (r + 1) * base.dim)));
      return z;
    };
    const describe = `fallback bag-of-items BPR base (dim ${base.dim})`;
    return { base, jobBase: base, events, itemIds, encode, describe, bundle: null, close: async () => {} };
  }
  if (kind !== 'bundle') throw new Error(`LLMREC_BENCH_ADAPTER_BASE must be bundle or fallback, got ${kind}`);
  const b = await bundleBase(ds, ctx.home, undefined, ctx.log);
  const split = readSplit(ds, 'streaming');
  const events = streamEvents(ds.interactions.user, ds.interactions.item, ds.interactions.ts, split.labels as Int32Array);
  const m = b.model;
  return {
    base: b.base, jobBase: new EncoderBase(m), events, itemIds: readItems(ds.dir).map((r) => r.id),
    encode: (hs) => m.encodeUsers(hs),
    describe: `serving bundle ${m.version} (${b.source}, dim ${m.dim}, user encoder ${m.scorer} on ${m.executionProvider}, 1 thread)`,
    bundle: { source: b.source, version: m.version, dim: m.dim, items: m.items, dir: relative(ctx.repoRoot, b.dir) || '.', userEncoder: m.scorer, executionProvider: m.executionProvider, threads: 1 },
    close: b.close,
  };
}

export const suite: BenchSuite = {
  name: 'adapter',
  description: 'online adapters: ms per update step / window, overhead per recommend request vs static, freshness',
  async run(ctx) {
    const ds = readDataset(datasetDir('ml-100k', ctx.home));
    const kind = process.env.LLMREC_BENCH_ADAPTER_BASE ?? 'bundle';
    const bb = await openBase(kind, ds, ctx);
    try {
      return await measure(ctx, bb);
    } finally {
      await bb.close();
    }
  },
};

async function measure(ctx: BenchContext, bb: BenchBase) {
  const { base, events, itemIds } = bb;
  const D = base.dim;
  const pre = events.filter((e) => e.window < 0);
  const online = events.filter((e) => e.window >= 0);
  const learner = new OnlineLearner(base, defaultLearnerConfig, pre[pre.length - 1]!.ts);
  for (const e of pre) {
    learner.pushHistory(String(e.user), e.item);
    learner.stats.apply({ eventId: `r${e.row}`, user: String(e.user), item: e.item, ts: e.ts });
  }
  learner.scorer = learner.makeScorer(learner.serving);
  // Windows: replay the first online windows; z_u prepared before each update as the job does, timed apart.
  const nWin = ctx.quick ? 10 : 60;
  const winMs: number[] = [];
  const prepMs: number[] = [];
  let encoded = 0;
  let k = 0;
  for (let w = 0; w < nWin && k < online.length; w++) {
    const win = online[k]!.window;
    while (k < online.length && online[k]!.window === win) {
      const e = online[k++]!;
      learner.observe({ eventId: `r${e.row}`, user: String(e.user), item: e.item, ts: e.ts });
    }
    let t = performance.now();
    const rep = base.prepare ? await base.prepare(learner.windowHistories()) : undefined;
    prepMs.push(base.prepare ? performance.now() - t : 0);
    encoded += (rep as { encoded?: number } | undefined)?.encoded ?? 0;
    t = performance.now();
    learner.learnWindow(online[k - 1]!.ts);
    winMs.push(performance.now() - t);
  }
  const fullMs = winMs.map((v, i) => v + prepMs[i]!);
  // Update step alone: one AdamW step on a batch of 64 (32 fresh + 32 replayed).
  await base.prepare?.(learner.windowHistories());
  const batch = learner.trainer.replayBuf.slice(0, 64);
  const stepMs: number[] = [];
  for (let r = 0; r < (ctx.quick ? 5 : 30); r++) {
    const t = performance.now();
    learner.trainer.step(batch, learner.stats, learner.at);
    stepMs.push(performance.now() - t);
  }
  // Overhead per recommend request: full ranking over all items, dynamic vs static path, same users, z_u given
  // (the worker encodes the request batch first, then scores each user: gpu-worker/src/dynamic-scoring.ts).
  // Users active in the replayed windows: their user adapter runs (gate mask 1), the realistic worst case.
  const users = [...new Set(online.slice(0, k).map((e) => String(e.user)))].slice(0, 200);
  const hists = users.map((u) => learner.history(u).slice());
  const zus = await bb.encode(hists);
  const out = new Float32Array(base.nItems);
  // The worker's scorer: what AdapterRegistry builds (co-interaction counts < 0.05 dropped when packed).
  const serving = new DynamicScorer(base, learner.serving, learner.layout, learner.stats, learner.featureTime());
  const time = (mode: 'static' | 'dynamic') => {
    const t = performance.now();
    users.forEach((u, r) => serving.scoreLatent(u, zus.subarray(r * D, (r + 1) * D), hists[r]!, learner.at, out, mode));
    return (performance.now() - t) / users.length;
  };
  time('static');
  time('dynamic');
  const st: number[] = [];
  const dy: number[] = [];
  for (let r = 0; r < (ctx.quick ? 2 : 21); r++) {
    st.push(time('static'));
    dy.push(time('dynamic'));
  }
  const sMed = percentile(st, 50);
  const dMed = percentile(dy, 50);
  // z_u encode cost: the request batch of all these users at once, and one history per call.
  const encBatch: number[] = [];
  for (let r = 0; r < (ctx.quick ? 2 : 7); r++) {
    const t = performance.now();
    await bb.encode(hists);
    encBatch.push((performance.now() - t) / hists.length);
  }
  const encOne: number[] = [];
  for (const h of hists.slice(0, ctx.quick ? 10 : 100)) {
    const t = performance.now();
    await bb.encode([h]);
    encOne.push(performance.now() - t);
  }
  // Freshness: job at its shortest trigger (one event), z_u prepared before each update as in `llmrec job`,
  // and a worker registry polling every 20 ms.
  const store = createMemoryStore();
  const job = await AdapterJob.open({ store: store, log: store.events, base: bb.jobBase, itemIndex: (id) => itemIds.indexOf(id) }, {
    ...defaultJobConfig, maxEvents: 1, learner: { ...defaultLearnerConfig, guardrail: false },
  });
  for (const e of pre.slice(-2000)) job.learner.stats.apply({ eventId: `r${e.row}`, user: String(e.user), item: e.item, ts: e.ts });
  const reg = new AdapterRegistry(store, bb.jobBase, { pollMs: 20 });
  reg.start();
  const ac = new AbortController();
  const running = job.run(ac.signal, 10);
  const fresh: number[] = [];
  for (let r = 0; r < (ctx.quick ? 2 : 8); r++) {
    const e = online[r]!;
    const t = performance.now();
    await store.events.append([{ eventId: `fresh-${r}`, userId: String(e.user), itemId: itemIds[e.item]!, type: 'rating', ts: e.ts * 1000 }]);
    for (;;) {
      await new Promise((res) => setTimeout(res, 2));
      const v = reg.version;
      if (v !== null && (await readAdapter(store, v))!.record.trainedOnEvents >= job.learner.stats.applied && job.learner.stats.seen.has(`fresh-${r}`)) break;
    }
    fresh.push(performance.now() - t);
  }
  ac.abort();
  await running;
  reg.stop();
  // Own next recommendation: history pushed on ingest, read back, z_u encoded and scored on the next request.
  const own: number[] = [];
  for (let r = 0; r < 50; r++) {
    const e = online[r]!;
    const u = String(e.user);
    const t = performance.now();
    await store.listPush(`bench:hist:${e.user}`, [JSON.stringify({ v: 1, item: itemIds[e.item], ts: e.ts })], 200);
    const hist = (await store.listRange(`bench:hist:${e.user}`, 0, 49)).map((s) => itemIds.indexOf(JSON.parse(s).item)).reverse();
    const h = [...learner.history(u), ...hist].slice(-defaultLearnerConfig.maxHistory);
    serving.scoreLatent(u, await bb.encode([h]), h, learner.at, out, 'dynamic');
    own.push(performance.now() - t);
  }
  // Relative to a whole recommend request, when the serving suite has measured one on this machine.
  const extra: Record<string, Metric> = {};
  const servingFile = join(ctx.repoRoot, 'results', 'bench-serving.json');
  if (existsSync(servingFile)) {
    const e2e = (JSON.parse(readFileSync(servingFile, 'utf8')) as { metrics?: Record<string, { value: number }> }).metrics?.e2e_recommend_p50?.value;
    if (e2e) extra.adapter_overhead_pct_of_e2e_recommend_p50 = { ...atMost(Number((((dMed - sMed) / e2e) * 100).toFixed(2)), '%', 8.6), note: `added scoring ms / e2e_recommend_p50 (${e2e} ms) of results/bench-serving.json` };
  }
  const nWinDone = winMs.length;
  return {
    metrics: {
      ...extra,
      update_step_ms: ms(percentile(stepMs, 50), `median AdamW step, batch 64 (32 fresh + 32 replayed), D=${D}, hidden ${defaultLearnerConfig.hidden}, ${defaultLearnerConfig.train.negatives} negatives`),
      window_update_ms_median: ms(percentile(winMs, 50), `first ${nWinDone} online windows: train + guardrail + serving scorer rebuild (learnWindow; z_u prepared before, below)`),
      window_update_ms_p90: ms(percentile(winMs, 90)),
      window_prepare_ms_median: ms(percentile(prepMs, 50), `z_u for the window's histories before each update (prepare(windowHistories())): ${encoded} histories encoded over ${nWinDone} windows`),
      window_update_with_prepare_ms_median: ms(percentile(fullMs, 50), 'prepare + learnWindow: what `llmrec job` spends per window update'),
      window_update_with_prepare_ms_p90: ms(percentile(fullMs, 90)),
      recommend_static_ms: ms(sMed, `full ranking of ${base.nItems} items, per request, z_u given (u . z_i, D=${D})`),
      recommend_dynamic_ms: ms(dMed, `${serving.active.length} active items adapted, z_u given`),
      adapter_overhead_pct: atMost(Number((((dMed - sMed) / sMed) * 100).toFixed(1)), '%', 8.6),
      zu_encode_ms_per_history_batched: ms(percentile(encBatch, 50), `z_u of ${hists.length} histories in one encoder call, per history`),
      zu_encode_ms_single: ms(percentile(encOne, 50), 'z_u of one history per encoder call (median)'),
      freshness_event_to_serving_ms_median: ms(percentile(fresh, 50), 'append -> registry serves a version trained on it (job trigger: 1 event, z_u prepared per update, registry poll 20 ms)'),
      freshness_event_to_serving_ms_max: ms(Math.max(...fresh)),
      own_next_recommendation_ms_median: ms(percentile(own, 50), 'history push on ingest + next request: z_u of one history + dynamic scoring (memory KV)'),
    },
    setup: {
      dataset: 'ml-100k streaming split', base: bb.describe, baseKind: bb.bundle ? 'bundle' : 'fallback', ...(bb.bundle ? { bundle: bb.bundle } : {}),
      baseOption: 'LLMREC_BENCH_ADAPTER_BASE=bundle (default: the bundle llmrec job trains on) | fallback',
      windows: nWinDone, users: users.length, machine: '2-core box shared with other agents',
    },
    notes: [
      'The overhead compares the scoring step only, z_u given (the encoder, the LLM rationale and the KV reads of a real request are the same on both paths), so it is an upper bound on the relative overhead of a full request.',
    ],
  };
}
