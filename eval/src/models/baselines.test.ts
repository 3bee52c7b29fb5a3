// Baselines on a tiny hand-made dataset: popularity counts only training rows; item-kNN cosine similarities.
import { describe, expect, it } from 'vitest';
import { userOffsets } from '@llmrec/data/builder.ts';
import type { Dataset } from '@llmrec/data/read.ts';
import { buildItemKnn, model as itemknn } from './itemknn.ts';
import { model as popular } from './popular.ts';
import { MODELS } from './registry.ts';
import type { FitContext } from './types.ts';

// users: 0 -> [0, 1, 2], 1 -> [0, 1], 2 -> [1, 3]; the last row of user 0 is not training
const user = Int32Array.from([0, 0, 0, 1, 1, 2, 2]);
const item = Int32Array.from([0, 1, 2, 0, 1, 1, 3]);
const trainMask = Uint8Array.from([1, 1, 0, 1, 1, 1, 1]);
const ds = {
  dir: '',
  meta: {} as Dataset['meta'],
  interactions: { user, item, ts: new Float64Array(7), rating: new Float32Array(7).fill(1) },
  userStart: userOffsets(user, 3),
  nUsers: 3,
  nItems: 4,
} as Dataset;
const ctx: FitContext = { dataset: ds, split: 'loo', labels: new Int8Array(7), trainMask, seed: 1, home: '', log: () => {} };

describe('popular', () => {
  it('scores = training counts, same row for every user', async () => {
    const s = await (await popular.create(ctx)).score({ users: Int32Array.from([0, 2]), histories: [Int32Array.from([0]), Int32Array.from([1])], timestamps: [new Float64Array(1), new Float64Array(1)] });
    expect(Array.from(s)).toEqual([2, 3, 0, 1, 2, 3, 0, 1]);
  });
});

describe('itemknn', () => {
  it('cosine over training users: sim(0,1) = 2/sqrt(2*3), sim(1,3) = 1/sqrt(3*1)', () => {
    const idx = buildItemKnn(3, 4, user, item, trainMask, 3);
    expect(idx.ids[0]).toBe(1);
    expect(idx.sims[0]).toBeCloseTo(2 / Math.sqrt(6), 6);
    // item 1's neighbors: 0 (0.816) then 3 (0.577); item 2 has no training users
    expect(Array.from(idx.ids.subarray(3, 6))).toEqual([0, 3, -1]);
    expect(idx.sims[4]).toBeCloseTo(1 / Math.sqrt(3), 6);
    expect(Array.from(idx.ids.subarray(6, 9))).toEqual([-1, -1, -1]);
  });

  it('scores sum similarities over the history', async () => {
    const sc = await itemknn.create(ctx);
    const s = await sc.score({ users: Int32Array.from([1]), histories: [Int32Array.from([0, 1])], timestamps: [new Float64Array(2)] });
    expect(s[3]).toBeCloseTo(1 / Math.sqrt(3), 6); // only via item 1
    expect(s[0]).toBeCloseTo(2 / Math.sqrt(6), 6); // via item 1
    expect(s[2]).toBe(0);
  });

  it('is registered, as is popular', () => {
    expect(Object.keys(MODELS)).toEqual(expect.arrayContaining(['popular', 'itemknn']));
  });
});
