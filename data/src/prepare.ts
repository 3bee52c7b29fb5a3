// Prepares a dataset end to end: raw folder (local or downloaded) -> loader -> canonical files -> splits.
import { readDataset } from './read.ts';
import { LOADERS } from './loaders/index.ts';
import { datasetDir, llmrecHome } from './paths.ts';
import type { DatasetMeta, DatasetName, SplitMeta, SplitName } from './schema.ts';
import { computeSplit, writeSplit } from './splits/index.ts';
import { writeDataset } from './write.ts';

export interface PrepareOptions {
  name: DatasetName;
  /** Raw folder; when absent the loader's download is used (see download.ts). */
  from: string;
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

export function prepareDataset(o: PrepareOptions): PrepareResult {
  const log = o.log ?? (() => {});
  const dir = o.out ?? datasetDir(o.name, o.home ?? llmrecHome());
  log('load', `${o.name} from ${o.from}${o.lenient ? ' (lenient)' : ''}`);
  const built = LOADERS[o.name].load(o.from, { lenient: o.lenient, onProgress: o.onProgress });
  const meta = writeDataset(built, dir, { kind: o.kind ?? 'local', dir: o.from, url: o.url });
  log('write', `${dir}: ${meta.counts.users} users, ${meta.counts.items} items, ${meta.counts.interactions} interactions, ${meta.modalities.image} images`);
  const ds = readDataset(dir);
  const splits: SplitMeta[] = [];
  for (const s of o.splits ?? ['loo', 'temporal', 'cold', 'streaming']) {
    if (s === 'streaming' && !meta.hasTimestamps) {
      log('split', `streaming skipped: ${o.name} has no timestamps`);
      continue;
    }
    const sp = computeSplit({ ...ds, hasTimestamps: meta.hasTimestamps }, s, o.seed ?? 42);
    writeSplit(dir, sp);
    splits.push(sp.meta);
    log('split', `${s}: ${Object.entries(sp.meta.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  return { dir, meta, splits };
}
