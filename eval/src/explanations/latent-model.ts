// The serving model for offline evaluations of the explanation and LLM layers: the worker's own LatentModel
// (user encoder ONNX -> z_u, scored z_u . z_i against the joint item latents) built from the trained artifacts of
// a split (`aligner`, what the serving bundle ships) or from the serving bundle itself (`serving`).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, SplitName } from '@llmrec/data/index.ts';
import { decodeNpy } from '@llmrec/data/npy.ts';
import { loadServingModel } from '@llmrec/gpu-worker/artifacts.ts';
import { createSession } from '@llmrec/gpu-worker/onnx/index.ts';
import { z } from 'zod';
import { createLatentModel, type LatentModel } from '@llmrec/gpu-worker/model.ts';
import { SERVING_BUNDLE_FILE } from '@llmrec/shared/api/serving-bundle.ts';
import { loadTrainedArtifacts } from '../models/sasrec.ts';

/** Models whose scores are z_u . z_i through a user encoder (what attribution and the LLM re-rank need). */
/** `fused` and `serving` both read the serving bundle `llmrec train` writes: its item latents are the fused ones
 * (collaborative + content through the fusion tower) and its user encoder the production one. */
export const LATENT_MODELS = ['aligner', 'fused', 'serving'] as const;

export async function loadLatentModel(name: string, ds: Dataset, split: SplitName, home: string, log: (m: string) => void = () => {}): Promise<LatentModel> {
  if (name === 'serving' || name === 'fused') {
    const dir = join(home, 'artifacts', ds.meta.name, 'serving');
    if (!existsSync(join(dir, SERVING_BUNDLE_FILE))) throw new Error(`no serving bundle at ${dir}: run \`llmrec train --dataset ${ds.meta.name}\``);
    return loadServingModel(dir, { device: 'cpu', threads: 1 });
  }
  if (name !== 'aligner') throw new Error(`'${name}' is not a user-encoder model (${LATENT_MODELS.join(', ')})`);
  const v1 = await loadV1Aligner(join(home, 'artifacts', ds.meta.name, split), log);
  if (v1) return v1;
  // loadTrainedArtifacts reads only the dataset, split, home and log of its context.
  const art = loadTrainedArtifacts({ dataset: ds, split, home, log } as Parameters<typeof loadTrainedArtifacts>[0]);
  const lat = decodeNpy(new Uint8Array(art.read('itemLatents')), 'item latents');
  const session = await art.session('userEncoder');
  return createLatentModel({ version: `aligner-${art.manifest.key}`, itemLatents: lat.data as Float32Array, dim: lat.shape[1]!, encoder: { session, input: art.manifest.input.name, output: 'z_u', maxlen: art.manifest.input.maxlen } });
}

const V1File = z.object({ path: z.string(), sha256: z.string() });
const V1Manifest = z.object({ v: z.literal(1), key: z.string(), input: z.object({ name: z.string(), maxlen: z.number().int() }), files: z.object({ itemLatents: V1File, userEncoder: V1File }) });

/**
 * The aligner of a v1 artifacts manifest (before the fusion step), which the v2 reader refuses: only its item
 * latents and user encoder, hash-checked. Projectors trained on such latents (training/projectors) are evaluated
 * against the same latents; undefined when the folder holds no v1 manifest.
 */
async function loadV1Aligner(dir: string, log: (m: string) => void): Promise<LatentModel | undefined> {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  const m = V1Manifest.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!m.success) return undefined;
  const read = (f: z.infer<typeof V1File>) => {
    const buf = readFileSync(join(dir, f.path));
    if (createHash('sha256').update(buf).digest('hex') !== f.sha256) throw new Error(`artifact ${join(dir, f.path)}: sha256 differs from ${file}`);
    return new Uint8Array(buf);
  };
  const lat = decodeNpy(read(m.data.files.itemLatents), 'item latents');
  const session = await createSession(read(m.data.files.userEncoder), { device: 'cpu' });
  log(`artifacts ${dir}: v1 manifest (key ${m.data.key}, before the fusion step): aligner item latents + user encoder only`);
  return createLatentModel({ version: `aligner-${m.data.key}`, itemLatents: lat.data as Float32Array, dim: lat.shape[1]!, encoder: { session, input: m.data.input.name, output: 'z_u', maxlen: m.data.input.maxlen } });
}
