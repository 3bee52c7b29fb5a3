// The online adapters as a model of the streaming runner (issue 6's protocol, run by eval/src/streaming.ts):
// a frozen base plus the OnlineLearner the background job runs. Pre-training rows warm the histories and (for
// the dynamic model) the window statistics; each event is scored at its own time with the serving scorer
// (`static`: the frozen base, z_u . z_i), and after its window every event is observed and the learner runs one
// window update ending at the window's boundary — exactly what the job does with event-time windows.
import type { BaseModel } from '@llmrec/shared/adapter/dynamic-model.ts';
import { OnlineLearner, type LearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import type { ModelSpec } from '../models/types.ts';
import { runStreaming, type StreamingOptions } from '../streaming.ts';

/** What the adapter model reports besides the metrics. */
export interface AdapterCounters {
  windows: number;
  published: number;
  trainMs: number;
}

export function adapterModel(name: string, base: BaseModel, model: 'static' | 'dynamic', cfg: LearnerConfig, counters: AdapterCounters = { windows: 0, published: 0, trainMs: 0 }, windowSeconds = 3600): ModelSpec {
  return {
    name,
    description: model === 'static' ? 'frozen base, no online learning' : 'frozen base + online gated adapters (OnlineLearner, as the adapter job)',
    splits: ['streaming'],
    create(ctx) {
      const { user, item, ts } = ctx.dataset.interactions;
      const pre: number[] = [];
      let t0 = Infinity;
      for (let r = 0; r < ctx.labels.length; r++) {
        if (ctx.labels[r]! < 0) pre.push(r);
        else t0 = Math.min(t0, ts[r]!);
      }
      pre.sort((a, b) => ts[a]! - ts[b]! || a - b);
      const learner = new OnlineLearner(base, cfg, pre.length ? ts[pre[pre.length - 1]!]! : 0);
      for (const r of pre) {
        learner.pushHistory(String(user[r]), item[r]!);
        if (model === 'dynamic') learner.stats.apply({ eventId: `r${r}`, user: String(user[r]), item: item[r]!, ts: ts[r]! });
      }
      if (model === 'dynamic') learner.scorer = learner.makeScorer(learner.serving);
      const n = base.nItems;
      return {
        score(req) {
          const out = new Float32Array(req.users.length * n);
          req.users.forEach((u, b) => {
            const h = req.histories[b]!;
            const hist = Array.from(h.subarray(Math.max(0, h.length - cfg.maxHistory)));
            learner.scorer.score(String(u), hist, req.at?.[b] ?? learner.featureTime(), out.subarray(b * n, (b + 1) * n), model);
          });
          return out;
        },
        learn(ev) {
          counters.windows++;
          if (model === 'static') return;
          const t = performance.now();
          ev.rows.forEach((r, k) => learner.observe({ eventId: `r${r}`, user: String(ev.user[k]), item: ev.item[k]!, ts: ev.ts[k]! }));
          if (learner.learnWindow(t0 + (ev.window + 1) * windowSeconds).published) counters.published++;
          counters.trainMs += performance.now() - t;
        },
      };
    },
  };
}

export interface AdapterRun extends AdapterCounters {
  /** Per online event, in replay order. */
  hit: Float64Array;
  ndcg: Float64Array;
  hit10: number;
  ndcg10: number;
}

/** One adapter model over a streaming split through the streaming runner (full ranking, HR@10 / NDCG@10). */
export async function replayAdapter(
  data: Parameters<typeof runStreaming>[0], labels: Int32Array, base: BaseModel, model: 'static' | 'dynamic', cfg: LearnerConfig,
  opts: Pick<StreamingOptions, 'maxOnline' | 'onProgress'> = {},
): Promise<AdapterRun> {
  const counters: AdapterCounters = { windows: 0, published: 0, trainMs: 0 };
  const run = await runStreaming(data, { labels }, adapterModel(model, base, model, cfg, counters), { seeds: [cfg.train.seed], home: '', protocols: ['full'], ks: [10], ...opts });
  const full = run.rows.find((r) => r.protocol === 'full')!;
  return { ...counters, hit: run.perUser['HR@10']!, ndcg: run.perUser['NDCG@10']!, hit10: full.metrics['HR@10']!, ndcg10: full.metrics['NDCG@10']! };
}
