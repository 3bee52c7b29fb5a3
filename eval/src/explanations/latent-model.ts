// The serving model for offline evaluations of the explanation and LLM layers: the worker's own LatentModel
// (user encoder ONNX -> z_u, scored z_u . z_i against the joint item latents) built from the trained artifacts of
// a split (`aligner`, what the serving bundle ships) or from the serving bundle itself (`serving`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, SplitName } from '@llmrec/data/index.ts';
import { decodeNpy } from '@llmrec/data/npy.ts';
import { loadServingModel } from '@llmrec/gpu-worker/artifacts.ts';
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
  // loadTrainedArtifacts reads only the dataset, split, home and log of its context.
  const art = loadTrainedArtifacts({ dataset: ds, split, home, log } as Parameters<typeof loadTrainedArtifacts>[0]);
  const lat = decodeNpy(new Uint8Array(art.read('itemLatents')), 'item latents');
  const session = await art.session('userEncoder');
  return createLatentModel({ version: `aligner-${art.manifest.key}`, itemLatents: lat.data as Float32Array, dim: lat.shape[1]!, encoder: { session, input: art.manifest.input.name, output: 'z_u', maxlen: art.manifest.input.maxlen } });
}
