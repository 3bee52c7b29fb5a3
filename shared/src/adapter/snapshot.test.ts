import { describe, expect, it } from 'vitest';
import { checkpointLearner, restoreLearner } from './checkpoint.ts';
import { mulberry32 } from './gated-adapter.ts';
import { MeanHistoryBase } from './mean-history-base.ts';
import { defaultLearnerConfig, OnlineLearner } from './online-learner.ts';
import { decodeStats, encodeStats } from './snapshot.ts';

const rnd = mulberry32(3);
const vec = (n: number) => Float32Array.from({ length: n }, () => rnd() - 0.5);
const base = new MeanHistoryBase(6, vec(20 * 6), vec(20 * 6));
const cfg = { ...defaultLearnerConfig, hidden: 8, guardrail: false };

function trained(): OnlineLearner {
  const l = new OnlineLearner(base, cfg, 0);
  for (let k = 0; k < 60; k++) l.observe({ eventId: `e${k}`, user: `u${k % 4}`, item: (k * 3) % 20, ts: 1000 + k * 60 });
  l.learnWindow(1000 + 60 * 60);
  return l;
}

describe('adapter snapshots', () => {
  it('statistics survive encode -> JSON -> decode exactly', () => {
    const l = trained();
    const back = decodeStats(JSON.parse(JSON.stringify(encodeStats(l.stats, true))));
    expect(Array.from(back.itemLong)).toEqual(Array.from(l.stats.itemLong));
    expect(back.co.get(3)?.get(6)).toBe(l.stats.co.get(3)?.get(6));
    expect(back.seen.size).toBe(60);
    expect(back.users.get('u1')).toEqual(l.stats.users.get('u1'));
  });

  it('a restored learner scores and continues exactly like the original', () => {
    const a = trained();
    const b = restoreLearner(base, cfg, JSON.parse(JSON.stringify(checkpointLearner(a))));
    const sa = new Float32Array(20);
    const sb = new Float32Array(20);
    a.scorer.score('u1', a.history('u1'), 5000, sa);
    b.scorer.score('u1', b.history('u1'), 5000, sb);
    expect(Array.from(sb)).toEqual(Array.from(sa));
    expect(b.observe({ eventId: 'e5', user: 'u1', item: 15, ts: 1300 })).toBe(false); // already counted
  });

  it('rejects a malformed checkpoint', () => {
    expect(() => restoreLearner(base, cfg, { v: 2 })).toThrow();
  });
});
