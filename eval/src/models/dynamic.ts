// `llmrec eval --split streaming --model dynamic`: the frozen base plus the online adapters (Eq. 1-3),
// updated after every predicted window by the same OnlineLearner the background job runs. Streaming only.
// Note: `llmrec eval --split streaming` with only static/dynamic variants runs eval/src/streaming/cli-table.ts
// instead (every seed, CI, paired t-test); this spec is used when it is mixed with other models (one seed).
import { readDataset } from '@llmrec/data/index.ts';
import { defaultLearnerConfig, OnlineLearner } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { baseForDataset } from '../streaming/base-for-dataset.ts';
import type { ModelSpec } from './types.ts';

export const model: ModelSpec = {
  name: 'dynamic',
  description: 'frozen base + online gated adapters (dynamic latents, BPR + distillation + EWC, replay, EMA, guardrail)',
  splits: ['streaming'],
  create(ctx) {
    const ds = readDataset(ctx.dataset.dir);
    const { base, events } = baseForDataset(ds, ctx.home, { seed: ctx.seed || 1 }, ctx.log);
    const pre = events.filter((e) => e.window < 0);
    const learner = new OnlineLearner(base, { ...defaultLearnerConfig, train: { ...defaultTrainConfig, seed: ctx.seed || 1 } }, pre.length ? pre[pre.length - 1]!.ts : 0);
    for (const e of pre) {
      learner.pushHistory(String(e.user), e.item);
      learner.stats.apply({ eventId: `r${e.row}`, user: String(e.user), item: e.item, ts: e.ts });
    }
    learner.scorer = learner.makeScorer(learner.serving);
    const n = base.nItems;
    return {
      score(req) {
        const out = new Float32Array(req.users.length * n);
        req.users.forEach((u, b) => {
          const h = req.histories[b]!;
          const ts = req.timestamps[b]!;
          const t = ts.length ? ts[ts.length - 1] : learner.at;
          learner.scorer.score(String(u), Array.from(h.subarray(Math.max(0, h.length - 50))), t!, out.subarray(b * n, (b + 1) * n));
        });
        return out;
      },
      learn(ev) {
        let end = 0;
        for (let k = 0; k < ev.user.length; k++) {
          learner.observe({ eventId: `w${ev.window}:${k}:${ev.user[k]}:${ev.item[k]}`, user: String(ev.user[k]), item: ev.item[k]!, ts: ev.ts[k]! });
          end = Math.max(end, ev.ts[k]!);
        }
        learner.learnWindow(end);
      },
    };
  },
};
