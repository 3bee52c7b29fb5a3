// Prepares a dataset end to end: raw folder (local or downloaded) -> loader (a preset's, or one of the import
// formats under any name) -> canonical files -> splits, all staged and swapped in at once (write.ts), so a
// failed import (malformed input, a split error) leaves nothing half-written.
import { readDataset } from './read.ts';
import { LOADERS, loadFormat } from './loaders/index.ts';
import { datasetDir, llmrecHome } from './paths.ts';
import { DATASET_NAMES, DatasetName, type DatasetMeta, type ImportFormat, type PresetName, type SplitMeta, type SplitName } from './schema.ts';
import { computeSplit, writeSplit } from './splits/index.ts';
import type { BuiltDataset } from './builder.ts';
import { stageDataset, type WriteOptions } from './write.ts';

export interface PrepareOptions {
  /** Dataset name (folder under $LLMREC_HOME/datasets, KV version prefix): any DatasetName. */
  name: string;
  /** Raw folder; when absent the loader's download is used (see download.ts). */
  from: string;
  /** Import format; absent = the preset of the same name (or `preset`). */
  format?: ImportFormat;
  /** A preset's loader under another name (e.g. ML-100K imported as 'ml100k-copy'). */
  preset?: PresetName;
  /** s3rec / recbole file prefix; detected from the folder when absent. */
  prefix?: string;
  kind?: 'local' | 'download';
  url?: string;
  home?: string;
  out?: string;
  lenient?: boolean;
  splits?: SplitName[];
  seed?: number;
  onProgress?: (done: number, total: number) => void;
  log?: (step: string, msg: string) => void;
}

export interface PrepareResult {
  dir: string;
  meta: DatasetMeta;
  splits: SplitMeta[];
}

export class UnknownDatasetError extends Error {}

export const isPreset = (name: string): name is PresetName => (DATASET_NAMES as readonly string[]).includes(name);

export function prepareDataset(o: PrepareOptions): PrepareResult {
  const log = o.log ?? (() => {});
  const name = DatasetName.safeParse(o.name);
  if (!name.success) throw new UnknownDatasetError(`dataset name '${o.name}': ${name.error.issues[0]?.message}`);
  const dir = o.out ?? datasetDir(o.name, o.home ?? llmrecHome());
  log('load', `${o.name} from ${o.from}${o.format ? ` (${o.format})` : ''}${o.lenient ? ' (lenient)' : ''}`);
  let built;
  let format: string;
  let prefix: string | undefined;
  if (o.format) {
    ({ built, prefix } = loadFormat(o.format, o.from, o.name, { lenient: o.lenient, onProgress: o.onProgress, prefix: o.prefix }));
    format = o.format;
  } else {
    const preset = o.preset ?? (isPreset(o.name) ? o.name : undefined);
    if (!preset) throw new UnknownDatasetError(`'${o.name}' is not a preset (${DATASET_NAMES.join(', ')}): give its format (csv, jsonl, s3rec, recbole)`);
    const entry = LOADERS[preset];
    built = { ...entry.load(o.from, { lenient: o.lenient, onProgress: o.onProgress }), name: o.name };
    format = entry.format;
    prefix = entry.prefix;
  }
  return writeWithSplits(built, dir, { kind: o.kind ?? 'local', dir: o.from, url: o.url, format, prefix }, { splits: o.splits, seed: o.seed, log });
}

/** Stages a built dataset with its splits and swaps it in (nothing half-written on any failure). */
export function writeWithSplits(built: BuiltDataset, dir: string, src: WriteOptions, o: { splits?: SplitName[]; seed?: number; log?: (step: string, msg: string) => void } = {}): PrepareResult {
  const log = o.log ?? (() => {});
  const staged = stageDataset(built, dir, src);
  const splits: SplitMeta[] = [];
  try {
    const meta = staged.meta;
    const ds = readDataset(staged.dir);
    for (const s of o.splits ?? ['loo', 'temporal', 'cold', 'streaming']) {
      if (s === 'streaming' && !meta.hasTimestamps) {
        log('split', `streaming skipped: ${built.name} has no timestamps`);
        continue;
      }
      const sp = computeSplit({ ...ds, hasTimestamps: meta.hasTimestamps }, s, o.seed ?? 42);
      writeSplit(staged.dir, sp);
      splits.push(sp.meta);
      log('split', `${s}: ${Object.entries(sp.meta.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
  } catch (e) {
    staged.discard();
    throw e;
  }
  staged.commit();
  const meta = staged.meta;
  log('write', `${dir}: ${meta.counts.users} users, ${meta.counts.items} items, ${meta.counts.interactions} interactions, ${meta.modalities.image} images`);
  return { dir, meta, splits };
}
