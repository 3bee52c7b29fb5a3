// The precomputed (trained) base covers every history the streaming replay and the online learner ask for: a
// PrecomputedBase built from a MeanHistoryBase's z_u over streamHistories() replays exactly like the base itself.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@llmrec/shared/adapter/gated-adapter.ts';
import { MeanHistoryBase } from '@llmrec/shared/adapter/mean-history-base.ts';
import { defaultLearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { replayAdapter } from './adapter-model.ts';
import { streamEvents } from './stream-events.ts';
import { syntheticStream } from './synthetic-stream.test-helper.ts';
import { PrecomputedBase, streamHistories } from './trained-base.ts';

function synthetic() {
  const rnd = mulberry32(9);
  const nItems = 30;
  const n = 500;
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const ts = new Float64Array(n);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    user[r] = Math.floor(rnd() * 7); // few users: histories exceed the cap of 50
    item[r] = (Math.floor(r / 50) * 3 + Math.floor(rnd() * 5)) % nItems;
    ts[r] = 1e9 + r * 400;
    labels[r] = r < 350 ? -1 : Math.floor((ts[r]! - (1e9 + 350 * 400)) / 3600);
  }
  const vec = (k: number) => Float32Array.from({ length: k }, () => rnd() - 0.5);
  return { base: new MeanHistoryBase(8, vec(nItems * 8), vec(nItems * 8)), ev: streamEvents(user, item, ts, labels), ...syntheticStream(nItems, user, item, ts, labels) };
}

describe('trained (precomputed) base', () => {
  it('replays static and dynamic exactly like the encoder it was computed from', async () => {
    const { base, ev, data, labels } = synthetic();
    const hs = streamHistories(ev, defaultLearnerConfig.maxHistory);
    expect(hs.some((h) => h.length === defaultLearnerConfig.maxHistory)).toBe(true);
    const users = new Map(hs.map((h) => {
      const z = new Float32Array(8);
      base.userLatent(h, z);
      return [PrecomputedBase.key(h), z] as const;
    }));
    const pre = new PrecomputedBase(8, base.itemLatents, users);
    for (const [model, guardrail] of [['static', true], ['dynamic', true], ['dynamic', false]] as const) {
      const cfg = { ...defaultLearnerConfig, hidden: 16, guardrail, train: { ...defaultTrainConfig, lr: 1e-2, batchSize: 8 } };
      const a = await replayAdapter(data, labels, base, model, cfg);
      const b = await replayAdapter(data, labels, pre, model, cfg);
      expect(b.ndcg.length).toBe(150);
      expect(Array.from(b.ndcg)).toEqual(Array.from(a.ndcg));
    }
  });

  it('refuses a history it has no z_u for', () => {
    const pre = new PrecomputedBase(2, new Float32Array(4), new Map([['', new Float32Array(2)]]));
    expect(() => pre.userLatent([1, 0], new Float32Array(2))).toThrow(/no precomputed z_u/);
  });
});
