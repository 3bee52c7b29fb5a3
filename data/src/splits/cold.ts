// Cold-start split: leave-one-out, but a test row counts only when its item has < `threshold` training
// interactions (the items a CF backbone knows least, where side information should help).
import { looSplit, type SplitInput, TEST, TRAIN, UNUSED } from './loo.ts';

export function coldSplit(ds: SplitInput, threshold = 5): { labels: Int8Array; trainCount: Int32Array } {
  const labels = looSplit(ds);
  const trainCount = new Int32Array(ds.nItems);
  const { item } = ds.interactions;
  for (let k = 0; k < labels.length; k++) if (labels[k] === TRAIN) trainCount[item[k]!]!++;
  for (let k = 0; k < labels.length; k++) if (labels[k] === TEST && trainCount[item[k]!]! >= threshold) labels[k] = UNUSED;
  return { labels, trainCount };
}
