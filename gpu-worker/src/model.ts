// The serving model of the worker until the LLM ranker lands: joint item latents z_i (the base aligner's
// table) and a user encoder giving z_u from the history (the exported ONNX encoder), scored by z_u . z_i.
// When a bundle has no user encoder, z_u is the mean of the history's item latents — a documented stand-in,
// reported as scorer "mean-history" by /readyz.
import { asFloat32, int64, run, type OnnxSession } from './onnx/index.ts';

export interface LatentModel {
  /** Artifact version string reported to clients. */
  readonly version: string;
  readonly items: number;
  readonly dim: number;
  readonly scorer: 'user-encoder-onnx' | 'mean-history';
  readonly executionProvider: string;
  /** Row-major [items, dim]. */
  readonly itemLatents: Float32Array;
  /** z_u for each history (item indices, oldest first): row-major [histories.length, dim]. */
  encodeUsers(histories: readonly (readonly number[])[]): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface UserEncoderSpec {
  session: OnnxSession;
  /** Input/output names and the encoder's window. */
  input: string;
  output: string;
  maxlen: number;
}

export function createLatentModel(opts: { version: string; itemLatents: Float32Array; dim: number; encoder?: UserEncoderSpec }): LatentModel {
  const { itemLatents, dim, encoder } = opts;
  if (itemLatents.length % dim !== 0) throw new Error(`item latents of length ${itemLatents.length} are not a multiple of dim ${dim}`);
  const items = itemLatents.length / dim;

  async function encodeOnnx(enc: UserEncoderSpec, histories: readonly (readonly number[])[]): Promise<Float32Array> {
    const b = histories.length;
    const L = Math.max(1, Math.min(enc.maxlen, Math.max(...histories.map((h) => h.length))));
    // Input convention of the exported encoders: index + 1, left-padded with 0 (training/llmrec_train/data.py).
    const ids = new BigInt64Array(b * L);
    histories.forEach((h, r) => {
      const tail = h.slice(Math.max(0, h.length - L));
      tail.forEach((idx, j) => (ids[r * L + (L - tail.length) + j] = BigInt(idx + 1)));
    });
    const out = await run(enc.session, { [enc.input]: int64(ids, [b, L]) }, [enc.output]);
    const z = asFloat32(out[enc.output]!);
    if (z.length !== b * dim) throw new Error(`user encoder returned ${z.length} values for batch ${b} x dim ${dim}`);
    return z;
  }

  function encodeMean(histories: readonly (readonly number[])[]): Float32Array {
    const z = new Float32Array(histories.length * dim);
    histories.forEach((h, r) => {
      if (h.length === 0) return;
      for (const idx of h) for (let d = 0; d < dim; d++) z[r * dim + d]! += itemLatents[idx * dim + d]!;
      for (let d = 0; d < dim; d++) z[r * dim + d]! /= h.length;
    });
    return z;
  }

  return {
    version: opts.version,
    items,
    dim,
    scorer: encoder ? 'user-encoder-onnx' : 'mean-history',
    executionProvider: encoder?.session.provider ?? 'cpu',
    itemLatents,
    async encodeUsers(histories) {
      for (const h of histories) for (const idx of h) if (!(idx >= 0 && idx < items)) throw new RangeError(`item index ${idx} out of range [0, ${items})`);
      if (histories.length === 0) return new Float32Array(0);
      return encoder ? encodeOnnx(encoder, histories) : encodeMean(histories);
    },
    async close() {
      await encoder?.session.session.release();
    },
  };
}
