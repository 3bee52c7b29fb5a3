// What the GPU worker loads (request path, step 4): a small versioned manifest naming the joint item-latent
// table (z_i: for a trained bundle the fused CF + content latents of issue 10), the user-encoder ONNX graph
// (history -> z_u) and, for a trained bundle, the content tower (item features -> z_item in the same space, how a
// new item is embedded online), each with its sha256, checked at load.
// Written for the offline artifacts of `llmrec train` (shared/src/artifacts.ts) or, before those exist, for
// a baseline (bag-of-items encoder trained in TypeScript) — `source` says which.
import { z } from 'zod';
import { TowerInput } from '../artifacts.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const BundleFile = z.object({
  /** Relative to the manifest's folder, or absolute. */
  path: z.string().min(1),
  sha256,
});

export const ServingBundle = z.object({
  v: z.literal(1),
  kind: z.literal('serving-bundle'),
  /** Reported to clients as the model version; changes whenever a file changes. */
  version: z.string().min(1),
  dataset: z.string(),
  source: z.enum(['training', 'baseline-bag-of-items']),
  createdAt: z.string(),
  /** float32 .npy [items, dim], row = dense item index. */
  itemLatents: BundleFile.extend({ items: z.number().int().positive(), dim: z.number().int().positive() }),
  /** int64 [B, L] (item index + 1, left-padded with 0) -> float32 [B, dim]. */
  userEncoder: BundleFile.extend({ input: z.string(), output: z.string(), maxlen: z.number().int().positive() }).optional(),
  /**
   * The offline product quantization of itemLatents (`llmrec train`'s pq step: k-means + refined codebooks):
   * codebooks float32 .npy [m, k, dsub], codes raw uint8 [items, m]. `llmrec publish` ships these to KV when
   * present (so the edge decodes exactly what training measured) and quantizes in TypeScript otherwise.
   */
  pq: z.object({
    codebooks: BundleFile.extend({ m: z.number().int().positive(), k: z.number().int().positive().max(256), dsub: z.number().int().positive() }),
    codes: BundleFile,
  }).optional(),
  /**
   * The content tower (issue 10): inputs `<modality>` float32 [B, dim] and `<modality>_present` float32 [B] (0/1)
   * per content modality, output `z_item` [B, dim] in the space of `userEncoder`'s z_u. `modalities` says which
   * frozen encoder produced each input at training time (shared/src/features.ts); a new item must be embedded
   * with the same encoders.
   */
  contentTower: BundleFile.extend({
    inputs: z.array(TowerInput).min(2),
    output: z.literal('z_item'),
    dim: z.number().int().positive(),
    modalities: z.array(z.object({ name: z.string(), encoder: z.string(), source: z.string(), dim: z.number().int().positive() })).min(1),
    /**
     * features.json (shared/src/features.ts) of the catalogue's feature tables the tower was trained on, copied into
     * the artifacts by `llmrec train` (each table's sha256 is in that file): what the worker's content attribution
     * reads, so the bundle does not depend on the training machine's features folder.
     */
    features: BundleFile.optional(),
  }).optional(),
  notes: z.array(z.string()).default([]),
});
export type ServingBundle = z.infer<typeof ServingBundle>;
export type ServingBundleInput = z.input<typeof ServingBundle>;

export const SERVING_BUNDLE_FILE = 'serving-bundle.json';
