// Strict cold-item split (issue 10, "cold-items"): a seeded 10 % of the items, and every interaction on them, is
// removed from training, so no model has any collaborative signal for them; they must be scored from content alone.
// A further seeded 5 % of items is removed the same way and serves as cold *validation* items (model selection for
// the content tower never sees the test items).
//
// Labels per interaction row (int8): 0 train (warm items), 1 valid = each user's last warm interaction (the warm
// leave-one-out validation that early-stops SASRec, the aligner and the fusion step), 2 test = each user's last
// interaction on a test-cold item, 3 cold-valid = each user's last interaction on a valid-cold item, -1 unused (the
// user's other interactions on cold items). "Last" is the row order, i.e. time order (sequence order for datasets
// without timestamps). A user is evaluated only with at least one warm training row (a history to rank from).
import { mulberry32 } from '@llmrec/shared/rng.ts';
import { type SplitInput, TEST, TRAIN, UNUSED, VALID } from './loo.ts';

export const COLD_VALID = 3;

export interface ColdItemsParams {
  /** Share of items held out as test-cold items. */
  testFraction: number;
  /** Share of items held out as validation-cold items. */
  validFraction: number;
}

export const DEFAULT_COLD_ITEMS: ColdItemsParams = { testFraction: 0.1, validFraction: 0.05 };

export interface ColdItemsSplit {
  labels: Int8Array;
  /** Test-cold item indices, ascending. */
  testItems: Int32Array;
  /** Validation-cold item indices, ascending. */
  validItems: Int32Array;
}

/** File stem of a seeded cold-item split under <dataset>/splits/ (each seed is its own split). */
export function coldItemsStem(seed: number): string {
  return `cold-items-s${seed}`;
}

/** Seeded choice of the cold items among those with at least one interaction (Fisher-Yates on mulberry32). */
function pickColdItems(ds: SplitInput, seed: number, p: ColdItemsParams): { test: Int32Array; valid: Int32Array } {
  const used = new Uint8Array(ds.nItems);
  for (const i of ds.interactions.item) used[i] = 1;
  const pool: number[] = [];
  for (let i = 0; i < ds.nItems; i++) if (used[i]) pool.push(i);
  const rand = mulberry32(seed);
  for (let k = pool.length - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [pool[k], pool[j]] = [pool[j]!, pool[k]!];
  }
  const nTest = Math.max(1, Math.round(pool.length * p.testFraction));
  const nValid = Math.max(1, Math.round(pool.length * p.validFraction));
  if (nTest + nValid >= pool.length) throw new Error(`cold-items: ${pool.length} items cannot hold out ${nTest} test + ${nValid} validation items`);
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { test: sorted(pool.slice(0, nTest)), valid: sorted(pool.slice(nTest, nTest + nValid)) };
}

export function coldItemsSplit(ds: SplitInput, seed: number, p: ColdItemsParams = DEFAULT_COLD_ITEMS): ColdItemsSplit {
  const { test, valid } = pickColdItems(ds, seed, p);
  const kind = new Int8Array(ds.nItems); // 0 warm, 2 test-cold, 3 valid-cold
  for (const i of test) kind[i] = TEST;
  for (const i of valid) kind[i] = COLD_VALID;
  const { item } = ds.interactions;
  const labels = new Int8Array(item.length).fill(UNUSED);
  for (let u = 0; u < ds.nUsers; u++) {
    const s = ds.userStart[u]!;
    const e = ds.userStart[u + 1]!;
    let lastWarm = -1;
    let warm = 0;
    let lastTest = -1;
    let lastValid = -1;
    for (let r = s; r < e; r++) {
      const k = kind[item[r]!]!;
      if (k === 0) {
        labels[r] = TRAIN;
        lastWarm = r;
        warm++;
      } else if (k === TEST) lastTest = r;
      else lastValid = r;
    }
    if (warm >= 2) labels[lastWarm] = VALID;
    if (warm === 0) continue; // nothing to rank from: the user's cold rows stay unused
    if (lastTest >= 0) labels[lastTest] = TEST;
    if (lastValid >= 0) labels[lastValid] = COLD_VALID;
  }
  return { labels, testItems: test, validItems: valid };
}
