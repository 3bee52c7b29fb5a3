// A frozen base recommender whose user encoder is the mean of the history items' input embeddings (a
// bag-of-items / FISM-style encoder). It is the documented fallback base for the streaming evaluation when no
// SASRec export is available, and the tiny real base model the adapter tests run on.
import type { BaseModel } from './dynamic-model.ts';

export class MeanHistoryBase implements BaseModel {
  readonly nItems: number;
  /** Set by whoever knows which trained base this is (base-for-dataset.ts: its cache file's name). */
  id?: string;
  constructor(
    readonly dim: number,
    /** Output item latents z_i, [nItems x dim]. */
    readonly itemLatents: Float32Array,
    /** Input (history) embeddings, [nItems x dim]. */
    readonly historyEmb: Float32Array,
    /** Only the most recent maxLen items of a history are encoded. */
    readonly maxLen = 50,
  ) {
    this.nItems = itemLatents.length / dim;
  }

  userLatent(history: readonly number[], out: Float32Array): void {
    out.fill(0);
    const start = Math.max(0, history.length - this.maxLen);
    const n = history.length - start;
    if (n === 0) return;
    const D = this.dim;
    const Q = this.historyEmb;
    for (let k = start; k < history.length; k++) {
      const off = history[k]! * D;
      for (let d = 0; d < D; d++) out[d]! += Q[off + d]!;
    }
    const inv = 1 / Math.sqrt(n);
    for (let d = 0; d < D; d++) out[d]! *= inv;
  }
}
