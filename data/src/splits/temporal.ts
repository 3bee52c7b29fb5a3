// Per-user temporal split: in each user's time order, first 80% train, next 10% valid, last 10% test.
import { type SplitInput, TEST, VALID } from './loo.ts';

export interface TemporalParams {
  valid: number;
  test: number;
}

/**
 * Sizes per user of n rows: test = floor(n * test), valid = floor(n * valid), train = the rest, and at least one
 * train row (so users with fewer than 10 interactions at 10/10 are all train).
 */
export function temporalSplit(ds: SplitInput, p: TemporalParams = { valid: 0.1, test: 0.1 }): Int8Array {
  const labels = new Int8Array(ds.interactions.user.length);
  for (let u = 0; u < ds.nUsers; u++) {
    const s = ds.userStart[u]!;
    const e = ds.userStart[u + 1]!;
    const n = e - s;
    let nTest = Math.floor(n * p.test + 1e-9);
    let nValid = Math.floor(n * p.valid + 1e-9);
    while (n - nTest - nValid < 1 && (nTest > 0 || nValid > 0)) {
      if (nValid >= nTest && nValid > 0) nValid--;
      else nTest--;
    }
    for (let k = e - nTest; k < e; k++) labels[k] = TEST;
    for (let k = e - nTest - nValid; k < e - nTest; k++) labels[k] = VALID;
  }
  return labels;
}
