// `llmrec eval --split streaming --model static`: the frozen base alone (the same base the dynamic model
// adapts), user latent from the growing history; never learns from the stream (eval/src/streaming/adapter-model.ts).
// Note: `llmrec eval --split streaming` with only static/dynamic variants runs eval/src/streaming/cli-table.ts
// instead (every seed, CI, paired t-test); this spec is used when it is mixed with other models (one seed).
import { readDataset } from '@llmrec/data/index.ts';
import { defaultLearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { adapterModel } from '../streaming/adapter-model.ts';
import { baseForDataset } from '../streaming/base-for-dataset.ts';
import type { ModelSpec } from './types.ts';

export const model: ModelSpec = {
  name: 'static',
  description: 'frozen base of the dynamic model (fallback bag-of-items BPR base on the pre-training part), no online learning',
  splits: ['streaming'],
  create(ctx) {
    const { base } = baseForDataset(readDataset(ctx.dataset.dir), ctx.home, { seed: ctx.seed || 1 }, ctx.log);
    return adapterModel('static', base, 'static', defaultLearnerConfig).create(ctx);
  },
};
