// The serving model as a HistoryScorer (evidence by effect on the score): every history variant of a request
// goes through the user encoder in ONE batched session run (LatentModel.encodeUsers), then each variant's user
// latent scores the whole catalogue exactly as /v1/score does (z_u . z_i, or the online adapters when they
// serve; cold items with their content-profile term), so attribution and faithfulness measure the scores users are actually ranked by.
import type { HistoryScorer, VariantScores } from '@llmrec/shared/evidence/attribution.ts';
import type { DynamicScoring } from '../dynamic-scoring.ts';
import type { LatentModel } from '../model.ts';
import { encodeUsersLive } from '../catalog/encode-users.ts';
import type { ScoringView } from '../catalog/live-state.ts';
import { coldSet, type ColdScoring } from '../catalog/cold-scoring.ts';
import { scoreAllItems } from '../score-all.ts';

export interface ModelScorerOptions {
  /** Online adapters: used when they serve a version, as in /v1/score. */
  dynamic?: DynamicScoring;
  /** The requesting user (adapters score per user); '' for anonymous sessions. */
  userId?: string;
  /**
   * The live catalog (item API, issue 11): items added after training are scored from their content-tower
   * latents (statically, as /v1/score does under adapters) and hidden ones never rank above an item.
   */
  live?: ScoringView;
  /**
   * Cold-item scoring (issue 10): items without collaborative signal get the calibrated content-profile term, as in
   * /v1/score; the profile is recomputed from each history variant, so removing a history item moves it too.
   */
  cold?: ColdScoring;
}

export function modelScorer(model: LatentModel, o: ModelScorerOptions = {}): HistoryScorer {
  const { dim } = model;
  const n = o.live?.items ?? model.items;
  const itemLatents = o.live?.latents ?? model.itemLatents;
  return {
    async scoreVariants(variants, items, exclude): Promise<VariantScores> {
      for (const it of items) if (!(it >= 0 && it < n)) throw new RangeError(`item index ${it} outside the model's ${n} items`);
      const zu = o.live ? await encodeUsersLive(model, o.live, variants) : await model.encodeUsers(variants);
      const dyn = o.dynamic && o.dynamic.version() !== null ? o.dynamic : null;
      const excluded = new Uint8Array(n);
      for (const e of exclude) if (e >= 0 && e < n) excluded[e] = 1;
      for (const e of o.live?.excluded ?? []) if (e < n) excluded[e] = 1;
      const all = new Float32Array(n);
      const cold = o.cold ? coldSet(o.cold, o.live?.contentOnly) : null;
      const scores = new Float64Array(variants.length * items.length);
      const ranks = new Int32Array(variants.length * items.length);
      variants.forEach((h, v) => {
        const z = zu.subarray(v * dim, (v + 1) * dim);
        // without adapters every item by z_u . z_i; with them, the items added after training
        scoreAllItems(model, { dyn, userId: o.userId ?? '', history: h, zu: z, latents: itemLatents, cold: cold ? { scoring: o.cold!, items: cold } : null }, all);
        items.forEach((it, j) => {
          const s = all[it]!;
          // Pessimistic ties (the project's ranking rule): an unseen item scoring equal ranks above.
          let above = 0;
          for (let i = 0; i < n; i++) if (i !== it && !excluded[i] && all[i]! >= s) above++;
          scores[v * items.length + j] = s;
          ranks[v * items.length + j] = above + 1;
        });
      });
      return { scores, ranks };
    },
  };
}
