// Split properties: label semantics per user, determinism, and the streaming window rule, on synthetic rows and ML-100K.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatasetBuilder, userOffsets } from '../builder.ts';
import { LOADERS } from '../loaders/index.ts';
import { SHARED } from '../test-support/shared-data.ts';
import { computeSplit, coldSplit, looSplit, streamingSplit, temporalSplit, TEST, TRAIN, UNUSED, VALID } from './index.ts';

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
    for (const name of ['loo', 'temporal', 'cold', 'streaming'] as const) {
      const a = computeSplit(ds, name, 1);
      const b = computeSplit(ds, name, 1);
      expect(Buffer.from(a.labels.buffer).equals(Buffer.from(b.labels.buffer))).toBe(true);
    }
    expect(computeSplit(ds, 'loo').meta.counts).toEqual({ train: 98114, valid: 943, test: 943 });
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
