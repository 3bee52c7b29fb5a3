// Canonical dataset form, format version 1 (docs/dataset-format.md): zod schemas for the JSON parts, so every
// reader (eval, publish, demo) validates what it loads from disk; TypeScript types are inferred from them.
import { z } from 'zod';

export const FORMAT_VERSION = 1;

export const DATASET_NAMES = ['ml-100k', 'ml-1m', 'beauty', 'games'] as const;
export const DatasetName = z.enum(DATASET_NAMES);
export type DatasetName = z.infer<typeof DatasetName>;

export const Skipped = z.object({ file: z.string(), line: z.number().int(), reason: z.string() });
export type Skipped = z.infer<typeof Skipped>;

export const DatasetMeta = z.object({
  formatVersion: z.literal(FORMAT_VERSION),
  name: z.string(),
  source: z.object({
    // 'synthetic': small generated datasets written by training/llmrec_train/synthetic.py for tests
    kind: z.enum(['local', 'download', 'synthetic']),
    dir: z.string(),
    url: z.string().optional(),
    files: z.array(z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() })),
  }),
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

export const ItemText = z.object({
  genres: z.array(z.string()).optional(),
  director: z.array(z.string()).optional(),
  writer: z.array(z.string()).optional(),
  cast: z.array(z.string()).optional(),
  plot: z.string().optional(),
  year: z.number().optional(),
  attributes: z.array(z.string()).optional(),
});
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
