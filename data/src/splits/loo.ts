// Leave-one-out split (the SASRec protocol): per user, last item = test, second-last = validation, rest = train.
import type { Dataset } from '../read.ts';

export type SplitInput = Pick<Dataset, 'interactions' | 'userStart' | 'nUsers' | 'nItems'>;

export const TRAIN = 0;
export const VALID = 1;
export const TEST = 2;
export const UNUSED = -1;

/** Labels aligned with rows: 0 train, 1 valid, 2 test; users with < 3 interactions are all train. */
export function looSplit(ds: SplitInput): Int8Array {
  const labels = new Int8Array(ds.interactions.user.length);
  for (let u = 0; u < ds.nUsers; u++) {
    const s = ds.userStart[u]!;
    const e = ds.userStart[u + 1]!;
    if (e - s < 3) continue;
    labels[e - 1] = TEST;
    labels[e - 2] = VALID;
  }
  return labels;
}
