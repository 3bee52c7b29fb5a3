// Split properties: label semantics per user, determinism, and the streaming window rule, on synthetic rows and ML-100K.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatasetBuilder, userOffsets } from '../builder.ts';
import { LOADERS } from '../loaders/index.ts';
import { SHARED } from '../test-support/shared-data.ts';
import { COLD_VALID, coldItemsSplit, computeSplit, coldSplit, looSplit, splitStem, streamingSplit, temporalSplit, TEST, TRAIN, UNUSED, VALID } from './index.ts';

function synth(lengths: number[], tsOf: (u: number, k: number) => number = (_u, k) => k, nItems = 20) {
  const b = new DatasetBuilder('synth');
  for (let i = 0; i < nItems; i++) b.item(String(i));
  lengths.forEach((n, u) => {
    b.user(String(u));
    for (let k = 0; k < n; k++) b.interaction(u, (u * 7 + k) % nItems, tsOf(u, k));
  });
  const built = b.build({ hasTimestamps: true, skipped: [], sourceFiles: [] });
  return { interactions: built.interactions, userStart: userOffsets(built.interactions.user, lengths.length), nUsers: lengths.length, nItems };
}

describe('loo', () => {
  it('last = test, second-last = valid, short users all train (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }), (lengths) => {
        const ds = synth(lengths);
        const l = looSplit(ds);
        lengths.forEach((n, u) => {
          const seg = Array.from(l.subarray(ds.userStart[u], ds.userStart[u + 1]));
          if (n < 3) expect(seg.every((x) => x === TRAIN)).toBe(true);
          else expect(seg).toEqual([...Array(n - 2).fill(TRAIN), VALID, TEST]);
        });
      }),
    );
  });
});

describe('temporal', () => {
  it('80/10/10 in time order with at least one train row', () => {
    const ds = synth([20, 10, 9, 1]);
    const l = temporalSplit(ds);
    const seg = (u: number) => Array.from(l.subarray(ds.userStart[u], ds.userStart[u + 1]));
    expect(seg(0)).toEqual([...Array(16).fill(TRAIN), VALID, VALID, TEST, TEST]);
    expect(seg(1)).toEqual([...Array(8).fill(TRAIN), VALID, TEST]);
    expect(seg(2).every((x) => x === TRAIN)).toBe(true);
    expect(seg(3)).toEqual([TRAIN]);
  });
});

describe('cold', () => {
  it('keeps a test row only when its item has < 5 train interactions', () => {
    const ds = synth([3, 3, 3, 3, 3, 3, 3], () => 0, 3);
    const { labels, trainCount } = coldSplit(ds, 5);
    const loo = looSplit(ds);
    for (let k = 0; k < labels.length; k++) {
      if (loo[k] !== TEST) expect(labels[k]).toBe(loo[k]);
      else expect(labels[k]).toBe(trainCount[ds.interactions.item[k]!]! < 5 ? TEST : UNUSED);
    }
    expect(labels.includes(UNUSED) || labels.includes(TEST)).toBe(true);
  });
});

describe('cold-items', () => {
  it('no train or warm-valid row is on a cold item; test / cold-valid are each user\'s last row on those items (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 6, maxLength: 25 }), fc.integer({ min: 0, max: 1000 }), (lengths, seed) => {
        const ds = synth(lengths, (_u, k) => k, 40);
        const used = new Set(ds.interactions.item).size;
        const { labels, testItems, validItems } = coldItemsSplit(ds, seed);
        const test = new Set(testItems);
        const valid = new Set(validItems);
        expect(testItems.length).toBe(Math.max(1, Math.round(used * 0.1)));
        expect(validItems.length).toBe(Math.max(1, Math.round(used * 0.05)));
        for (const i of testItems) expect(valid.has(i)).toBe(false);
        lengths.forEach((_n, u) => {
          const rows = [...Array(ds.userStart[u + 1]! - ds.userStart[u]!).keys()].map((k) => ds.userStart[u]! + k);
          const item = (r: number) => ds.interactions.item[r]!;
          const warm = rows.filter((r) => !test.has(item(r)) && !valid.has(item(r)));
          for (const r of warm) expect([TRAIN, VALID]).toContain(labels[r]);
          if (warm.length >= 2) expect(labels[warm[warm.length - 1]!]).toBe(VALID);
          else for (const r of warm) expect(labels[r]).toBe(TRAIN);
          const onTest = rows.filter((r) => test.has(item(r)));
          const onValid = rows.filter((r) => valid.has(item(r)));
          const expectLast = (on: number[], label: number) => on.forEach((r, k) => expect(labels[r]).toBe(k === on.length - 1 && warm.length > 0 ? label : UNUSED));
          expectLast(onTest, TEST);
          expectLast(onValid, COLD_VALID);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('is a function of the seed: same seed same items, another seed other items', () => {
    const ds = synth(Array(30).fill(12), (_u, k) => k, 60);
    const a = coldItemsSplit(ds, 1);
    expect(Array.from(coldItemsSplit(ds, 1).testItems)).toEqual(Array.from(a.testItems));
    expect(Array.from(coldItemsSplit(ds, 2).testItems)).not.toEqual(Array.from(a.testItems));
    const m = computeSplit(ds, 'cold-items', 7).meta;
    expect(splitStem(m)).toBe('cold-items-s7');
    expect(m.params.testItems).toEqual(Array.from(coldItemsSplit(ds, 7).testItems));
  });
});

describe('streaming', () => {
  it('first 70% in global time order are pretrain, the rest get hour windows from t0', () => {
    // 10 rows, one per user, at hours 0..9 (row order reversed vs time order)
    const ds = synth(Array(10).fill(1), (u) => (9 - u) * 3600 + 5);
    const r = streamingSplit(ds);
    const byTime = [...Array(10).keys()].sort((a, b) => ds.interactions.ts[a]! - ds.interactions.ts[b]!);
    expect(byTime.map((k) => r.labels[k])).toEqual([-1, -1, -1, -1, -1, -1, -1, 0, 1, 2]);
    expect(r.t0).toBe(7 * 3600 + 5);
    expect(r.windows).toBe(3);
  });

  it('refuses datasets without timestamps', () => {
    expect(() => computeSplit({ ...synth([3]), hasTimestamps: false }, 'streaming')).toThrow(/timestamps/);
  });
});

describe.skipIf(!SHARED)('splits on ML-100K', () => {
  it('are deterministic and have the expected counts', () => {
    const built = LOADERS['ml-100k'].load(join(SHARED!, 'ml-100k'), {});
    const ds = { interactions: built.interactions, userStart: userOffsets(built.interactions.user, 943), nUsers: 943, nItems: 1682, hasTimestamps: true };
    for (const name of ['loo', 'temporal', 'cold', 'streaming', 'cold-items'] as const) {
      const a = computeSplit(ds, name, 1);
      const b = computeSplit(ds, name, 1);
      expect(Buffer.from(a.labels.buffer).equals(Buffer.from(b.labels.buffer))).toBe(true);
    }
    expect(computeSplit(ds, 'loo').meta.counts).toEqual({ train: 98114, valid: 943, test: 943 });
    const ci = computeSplit(ds, 'cold-items', 1).meta.counts;
    expect([ci.testItems, ci.validItems]).toEqual([168, 84]);
    expect(ci.test).toBeGreaterThan(600); // most users rated at least one of the 168 held-out movies
    const s = computeSplit(ds, 'streaming');
    expect(s.meta.counts.pretrain).toBe(70000);
    expect(s.meta.counts.stream).toBe(30000);
    // every streamed event is later than (or equal to) every pretrain event
    let maxPre = -Infinity;
    let minStream = Infinity;
    s.labels.forEach((w, k) => (w < 0 ? (maxPre = Math.max(maxPre, ds.interactions.ts[k]!)) : (minStream = Math.min(minStream, ds.interactions.ts[k]!))));
    expect(maxPre).toBeLessThanOrEqual(minStream);
  });
});
