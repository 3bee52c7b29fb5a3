// Scoring of items without collaborative signal (issue 10: strict cold items, issue 11: items created through the
// item API). Such an item's latent is its content-tower latent c_i, and z_u . c_i alone ranks cold items below the
// content model (the user's content profile against the item's content: 0.113 vs 0.116 NDCG@10 on ML-100K
// cold items). The two are complementary, so a cold item's score adds the content-profile cosine on the scale of
// the latent score:
//
//   s_i = z_u . c_i + w * |z_u| * m * (cos(q_u, c_i) - cos(q_u, c_mean)),
//
// q_u the mean of the unit content latents of the user's last 50 items, c_mean the mean unit content latent of the
// catalog, m the mean norm of the content latents (so w is unitless: how much the profile cosine counts against the
// latent cosine). Centring on the catalog mean keeps the term from lifting every cold item above the warm ones (the
// cosine of two content latents is mostly positive): it reorders cold items, it does not promote them as a group.
// The term alone would also lift the best-matching cold items above every warm item (measured: warm validation
// targets ranked among all items fall from NDCG@10 0.12 to 0.00 at w = 8 on ML-100K cold-items), so per user the
// mixed scores of the cold items are mapped back, affinely, onto the mean and spread their plain scores z_u . c_i
// had (`calibrate`): the term reorders cold items among themselves, while how cold items as a group compete with
// warm ones stays what the latent scores say.
// w is chosen on the cold-validation items (`llmrec eval --split cold-items`; the worker reads it from
// LLMREC_COLD_CONTENT_WEIGHT). Items with collaborative signal keep z_u . z_i. Runtime-neutral (edge, worker, eval).

/**
 * w when nothing better is known: the worker's LLMREC_COLD_CONTENT_WEIGHT default, and the evaluation's when a split
 * has too few validation users with a cold target to choose one. The median of the weights `llmrec eval --split
 * cold-items --model fused` chose on the ML-100K cold-validation items of seeds 1-3 (8, 8, 1).
 */
export const DEFAULT_COLD_CONTENT_WEIGHT = 8;

/** The user's content profile is the mean over this many most recent history items (chosen on cold validation). */
export const PROFILE_WINDOW = 50;

export interface ColdContent {
  /** Unit content latents, row-major [items, dim]; all-zero rows for items with no content. */
  readonly unit: Float32Array;
  readonly dim: number;
  /** Mean L2 norm of the non-zero content latents: the scale of z_u . c_i for a unit-norm z_u. */
  readonly scale: number;
  /** Mean of the unit rows with content (c_mean above). */
  readonly mean: Float32Array;
  /** w above; 0 turns the profile term off. */
  readonly weight: number;
}

/** Normalises content latents [items, dim] into a ColdContent (the input is not modified). */
export function coldContent(latents: Float32Array, dim: number, weight: number): ColdContent {
  if (dim <= 0 || latents.length % dim !== 0) throw new Error(`content latents of length ${latents.length} are not rows of dim ${dim}`);
  if (!(weight >= 0) || !Number.isFinite(weight)) throw new Error(`cold-content weight must be a finite number >= 0, got ${weight}`);
  const n = latents.length / dim;
  const unit = new Float32Array(latents.length);
  const mean = new Float32Array(dim);
  let sum = 0;
  let rows = 0;
  for (let i = 0; i < n; i++) {
    const norm = rowNorm(latents, i * dim, dim);
    if (norm === 0) continue;
    sum += norm;
    rows++;
    for (let d = 0; d < dim; d++) {
      unit[i * dim + d] = latents[i * dim + d]! / norm;
      mean[d]! += unit[i * dim + d]!;
    }
  }
  if (rows) for (let d = 0; d < dim; d++) mean[d]! /= rows;
  return { unit, dim, scale: rows ? sum / rows : 0, mean, weight };
}

/**
 * Writes into `out` (length dim) the unit content profile of a history (item indices, oldest first): the normalised
 * mean of the unit content latents of its last PROFILE_WINDOW items. Indices outside the table are skipped (items
 * this table does not know yet). Returns cos(q_u, c_mean), the centre profileTerm subtracts, or null, with `out`
 * zeroed, when no history item has content.
 */
export function contentProfile(c: ColdContent, history: ArrayLike<number>, out: Float32Array): number | null {
  out.fill(0);
  const n = c.unit.length / c.dim;
  for (let k = Math.max(0, history.length - PROFILE_WINDOW); k < history.length; k++) {
    const i = history[k]!;
    if (!(i >= 0 && i < n)) continue;
    for (let d = 0; d < c.dim; d++) out[d]! += c.unit[i * c.dim + d]!;
  }
  const norm = rowNorm(out, 0, c.dim);
  if (norm === 0) return null;
  let centre = 0;
  for (let d = 0; d < c.dim; d++) {
    out[d]! /= norm;
    centre += out[d]! * c.mean[d]!;
  }
  return centre;
}

/**
 * The profile term of a cold item: w * |z_u| * m * (cos(q_u, c_i) - centre), given the unit profile `q` and the
 * `centre` contentProfile returned, and the content latent of the item at row `i` of `rows` with its L2 norm
 * `norm` (1 for the table's own unit rows; the worker passes its latents of items created through the item API).
 */
export function profileTerm(c: ColdContent, zuNorm: number, q: Float32Array, centre: number, rows: Float32Array, i: number, norm = 1): number {
  let dot = 0;
  for (let d = 0; d < c.dim; d++) dot += q[d]! * rows[i * c.dim + d]!;
  return c.weight * zuNorm * c.scale * (dot / norm - centre);
}

/** L2 norm of `dim` values of `x` from `offset`. */
export function rowNorm(x: Float32Array, offset: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += x[offset + d]! * x[offset + d]!;
  return Math.sqrt(s);
}

/**
 * Maps `mixed` (in place) affinely onto the mean and standard deviation of `plain` (the same items' scores without
 * the term): order among the items is that of `mixed`, their level and spread that of `plain`. Fewer than two
 * items, or no spread in `mixed`: `plain` is copied.
 */
export function calibrate(plain: ArrayLike<number>, mixed: Float32Array | Float64Array): void {
  const n = plain.length;
  const [m0, s0] = meanStd(plain);
  const [m1, s1] = meanStd(mixed);
  for (let i = 0; i < n; i++) mixed[i] = n < 2 || s1 === 0 ? plain[i]! : m0 + ((mixed[i]! - m1) * s0) / s1;
}

function meanStd(x: ArrayLike<number>): [number, number] {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i]!;
  m /= Math.max(1, x.length);
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i]! - m) ** 2;
  return [m, Math.sqrt(v / Math.max(1, x.length))];
}
