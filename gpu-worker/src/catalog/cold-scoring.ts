// The worker's scoring of items without collaborative signal (issue 10 cold items, issue 11 items created through
// the item API): their latent is their content-tower latent, and their score adds the user's content-profile term
// of shared/src/catalog/cold-content.ts, calibrated per user onto the cold items' plain scores (the `fused`
// evaluation model scores the same way; the weight,
// LLMREC_COLD_CONTENT_WEIGHT, was chosen there on the cold-validation items). Built once at start from the bundle's
// content tower and feature tables: the content latents of every published item (the user's profile is read from
// them) and which published items have no CF input (their shipped latent IS their content latent: the fusion step
// embeds an item without training interactions from content alone). Live items are cold by construction.
import type { ScoredIndex } from '@llmrec/shared/api/wire.ts';
import { calibrate, coldContent, contentProfile, profileTerm, rowNorm, type ColdContent } from '@llmrec/shared/catalog/cold-content.ts';
import type { Modality } from '@llmrec/shared/features.ts';
import type { LatentModel } from '../model.ts';
import type { ContentTower } from './content-tower.ts';

export interface ColdScoring {
  readonly content: ColdContent;
  /** Published items whose shipped latent is their content-tower latent (no training interactions), ascending. */
  readonly publishedCold: Int32Array;
}

/** Feature table of one modality, rows = published items (the shape gpu-worker/src/attribution loads). */
export interface ModalityTable {
  data: Float32Array;
  present: Uint8Array;
}

/** Embeds every published item through the content tower (batches of 512) and finds the items without CF input. */
export async function openColdScoring(tower: ContentTower, tables: Partial<Record<Modality, ModalityTable>>, model: LatentModel, weight: number): Promise<ColdScoring> {
  const { items: n, dim } = model;
  if (tower.dim !== dim) throw new Error(`content tower output width ${tower.dim} differs from the model's latent width ${dim}`);
  const latents = new Float32Array(n * dim);
  for (let s = 0; s < n; s += 512) {
    const b = Math.min(512, n - s);
    const features: Partial<Record<Modality, Float32Array>> = {};
    const present: Partial<Record<Modality, Float32Array>> = {};
    for (const { modality, dim: d } of tower.inputs) {
      const t = tables[modality];
      if (!t) continue;
      if (t.present.length !== n) throw new Error(`${modality} features describe ${t.present.length} items, the model has ${n}`);
      features[modality] = t.data.subarray(s * d, (s + b) * d);
      present[modality] = Float32Array.from(t.present.subarray(s, s + b));
    }
    latents.set(await tower.embed(b, features, present), s * dim);
  }
  const content = coldContent(latents, dim, weight);
  const tol = 1e-4 * Math.max(1, content.scale);
  const cold: number[] = [];
  for (let i = 0; i < n; i++) {
    if (rowNorm(latents, i * dim, dim) === 0) continue;
    let same = true;
    for (let d = 0; d < dim && same; d++) same = Math.abs(model.itemLatents[i * dim + d]! - latents[i * dim + d]!) <= tol;
    if (same) cold.push(i);
  }
  return { content, publishedCold: Int32Array.from(cold) };
}

/**
 * One request's ranking with cold items: the static top-k (z_u . z_i) over the warm items, merged with the cold
 * items' calibrated scores (coldItemScores); same candidate, exclusion and tie rules as rankByLatents.
 * `rankWarm` ranks with the given exclusion set (the caller's rankByLatents).
 */
export function rankWithCold(
  cs: ColdScoring,
  cold: ReadonlySet<number>,
  history: readonly number[],
  zu: Float32Array,
  latents: Float32Array,
  candidates: readonly number[] | null,
  exclude: ReadonlySet<number>,
  k: number,
  rankWarm: (exclude: ReadonlySet<number>) => ScoredIndex[],
): ScoredIndex[] {
  const skip = new Set(exclude);
  for (const i of cold) skip.add(i);
  const top = rankWarm(skip);
  const scores = coldItemScores(cs, history, zu, latents, cold);
  const allowed = candidates ? new Set(candidates) : null;
  const picked = [...scores].filter(([i]) => !exclude.has(i) && (!allowed || allowed.has(i))).map(([idx, s]) => ({ idx, score: s.score }));
  if (!picked.length) return top;
  return [...top, ...picked].sort((a, b) => b.score - a.score || a.idx - b.idx).slice(0, k);
}

/**
 * Scores of every cold item for one user: z_u . z_i plus w |z_u| m (cos(q_u, z_i) - cos(q_u, c_mean)), calibrated
 * onto the mean and spread of the cold items' plain scores (shared/src/catalog/cold-content.ts `calibrate`; over
 * all cold items, so a score does not depend on the candidate set). `delta` = score - z_u . z_i (the dynamic path
 * adds it to the adapter's score). Items outside `latents` are skipped.
 */
export function coldItemScores(cs: ColdScoring, history: readonly number[], zu: Float32Array, latents: Float32Array, cold: Iterable<number>): Map<number, { score: number; delta: number }> {
  const dim = zu.length;
  const n = latents.length / dim;
  const items = [...cold].filter((i) => i >= 0 && i < n);
  const c = cs.content;
  const q = new Float32Array(dim);
  const centre = c.weight > 0 ? contentProfile(c, history, q) : null;
  const zn = rowNorm(zu, 0, dim);
  const plain = new Float64Array(items.length);
  const mixed = new Float64Array(items.length);
  items.forEach((idx, k) => {
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += zu[d]! * latents[idx * dim + d]!;
    const norm = rowNorm(latents, idx * dim, dim);
    plain[k] = dot;
    mixed[k] = dot + (centre === null || norm === 0 ? 0 : profileTerm(c, zn, q, centre, latents, idx, norm));
  });
  if (centre !== null) calibrate(plain, mixed);
  return new Map(items.map((idx, k) => [idx, { score: mixed[k]!, delta: mixed[k]! - plain[k]! }]));
}

/** Every cold item of the published bundle and the live catalog (`contentOnly`), or null when the term is off. */
export function coldSet(cs: ColdScoring | undefined, contentOnly: ReadonlySet<number> | undefined): Set<number> | null {
  if (!cs || cs.content.weight === 0) return null;
  const s = new Set<number>(cs.publishedCold);
  if (contentOnly) for (const i of contentOnly) s.add(i);
  return s.size ? s : null;
}
