import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@llmrec/shared/adapter/gated-adapter.ts';
import { MeanHistoryBase } from '@llmrec/shared/adapter/mean-history-base.ts';
import { defaultLearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { runStreaming, streamEvents } from './replay.ts';

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
  return { base: new MeanHistoryBase(8, vec(nItems * 8), vec(nItems * 8)), ev: streamEvents(user, item, ts, labels) };
}

describe('streaming replay', () => {
  it('predicts every online event once, before learning it', () => {
    const { base, ev } = synthetic();
    const r = runStreaming(base, ev, 'static');
    expect(r.ndcg.length).toBe(180);
    expect(r.windows).toBe(15);
  });

  it('a dynamic model that cannot learn (lr 0) scores exactly like the static base (identity adapter)', () => {
    const { base, ev } = synthetic();
    const st = runStreaming(base, ev, 'static');
    const cfg = { ...defaultLearnerConfig, hidden: 16, train: { ...defaultTrainConfig, lr: 0 } };
    const dy = runStreaming(base, ev, 'dynamic', cfg);
    expect(Array.from(dy.ndcg)).toEqual(Array.from(st.ndcg));
    expect(dy.published).toBeGreaterThan(0);
  });

  it('with learning, the adapters change the ranking', () => {
    const { base, ev } = synthetic();
    const st = runStreaming(base, ev, 'static');
    const cfg = { ...defaultLearnerConfig, hidden: 16, guardrail: false, train: { ...defaultTrainConfig, lr: 1e-2, batchSize: 8 } };
    const dy = runStreaming(base, ev, 'dynamic', cfg);
    expect(Array.from(dy.ndcg)).not.toEqual(Array.from(st.ndcg));
  });
});
