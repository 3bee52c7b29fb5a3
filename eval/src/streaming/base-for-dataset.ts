// Loads (or trains once and caches under $LLMREC_HOME/adapter/) the fallback frozen base for a prepared
// dataset's streaming pre-training part, plus the raw item id -> index map: what the adapter job, the
// streaming evaluation and the adapter benchmark run on until a SASRec export is wired in.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readItems, readSplit, type Dataset } from '@llmrec/data/index.ts';
import { MeanHistoryBase } from '@llmrec/shared/adapter/mean-history-base.ts';
import { defaultFallbackBase, trainFallbackBase, type FallbackBaseConfig } from './fallback-base.ts';
import { streamEvents, type StreamEvent } from './stream-events.ts';

export interface DatasetBase {
  base: MeanHistoryBase;
  events: StreamEvent[];
  itemIds: string[];
  itemIndex: (id: string) => number | undefined;
}

export function baseForDataset(ds: Dataset, home: string, cfg: Partial<FallbackBaseConfig> = {}, log?: (m: string) => void): DatasetBase {
  const c = { ...defaultFallbackBase, ...cfg };
  const split = readSplit(ds, 'streaming');
  const events = streamEvents(ds.interactions.user, ds.interactions.item, ds.interactions.ts, split.labels as Int32Array);
  const dir = join(home, 'adapter');
  const file = join(dir, `base-${ds.meta.name}-d${c.dim}-e${c.epochs}-s${c.seed}.f32`);
  let base: MeanHistoryBase;
  const n = ds.nItems * c.dim;
  if (existsSync(file)) {
    const buf = readFileSync(file);
    const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    if (all.length !== 2 * n) throw new Error(`${file}: ${all.length} floats, want ${2 * n} (delete it to retrain)`);
    base = new MeanHistoryBase(c.dim, all.slice(0, n), all.slice(n), c.maxLen);
    log?.(`fallback base loaded from ${file}`);
  } else {
    const seqs: number[][] = Array.from({ length: ds.nUsers }, () => []);
    for (const e of events) if (e.window < 0) seqs[e.user]!.push(e.item);
    log?.(`training the fallback base (bag-of-items BPR, ${c.epochs} epochs) on the ${ds.meta.name} pre-training part`);
    base = trainFallbackBase(ds.nItems, seqs, c, log);
    mkdirSync(dir, { recursive: true });
    const all = new Float32Array(2 * n);
    all.set(base.itemLatents, 0);
    all.set(base.historyEmb, n);
    writeFileSync(file, new Uint8Array(all.buffer));
  }
  // The cache file identifies this base: adapters and job checkpoints trained on it carry this id.
  base.id = `fallback-${ds.meta.name}-d${c.dim}-e${c.epochs}-s${c.seed}`;
  const itemIds = readItems(ds.dir).map((r) => r.id);
  const index = new Map(itemIds.map((id, i) => [id, i]));
  return { base, events, itemIds, itemIndex: (id) => index.get(id) };
}
