// Baseline: seeded uniform random scores (a fresh stream per (seed, user)), the floor every content model must
// clear on the cold-item split (issue 10: content >= 2 x random).
import { mixSeed, mulberry32 } from '../rng.ts';
import type { ModelSpec } from './types.ts';

export const model: ModelSpec = {
  name: 'random',
  description: 'random: seeded uniform scores per (seed, user)',
  create(ctx) {
    const n = ctx.dataset.nItems;
    return {
      score(req) {
        const out = new Float32Array(req.users.length * n);
        for (let b = 0; b < req.users.length; b++) {
          const rand = mulberry32(mixSeed(ctx.seed, req.users[b]!));
          for (let i = 0; i < n; i++) out[b * n + i] = rand();
        }
        return out;
      },
    };
  },
};
