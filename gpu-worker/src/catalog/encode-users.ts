// z_u for histories that may name items added through the item API (issue 11): the trained user encoder only
// knows the published items (its embedding table ends there), so it reads the history's published items; a
// history made only of new items gets the mean of their content-tower latents instead (a cold user of a cold
// catalog still gets a content-based ranking). Documented in docs/api.md.
import type { LatentModel } from '../model.ts';
import type { ScoringView } from './live-state.ts';

export async function encodeUsersLive(model: LatentModel, view: ScoringView, histories: readonly (readonly number[])[]): Promise<Float32Array> {
  const dim = model.dim;
  const known = histories.map((h) => h.filter((i) => i < model.items));
  const zu = await model.encodeUsers(known);
  histories.forEach((h, r) => {
    if (known[r]!.length > 0) return;
    const live = h.filter((i) => i >= model.items && i < view.items && !view.excluded.has(i));
    if (live.length === 0) return;
    for (const i of live) for (let d = 0; d < dim; d++) zu[r * dim + d]! += view.latents[i * dim + d]! / live.length;
  });
  return zu;
}
