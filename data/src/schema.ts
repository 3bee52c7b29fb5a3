// Canonical dataset form, format version 1 (docs/dataset-format.md): zod schemas for the JSON parts, so every
// reader (eval, publish, demo) validates what it loads from disk; TypeScript types are inferred from them.
import { z } from 'zod';
import { LiveItemText } from '@llmrec/shared/kv/values.ts';

export const FORMAT_VERSION = 1;

/** Datasets with a built-in preset (format, raw folder, download): `llmrec data --dataset <preset>`. */
export const DATASET_NAMES = ['ml-100k', 'ml-1m', 'beauty', 'games'] as const;
export type PresetName = (typeof DATASET_NAMES)[number];

/**
 * Any dataset name a user picks (`llmrec data --name <name>`): it becomes a folder under $LLMREC_HOME/datasets,
 * a cache/artifacts folder and the prefix of published KV versions, so it is kept to a safe alphabet.
 */
export const DatasetName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'dataset names are 1-64 characters: lowercase letters, digits, - and _, starting with a letter or digit');
export type DatasetName = z.infer<typeof DatasetName>;

/** Raw formats any dataset can be imported from (docs/dataset-format.md "Importing your own data"). */
export const IMPORT_FORMATS = ['csv', 'jsonl', 's3rec', 'recbole'] as const;
export const ImportFormat = z.enum(IMPORT_FORMATS);
export type ImportFormat = z.infer<typeof ImportFormat>;

export const Skipped = z.object({ file: z.string(), line: z.number().int(), reason: z.string() });
export type Skipped = z.infer<typeof Skipped>;

export const DatasetMeta = z.object({
  formatVersion: z.literal(FORMAT_VERSION),
  name: z.string(),
  source: z.object({
    // 'synthetic': small generated datasets written by training/llmrec_train/synthetic.py for tests
    kind: z.enum(['local', 'download', 'synthetic', 'export']),
    dir: z.string(),
    /** Raw format read (a preset's own name for MovieLens: 'ml-100k', 'ml-1m'), absent in datasets written before it. */
    format: z.string().optional(),
    /** File prefix of s3rec / recbole folders (e.g. 'Beauty', 'Games-6k'). */
    prefix: z.string().optional(),
    url: z.string().optional(),
    files: z.array(z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() })),
  }),
  /** When this content was first written: rewriting identical content keeps it, so the files stay byte-identical. */
  createdAt: z.string(),
  counts: z.object({ users: z.number().int(), items: z.number().int(), interactions: z.number().int() }),
  hasTimestamps: z.boolean(),
  modalities: z.object({ image: z.number().int(), audio: z.number().int() }),
  skipped: z.array(Skipped),
  notes: z.array(z.string()).optional(),
});
export type DatasetMeta = z.infer<typeof DatasetMeta>;

export const UserRecord = z.object({
  idx: z.number().int().nonnegative(),
  id: z.string(),
  attrs: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type UserRecord = z.infer<typeof UserRecord>;

/** An item's text fields: one schema for the canonical items.jsonl and the items written through the API. */
export const ItemText = LiveItemText;
export type ItemText = z.infer<typeof ItemText>;

export const ItemRecord = z.object({
  idx: z.number().int().nonnegative(),
  id: z.string(),
  title: z.string(),
  text: ItemText,
  modalities: z.object({ image: z.string().nullable(), audio: z.string().nullable() }),
});
export type ItemRecord = z.infer<typeof ItemRecord>;

export const SplitName = z.enum(['loo', 'temporal', 'cold', 'streaming', 'cold-items']);
export type SplitName = z.infer<typeof SplitName>;
export const SPLIT_NAMES = SplitName.options;

export const SplitMeta = z.object({
  formatVersion: z.literal(FORMAT_VERSION).optional(),
  split: SplitName,
  seed: z.number().int(),
  params: z.record(z.string(), z.unknown()),
  counts: z.record(z.string(), z.number()),
});
export type SplitMeta = z.infer<typeof SplitMeta>;
