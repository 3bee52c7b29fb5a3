// `llmrec eval --split streaming --model dynamic`: the frozen base plus the online adapters (Eq. 1-3),
// updated after every predicted window by the same OnlineLearner the background job runs
// (eval/src/streaming/adapter-model.ts, the model the streaming tables run too). Streaming only.
// Note: `llmrec eval --split streaming` with only static/dynamic variants runs eval/src/streaming/cli-table.ts
// instead (every seed, CI, paired t-test); this spec is used when it is mixed with other models (one seed).
import { readDataset } from '@llmrec/data/index.ts';
import { defaultLearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { adapterModel } from '../streaming/adapter-model.ts';
import { baseForDataset } from '../streaming/base-for-dataset.ts';
import type { ModelSpec } from './types.ts';

export const model: ModelSpec = {
  name: 'dynamic',
  description: 'frozen base + online gated adapters (dynamic latents, BPR + distillation + EWC, replay, EMA, guardrail)',
  splits: ['streaming'],
  create(ctx) {
    const seed = ctx.seed || 1;
    const { base } = baseForDataset(readDataset(ctx.dataset.dir), ctx.home, { seed }, ctx.log);
    return adapterModel('dynamic', base, 'dynamic', { ...defaultLearnerConfig, train: { ...defaultTrainConfig, seed } }).create(ctx);
  },
};
