// Which loader reads which dataset, what its raw folder must contain, and where MovieLens can be downloaded from.
import type { BuiltDataset } from '../builder.ts';
import type { DatasetName } from '../schema.ts';
import { loadS3Rec } from './beauty.ts';
import { type LoadOptions, loadMl100k } from './ml-100k.ts';
import { loadMl1m } from './ml-1m.ts';
import { loadRecBoleSeq } from './recbole.ts';

export type { LoadOptions } from './ml-100k.ts';

export interface LoaderEntry {
  load(dir: string, opts: LoadOptions): BuiltDataset;
  /** A file whose presence identifies the raw folder (used to find it inside a downloaded archive). */
  marker: string;
  /** Public home of the raw files, when the dataset can be downloaded. */
  download?: { url: string; sha256?: string };
}

export const LOADERS: Record<DatasetName, LoaderEntry> = {
  'ml-100k': { load: loadMl100k, marker: 'u.data', download: { url: 'https://files.grouplens.org/datasets/movielens/ml-100k.zip' } },
  'ml-1m': { load: loadMl1m, marker: 'ratings.dat', download: { url: 'https://files.grouplens.org/datasets/movielens/ml-1m.zip' } },
  beauty: { load: (dir, o) => loadS3Rec(dir, 'beauty', 'Beauty', o), marker: 'Beauty.txt' },
  games: { load: (dir, o) => loadRecBoleSeq(dir, 'games', 'Games-6k', o), marker: 'Games-6k.test.inter' },
};
