// `--model content|fused[-text|-image|-audio]`: the fusion step's towers (issue 10) as recommenders.
// - fused: the production path, z_u (user encoder ONNX) . item latents; the latents are the shipped fused table
//   (items without training interactions: content alone), or, under a test-time modality drop or a single-modality
//   variant, recomputed by fusion-tower.onnx from the CF latents and the features. Items without training
//   interactions add the user's content-profile cosine (shared/src/catalog/cold-content.ts, as the worker does),
//   its weight chosen on the split's validation items when the model is fitted (cold-items: the validation-cold
//   items; never the test items).
// - content: the content tower alone on both sides, no collaborative signal anywhere: a candidate's score is the cosine
//   of its content latent to the mean of the (unit) content latents of the user's last 50 history items (cosine and
//   the last 50 chosen over the plain dot product and the whole history on the cold-items validation items).
// `-text` / `-image` / `-audio` keep only that content modality (the CF path of `fused` stays).
import { TRAIN, VALID } from '@llmrec/data/index.ts';
import { decodeNpy } from '@llmrec/data/npy.ts';
import { applyDrops, keepModalities, readContentFeatures, towerLatents, type ItemInputs } from './item-towers.ts';
import { loadTrainedArtifacts, runHistories } from './sasrec.ts';
import { calibrate, coldContent, contentProfile, DEFAULT_COLD_CONTENT_WEIGHT, profileTerm, rowNorm, type ColdContent } from '@llmrec/shared/catalog/cold-content.ts';
import { fullRanks, userMetrics } from '../metrics/ranking.ts';
import type { FitContext, ModelSpec, ValidationCases } from './types.ts';

function dot(q: Float32Array, table: Float32Array, n: number, dim: number, out: Float32Array): void {
  for (let i = 0; i < n; i++) {
    let acc = 0;
    const base = i * dim;
    for (let j = 0; j < dim; j++) acc += q[j]! * table[base + j]!;
    out[i] = acc;
  }
}

async function itemInputs(ctx: FitContext, only: string | undefined) {
  const art = loadTrainedArtifacts(ctx);
  const n = art.manifest.items;
  let inputs: ItemInputs = readContentFeatures(art.manifest.features.dir, art.manifest.features.sha256, n);
  if (only) {
    if (!inputs.features.has(only)) throw new Error(`variant -${only}: the artifacts have no ${only} features (${[...inputs.features.keys()].join(', ')})`);
    inputs = keepModalities(inputs, [only]);
  }
  inputs = applyDrops(inputs, ctx.drop, ctx.seed);
  return { art, n, inputs };
}

function makeContent(only?: string): ModelSpec {
  return {
    name: only ? `content-${only}` : 'content',
    description: `content tower alone${only ? ` (${only} only)` : ''}: cosine of an item's content latent to the user's content profile (the unit mean of the unit content latents of the last 50 history items, shared/src/catalog/cold-content.ts contentProfile)`,
    async create(ctx) {
      const { art, n, inputs } = await itemInputs(ctx, only);
      const s = await art.session('contentTower');
      const dim = art.manifest.contentTower.dim;
      const z = await towerLatents(s, art.manifest.contentTower, inputs);
      await s.session.release();
      // the worker's content profile (shared/src/catalog/cold-content.ts): unit content latents, the unit mean of the
      // newest PROFILE_WINDOW history items; an item's score is its cosine to that profile
      const cc = coldContent(z, dim, 1);
      return {
        score(req) {
          const out = new Float32Array(req.users.length * n);
          const q = new Float32Array(dim);
          req.histories.forEach((h, b) => {
            if (contentProfile(cc, h, q) !== null) dot(q, cc.unit, n, dim, out.subarray(b * n, (b + 1) * n));
          });
          return out;
        },
      };
    },
  };
}

/** Items with at least one training row have CF signal (the fusion step's `cf_present`). */
export function cfPresence(ctx: FitContext): Float32Array {
  const p = new Float32Array(ctx.dataset.nItems);
  const { item } = ctx.dataset.interactions;
  for (let r = 0; r < item.length; r++) if (ctx.trainMask[r]) p[item[r]!] = 1;
  return p;
}

/** Grid of the cold-content weight w (shared/src/catalog/cold-content.ts) tried on the cold-validation items. */
/** Fewer validation users than this with a cold target (e.g. loo): the serving default weight, not a noisy choice. */
const MIN_SELECTION_USERS = 50;

export const COLD_WEIGHT_GRID = [0, 0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32] as const;

function makeFused(only?: string): ModelSpec {
  return {
    name: only ? `fused-${only}` : 'fused',
    description: `fused CF + content item latents (issue 10), z_u . z_item; items without training interactions add the content-profile cosine with a weight chosen on the validation items${only ? ` (content: ${only} only)` : ''}`,
    async create(ctx) {
      const art = loadTrainedArtifacts(ctx);
      const n = art.manifest.items;
      const dim = art.manifest.fusionTower.dim;
      const { inputs } = await itemInputs(ctx, only);
      const ct = await art.session('contentTower');
      const contentLatents = await towerLatents(ct, art.manifest.contentTower, inputs);
      await ct.session.release();
      let z: Float32Array;
      if (!only && !ctx.drop?.length) {
        z = decodeNpy(new Uint8Array(art.read('itemLatents')), 'item latents').data as Float32Array;
      } else {
        const cf = decodeNpy(new Uint8Array(art.read('cfLatents')), 'cf latents');
        inputs.features.set('cf', { dim: cf.shape[1]!, data: cf.data as Float32Array });
        inputs.present.set('cf', cfPresence(ctx));
        const s = await art.session('fusionTower');
        z = await towerLatents(s, art.manifest.fusionTower, inputs);
        await s.session.release();
      }
      const presence = cfPresence(ctx);
      const cold = Int32Array.from({ length: n }, (_, i) => i).filter((i) => presence[i] === 0);
      const s = await art.session('userEncoder');
      const maxlen = art.manifest.input.maxlen;
      const scoreWith = async (histories: Int32Array[], cc: ColdContent): Promise<Float32Array> => {
        const zu = await runHistories(s, histories, maxlen, 'z_u');
        const out = new Float32Array(histories.length * n);
        const q = new Float32Array(dim);
        for (let b = 0; b < histories.length; b++) {
          const row = out.subarray(b * n, (b + 1) * n);
          dot(zu.subarray(b * dim, (b + 1) * dim), z, n, dim, row);
          const centre = cc.weight === 0 ? null : contentProfile(cc, histories[b]!, q);
          if (centre === null) continue;
          const zn = rowNorm(zu, b * dim, dim);
          const plain = Float32Array.from(cold, (i) => row[i]!);
          const mixed = Float32Array.from(cold, (i, k) => plain[k]! + profileTerm(cc, zn, q, centre, cc.unit, i));
          calibrate(plain, mixed);
          cold.forEach((i, k) => (row[i] = mixed[k]!));
        }
        return out;
      };
      let cc = coldContent(contentLatents, dim, 0);
      if (cold.length) cc = ctx.validation ? await chooseColdWeight(ctx, ctx.validation, contentLatents, dim, cold, scoreWith) : coldContent(contentLatents, dim, DEFAULT_COLD_CONTENT_WEIGHT);
      return {
        score: (req) => scoreWith(req.histories, cc),
        async close() {
          await s.session.release();
        },
      };
    },
  };
}

/**
 * Picks the cold-content weight with the best mean NDCG@10 on the validation cases whose target has no training
 * interactions (cold-items: the validation-cold items, ranked among them; other splits: usually none, weight 0),
 * the user's history excluded; ties go to the smaller weight.
 */
async function chooseColdWeight(ctx: FitContext, v: ValidationCases, latents: Float32Array, dim: number, cold: Int32Array, scoreWith: (h: Int32Array[], cc: ColdContent) => Promise<Float32Array>): Promise<ColdContent> {
  const isCold = new Uint8Array(latents.length / dim);
  for (const i of cold) isCold[i] = 1;
  const rows = v.targets.flatMap((t, r) => ([...t].some((i) => isCold[i]) ? [r] : []));
  if (rows.length < MIN_SELECTION_USERS) {
    ctx.log(`fused: ${rows.length} validation users with a target without training interactions (< ${MIN_SELECTION_USERS}): cold-content weight ${DEFAULT_COLD_CONTENT_WEIGHT}, the serving default`);
    return coldContent(latents, dim, DEFAULT_COLD_CONTENT_WEIGHT);
  }
  const n = isCold.length;
  const notCandidate = v.candidates ? Uint8Array.from(v.candidates, (c) => (c ? 0 : 1)) : new Uint8Array(n);
  const ndcgAt = (w: number, histories: Int32Array[], targets: Int32Array[], skip: Uint8Array) => meanNdcg10(histories, targets, skip, coldContent(latents, dim, w), scoreWith);
  const hs = rows.map((r) => v.histories[r]!);
  const ts = rows.map((r) => v.targets[r]!);
  const results: string[] = [];
  let best = { w: 0, ndcg: -1 };
  for (const w of COLD_WEIGHT_GRID) {
    const ndcg = await ndcgAt(w, hs, ts, notCandidate);
    results.push(`${w}: ${ndcg.toFixed(4)}`);
    if (ndcg > best.ndcg) best = { w, ndcg };
  }
  ctx.log(`fused: cold-content weight ${best.w} chosen on ${rows.length} validation users (NDCG@10 by weight: ${results.join(', ')})`);
  // What the weight costs warm items: each user's warm validation target ranked among ALL items (cold ones scored
  // with the term), at weight 0 and at the chosen weight.
  const warm = warmValidation(ctx);
  if (warm.targets.length && best.w > 0) {
    const all = new Uint8Array(n);
    const [w0, wb] = [await ndcgAt(0, warm.histories, warm.targets, all), await ndcgAt(best.w, warm.histories, warm.targets, all)];
    ctx.log(`fused: warm validation targets (${warm.targets.length} users) ranked among all items: NDCG@10 ${w0.toFixed(4)} at weight 0, ${wb.toFixed(4)} at weight ${best.w}`);
  }
  return coldContent(latents, dim, best.w);
}

/** Mean NDCG@10 of the targets, each user's history and the `skip` items excluded (a target is never excluded). */
async function meanNdcg10(histories: Int32Array[], targets: Int32Array[], skip: Uint8Array, cc: ColdContent, scoreWith: (h: Int32Array[], cc: ColdContent) => Promise<Float32Array>): Promise<number> {
  const n = skip.length;
  let sum = 0;
  for (let b0 = 0; b0 < histories.length; b0 += 256) {
    const scores = await scoreWith(histories.slice(b0, b0 + 256), cc);
    for (let b = 0; b < Math.min(256, histories.length - b0); b++) {
      const ex = skip.slice();
      for (const h of histories[b0 + b]!) ex[h] = 1;
      for (const t of targets[b0 + b]!) ex[t] = 0;
      sum += userMetrics(fullRanks(scores.subarray(b * n, (b + 1) * n), targets[b0 + b]!, ex), [10])['NDCG@10']!;
    }
  }
  return sum / histories.length;
}

/** Each user's warm validation row (label VALID) with the training rows as history. */
function warmValidation(ctx: FitContext): { histories: Int32Array[]; targets: Int32Array[] } {
  const { userStart, interactions } = ctx.dataset;
  const histories: Int32Array[] = [];
  const targets: Int32Array[] = [];
  for (let u = 0; u < ctx.dataset.nUsers; u++) {
    const h: number[] = [];
    let t = -1;
    for (let r = userStart[u]!; r < userStart[u + 1]!; r++) {
      if (ctx.labels[r] === TRAIN) h.push(interactions.item[r]!);
      else if (ctx.labels[r] === VALID) t = interactions.item[r]!;
    }
    if (t < 0 || !h.length) continue;
    histories.push(Int32Array.from(h));
    targets.push(Int32Array.of(t));
  }
  return { histories, targets };
}

export const content = makeContent();
export const fused = makeFused();
export const contentOnly = (m: string) => makeContent(m);
export const fusedOnly = (m: string) => makeFused(m);
