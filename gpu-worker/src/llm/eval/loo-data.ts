// Reads the canonical dataset files (docs/dataset-format.md) for the LLM evaluations: items with their
// text, and per-user leave-one-out sequences (train rows, validation item, test item).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { itemFacts } from '@llmrec/shared/evidence/item-facts.ts';
import type { ItemFacts } from '@llmrec/shared/evidence/schema.ts';
import { readNpyAny } from '../model/npy.ts';

export interface LooData {
  items: ItemFacts[];
  /** Per user: training items in time order, then the validation and test item (-1 when none). */
  train: number[][];
  valid: number[];
  test: number[];
}

export function readLoo(datasetDir: string): LooData {
  const items = readFileSync(join(datasetDir, 'items.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => itemFacts(JSON.parse(l)));
  const users = readNpyAny(join(datasetDir, 'interactions.user.npy')).data;
  const its = readNpyAny(join(datasetDir, 'interactions.item.npy')).data;
  const labels = readNpyAny(join(datasetDir, 'splits', 'loo.npy')).data;
  let nUsers = 0;
  for (const u of users) nUsers = Math.max(nUsers, u + 1);
  const train: number[][] = Array.from({ length: nUsers }, () => []);
  const valid = new Array<number>(nUsers).fill(-1);
  const test = new Array<number>(nUsers).fill(-1);
  for (let r = 0; r < users.length; r++) {
    const u = users[r]!;
    const l = labels[r]!;
    if (l === 0) train[u]!.push(its[r]!);
    else if (l === 1) valid[u] = its[r]!;
    else if (l === 2) test[u] = its[r]!;
  }
  return { items, train, valid, test };
}
