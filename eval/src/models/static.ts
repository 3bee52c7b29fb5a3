// `llmrec eval --split streaming --model static`: the frozen base alone (the same base the dynamic model
// adapts), user latent from the growing history; never learns from the stream.
// Note: `llmrec eval --split streaming` with only static/dynamic variants runs eval/src/streaming/cli-table.ts
// instead (every seed, CI, paired t-test); this spec is used when it is mixed with other models (one seed).
import { readDataset } from '@llmrec/data/index.ts';
import { staticScores } from '@llmrec/gpu-worker/adapter-runtime/adapter-registry.ts';
import { baseForDataset } from '../streaming/base-for-dataset.ts';
import type { ModelSpec } from './types.ts';

export const model: ModelSpec = {
  name: 'static',
  description: 'frozen base of the dynamic model (fallback bag-of-items BPR base on the pre-training part), no online learning',
  splits: ['streaming'],
  create(ctx) {
    const ds = readDataset(ctx.dataset.dir);
    const { base } = baseForDataset(ds, ctx.home, { seed: ctx.seed || 1 }, ctx.log);
    const n = base.nItems;
    return {
      score(req) {
        const out = new Float32Array(req.users.length * n);
        req.users.forEach((_u, b) => {
          const h = req.histories[b]!;
          staticScores(base, Array.from(h.subarray(Math.max(0, h.length - 50))), out.subarray(b * n, (b + 1) * n));
        });
        return out;
      },
    };
  },
};
