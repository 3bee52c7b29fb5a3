// One forward pass of the frozen LLM over a span of input embeddings with its KV cache: the cache is
// a set of named tensors (present.* fed back as past_key_values.*), immutable, so a prompt's cache can
// be shared by every candidate scored after it (LLM ranking without re-encoding the prefix).
import { asFloat32, float32, int64, run, type Tensor } from '../../onnx/index.ts';
import type { LoadedLlm } from '../model/load-model.ts';

export interface KvCache {
  /** Positions already in the cache. */
  readonly length: number;
  readonly tensors: Readonly<Record<string, Tensor>>;
}

export function emptyCache(llm: LoadedLlm): KvCache {
  const tensors: Record<string, Tensor> = {};
  for (let l = 0; l < llm.nLayers; l++) {
    tensors[`past_key_values.${l}.key`] = float32(new Float32Array(0), [1, llm.nKvHeads, 0, llm.headDim]);
    tensors[`past_key_values.${l}.value`] = float32(new Float32Array(0), [1, llm.nKvHeads, 0, llm.headDim]);
  }
  return { length: 0, tensors };
}

/** Embeddings of ordinary tokens looked up from the table: [ids.length * hidden]. */
export function embedTokens(llm: LoadedLlm, ids: readonly number[]): Float32Array {
  const D = llm.hidden;
  const out = new Float32Array(ids.length * D);
  ids.forEach((id, i) => {
    if (!(id >= 0 && id * D < llm.embeddings.length)) throw new RangeError(`token id ${id} outside the embedding table`);
    out.set(llm.embeddings.subarray(id * D, (id + 1) * D), i * D);
  });
  return out;
}

export interface ForwardResult {
  /** [n * vocab] logits, one row per input position. */
  logits: Float32Array;
  vocab: number;
  cache: KvCache;
}

/** Runs `embeds` ([n * hidden]) after `cache`; returns per-position logits and the extended cache. */
export async function forward(llm: LoadedLlm, embeds: Float32Array, cache: KvCache): Promise<ForwardResult> {
  const D = llm.hidden;
  const n = embeds.length / D;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`embeds length ${embeds.length} is not a positive multiple of hidden size ${D}`);
  const total = cache.length + n;
  const maxPos = llm.config.max_position_embeddings;
  if (maxPos !== undefined && total > maxPos) throw new RangeError(`sequence of ${total} positions exceeds the model's ${maxPos}`);
  const mask = new BigInt64Array(total).fill(1n);
  const pos = new BigInt64Array(n);
  for (let i = 0; i < n; i++) pos[i] = BigInt(cache.length + i);
  const feeds: Record<string, Tensor> = {
    inputs_embeds: float32(embeds, [1, n, D]),
    attention_mask: int64(mask, [1, total]),
    ...cache.tensors,
  };
  // Some exports (OPT, GPT-2 style) derive positions from the mask and take no position_ids.
  if (llm.session.inputNames.includes('position_ids')) feeds.position_ids = int64(pos, [1, n]);
  const out = await run(llm.session, feeds);
  const tensors: Record<string, Tensor> = {};
  for (let l = 0; l < llm.nLayers; l++) {
    tensors[`past_key_values.${l}.key`] = out[`present.${l}.key`]!;
    tensors[`past_key_values.${l}.value`] = out[`present.${l}.value`]!;
  }
  const logits = asFloat32(out.logits!);
  return { logits, vocab: logits.length / n, cache: { length: total, tensors } };
}

/**
 * Runs B spans (right-padded to n positions; span b has lengths[b] real tokens) after one shared cache,
 * tiled along the batch: scoring all candidates of a prompt in one pass. Padding sits after the real tokens,
 * so causal attention keeps every real position exact. Returns logits [B * n * vocab].
 */
export async function forwardShared(llm: LoadedLlm, embeds: Float32Array, lengths: readonly number[], cache: KvCache): Promise<{ logits: Float32Array; vocab: number; n: number }> {
  const B = lengths.length;
  const D = llm.hidden;
  const n = embeds.length / (B * D);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`embeds length ${embeds.length} is not B=${B} x n x hidden=${D}`);
  const P = cache.length;
  const total = P + n;
  const maxPos = llm.config.max_position_embeddings;
  if (maxPos !== undefined && total > maxPos) throw new RangeError(`sequence of ${total} positions exceeds the model's ${maxPos}`);
  const mask = new BigInt64Array(B * total);
  const pos = new BigInt64Array(B * n);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < P + lengths[b]!; j++) mask[b * total + j] = 1n;
    for (let j = 0; j < n; j++) pos[b * n + j] = BigInt(P + j);
  }
  const feeds: Record<string, Tensor> = { inputs_embeds: float32(embeds, [B, n, D]), attention_mask: int64(mask, [B, total]) };
  if (llm.session.inputNames.includes('position_ids')) feeds.position_ids = int64(pos, [B, n]);
  for (const [name, t] of Object.entries(cache.tensors)) {
    const src = asFloat32(t);
    const tiled = new Float32Array(src.length * B);
    for (let b = 0; b < B; b++) tiled.set(src, b * src.length);
    feeds[name] = float32(tiled, [B, ...t.dims.slice(1)]);
  }
  const out = await run(llm.session, feeds, ['logits']);
  const logits = asFloat32(out.logits!);
  return { logits, vocab: logits.length / (B * n), n };
}
