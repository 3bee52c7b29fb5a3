// windowHistories() is the contract a base with an asynchronous user encoder relies on (the adapter job's
// bundle base prepares exactly these): every history one learnWindow() asks base.userLatent for is in it.
import { describe, expect, it } from 'vitest';
import { historyKey, type BaseModel } from './dynamic-model.ts';
import { mulberry32 } from './gated-adapter.ts';
import { MeanHistoryBase } from './mean-history-base.ts';
import { defaultLearnerConfig, OnlineLearner } from './online-learner.ts';
import { defaultTrainConfig } from './online-trainer.ts';

const D = 6;
const N = 25;

/** A real base that records the histories it is asked for. */
class RecordingBase implements BaseModel {
  readonly asked = new Set<string>();
  constructor(private readonly inner: MeanHistoryBase) {}
  get dim() { return this.inner.dim; }
  get nItems() { return this.inner.nItems; }
  get itemLatents() { return this.inner.itemLatents; }
  userLatent(history: readonly number[], out: Float32Array): void {
    this.asked.add(historyKey(history));
    this.inner.userLatent(history, out);
  }
}

describe('OnlineLearner.windowHistories', () => {
  for (const guardrail of [true, false]) {
    it(`covers every history a window update scores (pending, held-out, replay; guardrail ${guardrail ? 'on' : 'off'})`, () => {
      const rnd = mulberry32(3);
      const vec = (n: number) => Float32Array.from({ length: n }, () => rnd() - 0.5);
      const base = new RecordingBase(new MeanHistoryBase(D, vec(N * D), vec(N * D)));
      const l = new OnlineLearner(base, { ...defaultLearnerConfig, hidden: 8, guardrail, holdoutFrac: 0.2, train: { ...defaultTrainConfig, batchSize: 8, replay: 30 } });
      let id = 0;
      for (let w = 0; w < 5; w++) {
        for (let k = 0; k < 30; k++) l.observe({ eventId: `e${id++}`, user: `u${k % 6}`, item: Math.floor(rnd() * N), ts: 1e6 + w * 3600 + k * 60 });
        const ready = l.windowHistories();
        expect(new Set(ready.map(historyKey)).size).toBe(ready.length); // distinct
        base.asked.clear();
        const rep = l.learnWindow(1e6 + (w + 1) * 3600);
        expect(rep.steps).toBeGreaterThan(0);
        const keys = new Set(ready.map(historyKey));
        for (const k of base.asked) expect(keys.has(k), `history [${k}] scored but not listed`).toBe(true);
      }
      expect(l.trainer.replayBuf.length).toBe(30);
    });
  }
});

describe('held-out examples are learned later through the replay buffer', () => {
  for (const guardrail of [true, false]) {
    it(`every observed example reaches training or replay once it is no longer judged (guardrail ${guardrail ? 'on' : 'off'})`, () => {
      const rnd = mulberry32(5);
      const vec = (n: number) => Float32Array.from({ length: n }, () => rnd() - 0.5);
      const base = new MeanHistoryBase(D, vec(N * D), vec(N * D));
      // Replay large enough that the reservoir never drops anything: the buffer is then exactly what entered it.
      const l = new OnlineLearner(base, { ...defaultLearnerConfig, hidden: 8, guardrail, holdoutFrac: 0.2, guardSlice: 10, train: { ...defaultTrainConfig, batchSize: 8, replay: 1000 } });
      const key = (ex: { user: string; history: number[]; item: number }) => `${ex.user}|${historyKey(ex.history)}|${ex.item}`;
      const observed: string[] = [];
      let id = 0;
      for (let w = 0; w < 5; w++) {
        for (let k = 0; k < 30; k++) {
          const user = `u${k % 6}`;
          const item = Math.floor(rnd() * N);
          observed.push(key({ user, history: l.history(user).slice(), item }));
          l.observe({ eventId: `e${id++}`, user, item, ts: 1e6 + w * 3600 + k * 60 });
        }
        l.learnWindow(1e6 + (w + 1) * 3600);
        const held = new Set(l.held.map(key));
        const replay = l.trainer.replayBuf.map(key);
        // Nothing the guardrail still judges on has been trained on or replayed (no leak into its slice)...
        for (const k of replay) expect(held.has(k), `held-out example ${k} already in replay`).toBe(false);
        // ...and everything else has entered the replay buffer, each example once.
        expect(replay.sort()).toEqual(observed.filter((k) => !held.has(k)).sort());
      }
      expect(l.held.length).toBe(guardrail ? 10 : 0);
      expect(l.trainer.seen).toBe(150 - l.held.length);
    });
  }
});
