// Baseline: most popular items (number of training interactions), the same list for every user.
import type { ModelSpec } from './types.ts';

export const model: ModelSpec = {
  name: 'popular',
  description: 'most-popular: items ranked by their number of training interactions',
  create(ctx) {
    const n = ctx.dataset.nItems;
    const pop = new Float32Array(n);
    const { item } = ctx.dataset.interactions;
    for (let k = 0; k < item.length; k++) if (ctx.trainMask[k]) pop[item[k]!]!++;
    return {
      score(req) {
        const out = new Float32Array(req.users.length * n);
        for (let b = 0; b < req.users.length; b++) out.set(pop, b * n);
        return out;
      },
    };
  },
};
