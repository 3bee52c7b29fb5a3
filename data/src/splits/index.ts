// Computes and stores the named splits (docs/dataset-format.md "Splits"): one labels .npy aligned with the
// interaction rows plus a small JSON with the seed, parameters and counts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../npy.ts';
import { FORMAT_VERSION, type SplitMeta, type SplitName } from '../schema.ts';
import { coldSplit } from './cold.ts';
import { coldItemsSplit, coldItemsStem, COLD_VALID, DEFAULT_COLD_ITEMS } from './cold-items.ts';
import { looSplit, type SplitInput } from './loo.ts';
import { streamingSplit } from './streaming.ts';
import { temporalSplit } from './temporal.ts';

export { looSplit, TEST, TRAIN, UNUSED, VALID, type SplitInput } from './loo.ts';
export { coldSplit } from './cold.ts';
export { coldItemsSplit, coldItemsStem, COLD_VALID, DEFAULT_COLD_ITEMS, type ColdItemsSplit, type ColdItemsParams } from './cold-items.ts';
export { streamingSplit } from './streaming.ts';
export { temporalSplit } from './temporal.ts';

export interface ComputedSplit {
  meta: SplitMeta;
  labels: Int8Array | Int32Array;
}

function countLabels(labels: Int8Array | Int32Array, names: Record<number, string>): Record<string, number> {
  const c: Record<string, number> = {};
  for (const v of labels) {
    const k = names[v] ?? 'stream';
    c[k] = (c[k] ?? 0) + 1;
  }
  return c;
}

const NAMES = { [-1]: 'unused', 0: 'train', 1: 'valid', 2: 'test', [COLD_VALID]: 'coldValid' } as Record<number, string>;

/**
 * Every split is a deterministic function of the (sorted) rows and, for cold-items only, of `seed` (which items are
 * held out); for the others `seed` is recorded for the protocol's seeded parts downstream (sampled negatives).
 */
export function computeSplit(ds: SplitInput & { hasTimestamps?: boolean }, name: SplitName, seed = 42): ComputedSplit {
  switch (name) {
    case 'loo': {
      const labels = looSplit(ds);
      return { labels, meta: { formatVersion: FORMAT_VERSION, split: name, seed, params: { minInteractions: 3 }, counts: countLabels(labels, NAMES) } };
    }
    case 'temporal': {
      const params = { valid: 0.1, test: 0.1 };
      const labels = temporalSplit(ds, params);
      return { labels, meta: { formatVersion: FORMAT_VERSION, split: name, seed, params: { train: 0.8, ...params }, counts: countLabels(labels, NAMES) } };
    }
    case 'cold': {
      const threshold = 5;
      const { labels } = coldSplit(ds, threshold);
      return { labels, meta: { formatVersion: FORMAT_VERSION, split: name, seed, params: { threshold }, counts: countLabels(labels, NAMES) } };
    }
    case 'cold-items': {
      const r = coldItemsSplit(ds, seed);
      const params = { ...DEFAULT_COLD_ITEMS, testItems: Array.from(r.testItems), validItems: Array.from(r.validItems) };
      return { labels: r.labels, meta: { formatVersion: FORMAT_VERSION, split: name, seed, params, counts: { ...countLabels(r.labels, NAMES), testItems: r.testItems.length, validItems: r.validItems.length } } };
    }
    case 'streaming': {
      if (ds.hasTimestamps === false) throw new Error('streaming split needs event timestamps (this dataset only has sequence order)');
      const params = { pretrain: 0.7, windowSeconds: 3600 };
      const r = streamingSplit(ds, params);
      const counts = countLabels(r.labels, { [-1]: 'pretrain' });
      return { labels: r.labels, meta: { formatVersion: FORMAT_VERSION, split: name, seed, params: { ...params, t0: r.t0 }, counts: { ...counts, windows: r.windows, nonEmptyWindows: r.nonEmptyWindows } } };
    }
  }
}

/** File stem under <dataset>/splits/: the split name, plus the seed for cold-items (each seed is its own split). */
export function splitStem(meta: Pick<SplitMeta, 'split' | 'seed'>): string {
  return meta.split === 'cold-items' ? coldItemsStem(meta.seed) : meta.split;
}

export function writeSplit(datasetDir: string, s: ComputedSplit): void {
  mkdirSync(join(datasetDir, 'splits'), { recursive: true });
  const stem = splitStem(s.meta);
  writeNpy(join(datasetDir, 'splits', `${stem}.npy`), s.labels);
  writeFileSync(join(datasetDir, 'splits', `${stem}.json`), JSON.stringify(s.meta, null, 2) + '\n');
}
