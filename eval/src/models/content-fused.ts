// `--model content|fused[-text|-image|-audio]`: the fusion step's towers (issue 10) as recommenders.
// - fused: the production path, z_u (user encoder ONNX) . item latents; the latents are the shipped fused table
//   (items without training interactions: content alone), or, under a test-time modality drop or a single-modality
//   variant, recomputed by fusion-tower.onnx from the CF latents and the features.
// - content: the content tower alone on both sides, no collaborative signal anywhere: a candidate's score is the cosine
//   of its content latent to the mean of the (unit) content latents of the user's last 50 history items (cosine and
//   the last 50 chosen over the plain dot product and the whole history on the cold-items validation items).
// `-text` / `-image` / `-audio` keep only that content modality (the CF path of `fused` stays).
import { decodeNpy } from '@llmrec/data/npy.ts';
import { applyDrops, keepModalities, readContentFeatures, towerLatents, type ItemInputs } from './item-towers.ts';
import { loadTrainedArtifacts, runHistories } from './sasrec.ts';
import type { FitContext, ModelSpec } from './types.ts';

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
    description: `content tower alone${only ? ` (${only} only)` : ''}: cosine of an item's content latent to the mean unit content latent of the last 50 history items`,
    async create(ctx) {
      const { art, n, inputs } = await itemInputs(ctx, only);
      const s = await art.session('contentTower');
      const dim = art.manifest.contentTower.dim;
      const z = await towerLatents(s, art.manifest.contentTower, inputs);
      await s.session.release();
      for (let i = 0; i < n; i++) {
        const row = z.subarray(i * dim, (i + 1) * dim);
        const norm = Math.hypot(...row);
        if (norm > 0) for (let j = 0; j < dim; j++) row[j]! /= norm;
      }
      const maxlen = art.manifest.input.maxlen;
      return {
        score(req) {
          const out = new Float32Array(req.users.length * n);
          const q = new Float32Array(dim);
          req.histories.forEach((h, b) => {
            q.fill(0);
            const last = h.subarray(Math.max(0, h.length - maxlen));
            for (const i of last) for (let j = 0; j < dim; j++) q[j]! += z[i * dim + j]!;
            for (let j = 0; j < dim; j++) q[j]! /= Math.max(1, last.length);
            dot(q, z, n, dim, out.subarray(b * n, (b + 1) * n));
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

function makeFused(only?: string): ModelSpec {
  return {
    name: only ? `fused-${only}` : 'fused',
    description: `fused CF + content item latents (issue 10), z_u . z_item${only ? ` (content: ${only} only)` : ''}`,
    async create(ctx) {
      const art = loadTrainedArtifacts(ctx);
      const n = art.manifest.items;
      const dim = art.manifest.fusionTower.dim;
      let z: Float32Array;
      if (!only && !ctx.drop?.length) {
        z = decodeNpy(new Uint8Array(art.read('itemLatents')), 'item latents').data as Float32Array;
      } else {
        const { inputs } = await itemInputs(ctx, only);
        const cf = decodeNpy(new Uint8Array(art.read('cfLatents')), 'cf latents');
        inputs.features.set('cf', { dim: cf.shape[1]!, data: cf.data as Float32Array });
        inputs.present.set('cf', cfPresence(ctx));
        const s = await art.session('fusionTower');
        z = await towerLatents(s, art.manifest.fusionTower, inputs);
        await s.session.release();
      }
      const s = await art.session('userEncoder');
      const maxlen = art.manifest.input.maxlen;
      return {
        async score(req) {
          const zu = await runHistories(s, req.histories, maxlen, 'z_u');
          const out = new Float32Array(req.histories.length * n);
          for (let b = 0; b < req.histories.length; b++) dot(zu.subarray(b * dim, (b + 1) * dim), z, n, dim, out.subarray(b * n, (b + 1) * n));
          return out;
        },
        async close() {
          await s.session.release();
        },
      };
    },
  };
}

export const content = makeContent();
export const fused = makeFused();
export const contentOnly = (m: string) => makeContent(m);
export const fusedOnly = (m: string) => makeFused(m);
