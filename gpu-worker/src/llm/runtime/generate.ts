// Text generation with the frozen LLM: prefill of a mixed prompt (hard tokens and soft embeddings),
// then token-by-token decoding with the KV cache, stop criteria and streaming (async iterator/callback).
import type { LoadedLlm } from '../model/load-model.ts';
import { StreamingDecoder } from '../tokenizer/text-tokenizer.ts';
import { embedTokens, emptyCache, forward, type KvCache } from './decoder.ts';
import { Sampler, type SamplingOptions } from './sampling.ts';

/** A prompt span: ordinary token ids (looked up in the table) or soft tokens ([n * hidden] embeddings). */
export type PromptPart = { ids: number[] } | { embeds: Float32Array };

export interface GenerateOptions extends SamplingOptions {
  /** Total positions including the prompt (the reference program's `steps`). */
  steps?: number;
  /** Alternatively, a cap on new tokens. */
  maxNewTokens?: number;
  /** Token ids that end generation (default: BOS and EOS). */
  stopIds?: number[];
  /** Strings that end generation once they appear in the generated text. */
  stopStrings?: string[];
  onToken?: (t: GeneratedToken) => void;
  signal?: AbortSignal;
}

export interface GeneratedToken {
  id: number;
  /** Decoded text of this token (may be '' while a multi-byte character is incomplete). */
  text: string;
  position: number;
}

export function promptEmbeds(llm: LoadedLlm, parts: readonly PromptPart[]): { embeds: Float32Array; length: number; lastId: number } {
  const chunks = parts.map((p) => ('ids' in p ? embedTokens(llm, p.ids) : p.embeds));
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const embeds = new Float32Array(total);
  let o = 0;
  for (const c of chunks) {
    if (c.length % llm.hidden) throw new RangeError(`soft prompt span of ${c.length} floats is not a multiple of hidden size ${llm.hidden}`);
    embeds.set(c, o);
    o += c.length;
  }
  const last = parts[parts.length - 1];
  return { embeds, length: total / llm.hidden, lastId: last && 'ids' in last ? (last.ids[last.ids.length - 1] ?? -1) : -1 };
}

/** Streams generated tokens after `prompt`; the decoder's text follows the last prompt token. */
export async function* generateStream(llm: LoadedLlm, prompt: readonly PromptPart[], opts: GenerateOptions = {}): AsyncGenerator<GeneratedToken> {
  const { embeds, length, lastId } = promptEmbeds(llm, prompt);
  if (length === 0) throw new RangeError('empty prompt: give at least BOS');
  const maxPos = llm.config.max_position_embeddings ?? Infinity;
  const budget = Math.min(opts.steps !== undefined ? opts.steps - length + 1 : Infinity, opts.maxNewTokens ?? Infinity, maxPos - length + 1);
  if (!Number.isFinite(budget)) throw new RangeError('give steps or maxNewTokens');
  const stop = new Set(opts.stopIds ?? [...(llm.tokenizer.bosId !== undefined ? [llm.tokenizer.bosId] : []), ...llm.eosIds]);
  const sampler = new Sampler(opts);
  const decoder = new StreamingDecoder(llm.tokenizer, lastId);
  let { logits, vocab, cache } = await forward(llm, embeds, emptyCache(llm));
  let row = length - 1;
  let text = '';
  for (let i = 0; i < budget; i++) {
    if (opts.signal?.aborted) return;
    const id = sampler.next(logits, row * vocab, vocab);
    if (stop.has(id)) return;
    const tok = { id, text: decoder.push(id), position: cache.length };
    opts.onToken?.(tok);
    yield tok;
    text += tok.text;
    if (opts.stopStrings?.some((s) => text.includes(s))) return;
    if (i + 1 < budget) {
      ({ logits, vocab, cache } = await forward(llm, embedTokens(llm, [id]), cache as KvCache));
      row = 0;
    }
  }
}

/** Collects a whole generation: ids and text. */
export async function generate(llm: LoadedLlm, prompt: readonly PromptPart[], opts: GenerateOptions = {}): Promise<{ ids: number[]; text: string }> {
  const ids: number[] = [];
  let text = '';
  for await (const t of generateStream(llm, prompt, opts)) {
    ids.push(t.id);
    text += t.text;
  }
  return { ids, text };
}

/**
 * The reference program's output for a text prompt: the prompt (after BOS) followed by the greedy or
 * sampled continuation, `steps` positions in all.
 */
export async function completeText(llm: LoadedLlm, prompt: string, opts: GenerateOptions = {}): Promise<string> {
  const ids = llm.tokenizer.encode(prompt, { bos: true });
  const hasBos = llm.tokenizer.bosId !== undefined && ids[0] === llm.tokenizer.bosId;
  const head = llm.tokenizer.decode(ids.slice(hasBos ? 1 : 0), hasBos ? ids[0] : -1);
  const { text } = await generate(llm, [{ ids }], opts);
  return head + text;
}
