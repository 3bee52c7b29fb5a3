// The online adapters as a model of the one streaming runner (eval/src/streaming.ts): every online event is
// predicted once, before its window is learned; an adapter that cannot learn scores exactly like the static base;
// learning changes the ranking; the runner's event limit cuts the stream.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@llmrec/shared/adapter/gated-adapter.ts';
import { MeanHistoryBase } from '@llmrec/shared/adapter/mean-history-base.ts';
import { defaultLearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { replayAdapter } from './adapter-model.ts';
import { syntheticStream } from './synthetic-stream.test-helper.ts';

function synthetic() {
  const rnd = mulberry32(5);
  const nItems = 40;
  const n = 600;
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const ts = new Float64Array(n);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    user[r] = r % 17;
    // a "trending" block of items shifts over time: what static cannot know, the stream shows
    item[r] = (Math.floor(r / 60) * 4 + Math.floor(rnd() * 6)) % nItems;
    ts[r] = 1e9 + r * 300;
    labels[r] = r < 420 ? -1 : Math.floor((ts[r]! - (1e9 + 420 * 300)) / 3600);
  }
  const vec = (k: number) => Float32Array.from({ length: k }, () => rnd() - 0.5);
  return { base: new MeanHistoryBase(8, vec(nItems * 8), vec(nItems * 8)), ...syntheticStream(nItems, user, item, ts, labels) };
}

describe('adapter models in the streaming runner', () => {
  it('predicts every online event once, window by window', async () => {
    const { base, data, labels } = synthetic();
    const r = await replayAdapter(data, labels, base, 'static', defaultLearnerConfig);
    expect(r.ndcg.length).toBe(180);
    expect(r.windows).toBe(15);
    const cut = await replayAdapter(data, labels, base, 'static', defaultLearnerConfig, { maxOnline: 50 });
    expect(cut.ndcg.length).toBe(50);
    expect(Array.from(cut.ndcg)).toEqual(Array.from(r.ndcg.subarray(0, 50)));
  });

  it('a dynamic model that cannot learn (lr 0) scores exactly like the static base (identity adapter)', async () => {
    const { base, data, labels } = synthetic();
    const st = await replayAdapter(data, labels, base, 'static', defaultLearnerConfig);
    const cfg = { ...defaultLearnerConfig, hidden: 16, train: { ...defaultTrainConfig, lr: 0 } };
    const dy = await replayAdapter(data, labels, base, 'dynamic', cfg);
    expect(Array.from(dy.ndcg)).toEqual(Array.from(st.ndcg));
    expect(dy.published).toBeGreaterThan(0);
  });

  it('with learning, the adapters change the ranking', async () => {
    const { base, data, labels } = synthetic();
    const st = await replayAdapter(data, labels, base, 'static', defaultLearnerConfig);
    const cfg = { ...defaultLearnerConfig, hidden: 16, guardrail: false, train: { ...defaultTrainConfig, lr: 1e-2, batchSize: 8 } };
    const dy = await replayAdapter(data, labels, base, 'dynamic', cfg);
    expect(Array.from(dy.ndcg)).not.toEqual(Array.from(st.ndcg));
    expect(dy.published).toBe(15);
  });
});
