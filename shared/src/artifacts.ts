// The versioned manifest of the offline artifacts written by `llmrec train` (frozen SASRec backbone, base aligner,
// multimodal fusion tower, PQ codes — the "offline path" of the method). Layout: $LLMREC_HOME/artifacts/<dataset>/<split>/manifest.json
// beside the files it names; every file carries its sha256, checked by whoever loads it (worker, eval, publish).
// For split 'loo' the pipeline also writes artifacts/<dataset>/serving/serving-bundle.json (api/serving-bundle.ts).
import { z } from 'zod';

export const ARTIFACTS_MANIFEST_FILE = 'manifest.json';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const ArtifactFile = z.object({
  /** Relative to the manifest's folder. */
  path: z.string().min(1),
  sha256,
  bytes: z.number().int().nonnegative(),
  /** Tables: .npy float32 (row = dense item index) or raw little-endian .u8 codes. */
  shape: z.array(z.number().int().nonnegative()).optional(),
  dtype: z.enum(['float32', 'uint8']).optional(),
});
export type ArtifactFile = z.infer<typeof ArtifactFile>;

/** Ranking metrics as the Python steps compute them (full ranking excludes the input history). */
export const RankMetrics = z.record(z.string(), z.number());

export const TextFeatures = z.object({
  kind: z.enum(['hashed-tfidf', 'precomputed']),
  dim: z.number().int().positive(),
  /** For 'precomputed': what produced the matrix (e.g. onnx:<model file>). */
  source: z.string().optional(),
});
export type TextFeatures = z.infer<typeof TextFeatures>;

/** The content features the fusion step read, per modality (shared/src/features.ts names the producer). */
export const FusionFeatures = z.object({
  /** Features folder (features.json + .npy files) and the sha256 of its features.json. */
  dir: z.string().min(1),
  sha256,
  modalities: z.record(z.string(), z.object({ encoder: z.string(), source: z.string(), dim: z.number().int().positive(), present: z.number().int().nonnegative() })),
});
export type FusionFeatures = z.infer<typeof FusionFeatures>;

/** One input of an item tower: float32 [B, dim] features, or (dim 0) a float32 [B] presence flag `<modality>_present`. */
export const TowerInput = z.object({ name: z.string().min(1), dim: z.number().int().nonnegative() });
export type TowerInput = z.infer<typeof TowerInput>;

/** I/O of an exported item tower (content tower: the content modalities; fusion tower: `cf` first, then those). */
export const TowerSpec = z.object({ inputs: z.array(TowerInput).min(2), output: z.literal('z_item'), dim: z.number().int().positive() });
export type TowerSpec = z.infer<typeof TowerSpec>;

/** How a history is fed to both ONNX graphs: int64 [B, L<=maxlen] of item index + 1, left-padded with 0. */
export const HistoryInput = z.object({
  name: z.literal('history'),
  maxlen: z.number().int().positive(),
  offset: z.literal(1),
  pad: z.literal(0),
});

export const ArtifactsManifest = z.object({
  /** 2: fused item latents, the content and fusion towers (issue 10); v1 manifests are retrained. */
  v: z.literal(2),
  kind: z.literal('llmrec-artifacts'),
  dataset: z.string().min(1),
  split: z.string().min(1),
  seed: z.number().int(),
  createdAt: z.string(),
  /** Content hash of inputs + config + code: equal keys mean identical artifacts. */
  key: z.string().min(1),
  items: z.number().int().positive(),
  input: HistoryInput,
  /** Text features of the base aligner's matching loss. */
  textFeatures: TextFeatures,
  /** Content features of the fusion step. */
  features: FusionFeatures,
  contentTower: TowerSpec,
  fusionTower: TowerSpec,
  opset: z.number().int().max(17),
  config: z.object({ sasrec: z.record(z.string(), z.unknown()), aligner: z.record(z.string(), z.unknown()), fusion: z.record(z.string(), z.unknown()), pq: z.record(z.string(), z.unknown()) }),
  metrics: z.object({
    sasrec: z.object({ valid: z.record(z.string(), RankMetrics), test: z.record(z.string(), RankMetrics), secPerEpoch: z.number(), epochs: z.number().int() }),
    aligner: z.object({ valid: z.record(z.string(), RankMetrics), test: z.record(z.string(), RankMetrics), secPerEpoch: z.number(), epochs: z.number().int() }),
    /** Fused latents z_u . z_item (cold items of a cold-items split from content alone); coldValid: validation-cold
     * items ranked among themselves, from content (cold-items splits only). */
    fusion: z.object({
      valid: z.record(z.string(), RankMetrics),
      test: z.record(z.string(), RankMetrics),
      coldValid: RankMetrics.optional(),
      secPerEpoch: z.number(),
      epochs: z.number().int(),
      selectedEpoch: z.number().int(),
      /** Mean gate weight of each modality over the items with CF signal. */
      gates: z.record(z.string(), z.number()),
    }),
    pq: z.object({
      m: z.number().int().positive(),
      k: z.number().int().positive(),
      compressionCodes: z.number(),
      compressionWithCodebooks: z.number(),
      relativeReconstructionError: z.number(),
      ndcg10Ratio: z.number(),
      /** Steps of ranking-aware codebook refinement after k-means (codes fixed); 0 = plain k-means. */
      finetuneSteps: z.number().int().nonnegative().optional(),
      /** The same ratio and error for the plain k-means codebooks, reported when refinement ran. */
      ndcg10RatioKmeansOnly: z.number().optional(),
      kmeansRelativeReconstructionError: z.number().optional(),
    }),
  }),
  files: z.object({
    /** history -> user_repr [B, hidden], scores [B, items] (SASRec's own scorer). */
    sasrecEncoder: ArtifactFile,
    /** history -> z_u [B, dim] (frozen SASRec + aligner user encoder). */
    userEncoder: ArtifactFile,
    sasrecItems: ArtifactFile,
    /** Item latents used for scoring [items, dim]: the fusion tower's output with every modality the item has
     * (items without training interactions: content alone). */
    itemLatents: ArtifactFile,
    /** The base aligner's item latents [items, dim]: the fusion tower's `cf` input. */
    cfLatents: ArtifactFile,
    /** features -> z_item (contentTower I/O): how a new item is embedded. */
    contentTower: ArtifactFile,
    /** cf + features -> z_item (fusionTower I/O). */
    fusionTower: ArtifactFile,
    /** Reference PyTorch outputs of both towers for a few real items. */
    towerParity: ArtifactFile,
    /** `features/features.json`: the content features the tower was trained on (the modalities it reads), copied beside
     * it so the serving bundle is self-contained (the worker's content attribution reads them). Absent in older manifests. */
    towerFeatures: ArtifactFile.optional(),
    /** [m, k, dim/m] float32. */
    pqCodebooks: ArtifactFile,
    /** [items, m] uint8. */
    pqCodes: ArtifactFile,
    /** Reference PyTorch outputs for a few histories (the ONNX parity check). */
    parity: ArtifactFile,
  }),
  timings: z.record(z.string(), z.number()).default({}),
});
export type ArtifactsManifest = z.infer<typeof ArtifactsManifest>;
export type ArtifactName = keyof ArtifactsManifest['files'];

/** Folder of a dataset/split's artifacts under $LLMREC_HOME (plain string join: runtime-neutral). */
export function artifactsDir(home: string, dataset: string, split: string): string {
  return `${home.replace(/\/+$/, '')}/artifacts/${dataset}/${split}`;
}

export function parseArtifactsManifest(json: unknown, where = 'artifacts manifest'): ArtifactsManifest {
  const r = ArtifactsManifest.safeParse(json);
  if (!r.success) throw new Error(`${where} is not a v2 artifacts manifest (re-run \`llmrec train\`): ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes as unknown as ArrayBuffer);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Throws unless `bytes` hash to the manifest entry's sha256 and size. */
export async function verifyArtifact(file: ArtifactFile, bytes: Uint8Array): Promise<void> {
  if (bytes.byteLength !== file.bytes) throw new Error(`artifact ${file.path}: ${bytes.byteLength} bytes, manifest says ${file.bytes}`);
  const got = await sha256Hex(bytes);
  if (got !== file.sha256) throw new Error(`artifact ${file.path}: sha256 ${got.slice(0, 12)}... differs from the manifest's ${file.sha256.slice(0, 12)}...`);
}

/** A history (item indices, time order) as the ONNX input: the last maxlen items, index + 1, left-padded with 0. */
export function padHistory(items: ArrayLike<number>, maxlen: number): number[] {
  const out = new Array<number>(maxlen).fill(0);
  const n = Math.min(items.length, maxlen);
  const start = items.length - n;
  for (let j = 0; j < n; j++) out[maxlen - n + j] = items[start + j]! + 1;
  return out;
}

/** A batch of histories as a flat row-major [B, maxlen] array for an int64 tensor. */
export function padHistories(histories: ArrayLike<number>[], maxlen: number): number[] {
  const out: number[] = [];
  for (const h of histories) out.push(...padHistory(h, maxlen));
  return out;
}
