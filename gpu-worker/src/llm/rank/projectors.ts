// Serves the learned projectors (training/projectors -> projector.onnx): joint latents of users, items and
// evidence items become soft tokens in the frozen LLM's input space. Item/evidence tokens are computed
// once for the catalogue; user tokens per request (from the user latent or the history's mean latent).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { asFloat32, createSession, float32, run, type OnnxSession } from '../../onnx/index.ts';
import { readNpy, type Matrix } from '../model/npy.ts';

/** The LLM fusion weight chosen on validation for these projectors (written by eval/src/llm/llm-eval.ts). */
export const FusionChoice = z.object({
  weight: z.number().min(0),
  /** Where it was chosen, e.g. 'valid NDCG@10, leave-one-out, latent top-20 re-ranked'. */
  chosenOn: z.string(),
  /** Validation NDCG@10 per weight tried. */
  validNdcg10: z.record(z.string(), z.number()),
  llm: z.string(),
  artifacts: z.string().optional(),
  at: z.string(),
});
export type FusionChoice = z.infer<typeof FusionChoice>;

export const ProjectorMeta = z.object({
  version: z.literal(1),
  latentDim: z.number().int().positive(),
  tokenDim: z.number().int().positive(),
  kinds: z.array(z.string()),
  latents: z.string(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  fusion: FusionChoice.optional(),
});
export type ProjectorMeta = z.infer<typeof ProjectorMeta>;

export interface SoftTokens {
  meta: ProjectorMeta;
  session: OnnxSession;
  itemLatents: Matrix;
  userLatents?: Matrix;
  /** [items * tokenDim] item tokens and evidence tokens of every catalogue item. */
  itemTokens: Float32Array;
  evidenceTokens: Float32Array;
  dim: number;
}

export async function loadProjectors(dir: string): Promise<SoftTokens> {
  const metaPath = join(dir, 'projector.json');
  if (!existsSync(metaPath)) throw new Error(`${dir}: no projector.json (train with: PYTHONPATH=training /usr/bin/python3 -m projectors ...)`);
  const meta = ProjectorMeta.parse(JSON.parse(readFileSync(metaPath, 'utf8')));
  const session = await createSession(join(dir, 'projector.onnx'), { device: 'cpu', threads: 1 });
  const itemLatents = readNpy(join(dir, 'item_latents.npy'));
  const userLatents = existsSync(join(dir, 'user_latents.npy')) ? readNpy(join(dir, 'user_latents.npy')) : undefined;
  if (itemLatents.shape[1] !== meta.latentDim) throw new Error(`${dir}: item latents have dim ${itemLatents.shape[1]}, projector expects ${meta.latentDim}`);
  const out = await run(session, { latent: float32(itemLatents.data, itemLatents.shape) });
  return { meta, session, itemLatents, userLatents, itemTokens: asFloat32(out.item_token!), evidenceTokens: asFloat32(out.evidence_token!), dim: meta.tokenDim };
}

export function row(m: Float32Array, idx: number, dim: number): Float32Array {
  if (idx < 0 || (idx + 1) * dim > m.length) throw new RangeError(`row ${idx} outside the matrix`);
  return m.subarray(idx * dim, (idx + 1) * dim);
}

/** Mean joint latent of history items (the user latent of an unseen or anonymous user). */
export function historyLatent(p: SoftTokens, history: readonly number[]): Float32Array {
  const d = p.meta.latentDim;
  const z = new Float32Array(d);
  for (const i of history) {
    const r = row(p.itemLatents.data, i, d);
    for (let k = 0; k < d; k++) z[k]! += r[k]! / history.length;
  }
  return z;
}

/** The soft user token for a joint user latent. */
export async function userToken(p: SoftTokens, latent: Float32Array): Promise<Float32Array> {
  const out = await run(p.session, { latent: float32(latent, [1, p.meta.latentDim]) });
  return asFloat32(out.user_token!);
}
