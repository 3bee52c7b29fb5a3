// Which loader reads which raw format: the four import formats any dataset can come in (csv, jsonl, s3rec,
// recbole; `llmrec data --name <name> --format <f>`), and the presets (ml-100k, ml-1m, beauty, games) with their
// raw folder marker and, for MovieLens, their public download.
import type { BuiltDataset } from '../builder.ts';
import type { ImportFormat, PresetName } from '../schema.ts';
import { loadS3Rec } from './beauty.ts';
import { detectPrefix } from './detect.ts';
import { loadGeneric } from './generic.ts';
import { type LoadOptions, loadMl100k } from './ml-100k.ts';
import { loadMl1m } from './ml-1m.ts';
import { loadRecBoleAtomic, loadRecBoleSeq } from './recbole.ts';

export type { LoadOptions } from './ml-100k.ts';
export { DetectError, detectPrefix } from './detect.ts';

export interface LoaderEntry {
  load(dir: string, opts: LoadOptions): BuiltDataset;
  /** The raw format, recorded in dataset.json. */
  format: string;
  prefix?: string;
  /** A file whose presence identifies the raw folder (used to find it inside a downloaded archive). */
  marker: string;
  /** Public home of the raw files, when the dataset can be downloaded. */
  download?: { url: string; sha256?: string };
}

export const LOADERS: Record<PresetName, LoaderEntry> = {
  'ml-100k': { load: loadMl100k, format: 'ml-100k', marker: 'u.data', download: { url: 'https://files.grouplens.org/datasets/movielens/ml-100k.zip' } },
  'ml-1m': { load: loadMl1m, format: 'ml-1m', marker: 'ratings.dat', download: { url: 'https://files.grouplens.org/datasets/movielens/ml-1m.zip' } },
  beauty: { load: (dir, o) => loadS3Rec(dir, 'beauty', 'Beauty', o), format: 's3rec', prefix: 'Beauty', marker: 'Beauty.txt' },
  games: { load: (dir, o) => loadRecBoleSeq(dir, 'games', 'Games-6k', o), format: 'recbole', prefix: 'Games-6k', marker: 'Games-6k.test.inter' },
};

/** Reads a raw folder in one of the import formats under the dataset name `name` (prefix detected unless given). */
export function loadFormat(format: ImportFormat, dir: string, name: string, opts: LoadOptions & { prefix?: string } = {}): { built: BuiltDataset; prefix?: string } {
  switch (format) {
    case 'csv':
    case 'jsonl':
      return { built: loadGeneric(dir, name, format, opts) };
    case 's3rec': {
      const { prefix } = detectPrefix(dir, 's3rec', opts.prefix);
      return { built: loadS3Rec(dir, name, prefix, opts), prefix };
    }
    case 'recbole': {
      const d = detectPrefix(dir, 'recbole', opts.prefix);
      return { built: d.layout === 'sequential' ? loadRecBoleSeq(dir, name, d.prefix, opts) : loadRecBoleAtomic(dir, name, d.prefix, opts), prefix: d.prefix };
    }
  }
}
