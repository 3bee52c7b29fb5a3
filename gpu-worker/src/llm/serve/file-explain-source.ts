// An ExplainSource over files on disk (canonical dataset + joint item latents), for the Node edge and the
// local demo: item facts from items.jsonl, co-user counts from the training rows, latents from the
// artifacts' item-latents.npy. Production edges read the same pieces from KV instead.
import { join } from 'node:path';
import { CoInteractionIndex } from '@llmrec/shared/evidence/co-interaction.ts';
import { memoryExplainSource, type ExplainSource } from '@llmrec/shared/evidence/explain.ts';
import { readNpy } from '../model/npy.ts';
import { readLoo } from '../eval/loo-data.ts';

export interface FileExplainSourceOptions {
  /** Canonical dataset folder ($LLMREC_HOME/datasets/<name>). */
  datasetDir: string;
  /** Joint item latents [items, dim] (.npy), e.g. $LLMREC_HOME/artifacts/<name>/loo/item-latents.npy. */
  itemLatents: string;
}

export function fileExplainSource(o: FileExplainSourceOptions): ExplainSource {
  const data = readLoo(o.datasetDir);
  const z = readNpy(o.itemLatents);
  if (z.shape[0] !== data.items.length) throw new Error(`${o.itemLatents}: ${z.shape[0]} rows for ${data.items.length} items in ${join(o.datasetDir, 'items.jsonl')}`);
  const co = new CoInteractionIndex(data.train, data.items.length);
  // Known users are the dataset's (raw id = users.jsonl order, idx + 1 on MovieLens); their history = training rows.
  const histories = new Map(data.train.map((h, u) => [String(u + 1), h.map((i) => data.items[i]!.id)]));
  return memoryExplainSource(data.items, z.data, z.shape[1]!, histories, (a, b) => co.count(a, b));
}
