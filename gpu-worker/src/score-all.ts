// Every item's serving score for one user, as /v1/score ranks by it under online adapters and as /v1/explain
// attributes it (attribution/model-scorer.ts): one place, so the two cannot drift apart.
import type { DynamicScoring } from './dynamic-scoring.ts';
import type { LatentModel } from './model.ts';
import { coldItemScores, type ColdScoring } from './catalog/cold-scoring.ts';

export interface ScoreAllInput {
  /** Online adapters serving a version, or null for the static model. */
  dyn: DynamicScoring | null;
  /** The requesting user (adapters score per user); '' for anonymous sessions. */
  userId: string;
  history: readonly number[];
  zu: Float32Array;
  /** Served latents of at least `out.length` items (the live catalog's when there is one). */
  latents: Float32Array;
  /** Cold items and their scoring, or null when the content-profile term is off. */
  cold: { scoring: ColdScoring; items: ReadonlySet<number> } | null;
}

/**
 * Writes the score of every item into `out`: the adapters' score for the trained items when they serve, z_u . z_i
 * otherwise and for items added after training (no adapter statistics yet), plus the calibrated content-profile term
 * for cold items. Returns the adapter version that scored, or null.
 */
export function scoreAllItems(model: LatentModel, o: ScoreAllInput, out: Float32Array): number | null {
  const { dim } = model;
  const n = out.length;
  const v = o.dyn ? o.dyn.score(o.userId, o.history.filter((i) => i < model.items), o.zu, out.subarray(0, model.items)) : null;
  for (let i = o.dyn ? model.items : 0; i < n; i++) {
    let s = 0;
    const base = i * dim;
    for (let d = 0; d < dim; d++) s += o.zu[d]! * o.latents[base + d]!;
    out[i] = s;
  }
  if (o.cold) for (const [i, t] of coldItemScores(o.cold.scoring, o.history, o.zu, o.latents.subarray(0, n * dim), o.cold.items)) out[i]! += t.delta;
  return v;
}
