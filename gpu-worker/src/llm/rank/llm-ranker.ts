// LLM ranking (method: frozen-LLM scorer): each candidate's score is the LLM's mean log-likelihood of
// its title after the soft prompt. The prompt is encoded once and its KV cache is reused for every
// candidate (no re-encoding of the shared prefix).
import { buildSoftPrompt, type SoftPrompt } from '@llmrec/shared/llm-prompt/soft-prompt.ts';
import type { PromptSegments } from '@llmrec/shared/prompt/segments.ts';
import type { LoadedLlm } from '../model/load-model.ts';
import { embedTokens, emptyCache, forward, forwardShared, type KvCache } from '../runtime/decoder.ts';
import { promptEmbeds, type PromptPart } from '../runtime/generate.ts';
import { logSoftmax } from '../runtime/sampling.ts';
import { row, userToken, type SoftTokens } from './projectors.ts';

export interface SoftContext {
  tokens: SoftTokens;
  /** Joint latent of the requesting user (for the <USR> soft token). */
  userLatent?: Float32Array;
}

/** BOS + text pieces as token ids + soft pieces as projector outputs. */
export async function embedSoftPrompt(llm: LoadedLlm, ctx: SoftContext, prompt: SoftPrompt): Promise<PromptPart[]> {
  if (ctx.tokens.dim !== llm.hidden) throw new Error(`projector token dim ${ctx.tokens.dim} != LLM hidden size ${llm.hidden}`);
  const parts: PromptPart[] = [{ ids: llm.tokenizer.encode('', { bos: true }) }];
  for (const p of prompt.pieces) {
    if ('text' in p) parts.push({ ids: llm.tokenizer.encode(p.text) });
    else if (p.soft === 'user') {
      if (ctx.userLatent) parts.push({ embeds: await userToken(ctx.tokens, ctx.userLatent) });
    } else parts.push({ embeds: row(p.soft === 'item' ? ctx.tokens.itemTokens : ctx.tokens.evidenceTokens, p.idx, ctx.tokens.dim).slice() });
  }
  return parts;
}

/** Which layout the fitting chose: history titles shown, candidate titles or soft tokens only, evidence entries kept. */
export interface PromptLayout {
  maxHistory: number;
  candidateTitles: boolean;
  /** Evidence entries kept (the newest ones; the segments' count when none was cut). */
  evidence: number;
}

/**
 * The richest layout that fits the model's context with room for the longest candidate title:
 * history 10 -> 5 -> 3 titles, then candidates as soft tokens only (tiny models have 512 positions); when even
 * one history title does not fit, the evidence is cut (its newest half kept, down to none) rather than the request
 * failing: a prompt without evidence is still the user's ranking, a failed one falls back to the latent order.
 */
export function fitSoftPromptLayout(llm: LoadedLlm, seg: PromptSegments, userIdx?: number): { prompt: SoftPrompt; layout: PromptLayout } {
  const maxPos = llm.config.max_position_embeddings ?? 4096;
  const titleRoom = Math.max(8, ...(seg.candidates ?? []).map((c) => llm.tokenizer.encode(c.title).length));
  const length = (p: SoftPrompt) => llm.tokenizer.encode('', { bos: true }).length + p.pieces.reduce((n, x) => n + ('text' in x ? llm.tokenizer.encode(x.text).length : x.soft === 'user' && userIdx === undefined ? 0 : 1), 0);
  const n = seg.evidence.length;
  const ladder: PromptLayout[] = ([[10, true], [5, true], [3, true], [5, false], [3, false], [1, false]] as const).map(([maxHistory, candidateTitles]) => ({ maxHistory, candidateTitles, evidence: n }));
  // evidence halved down to none: n >> 1, n >> 2, ..., 0
  for (let keep = n; keep > 0; ) ladder.push({ maxHistory: 1, candidateTitles: false, evidence: (keep >>= 1) });
  for (const layout of ladder) {
    const s = layout.evidence === n ? seg : { ...seg, evidence: layout.evidence ? seg.evidence.slice(-layout.evidence) : [] };
    const prompt = buildSoftPrompt(s, { userIdx, maxHistory: layout.maxHistory, candidateTitles: layout.candidateTitles });
    if (length(prompt) + titleRoom <= maxPos) return { prompt, layout };
  }
  throw new RangeError(`prompt does not fit the model's ${maxPos} positions even in its shortest layout`);
}

export function fitSoftPrompt(llm: LoadedLlm, seg: PromptSegments, userIdx?: number): SoftPrompt {
  return fitSoftPromptLayout(llm, seg, userIdx).prompt;
}

export interface PrefixState {
  cache: KvCache;
  /** Log-probabilities of the next token after the prefix. */
  next: Float64Array;
}

export async function encodePrefix(llm: LoadedLlm, parts: readonly PromptPart[]): Promise<PrefixState> {
  const { embeds, length } = promptEmbeds(llm, parts);
  const { logits, vocab, cache } = await forward(llm, embeds, emptyCache(llm));
  return { cache, next: logSoftmax(logits, (length - 1) * vocab, vocab) };
}

export interface LlmScore {
  idx: number;
  /** Mean log-likelihood per title token. */
  score: number;
  tokens: number;
}

/** Scores every candidate of the prompt by the LLM, encoding the prompt once. */
export async function scoreCandidates(llm: LoadedLlm, ctx: SoftContext, prompt: SoftPrompt): Promise<LlmScore[]> {
  return scoreAfterPrefix(llm, await encodePrefix(llm, await embedSoftPrompt(llm, ctx, prompt)), prompt);
}

/** Mean log-likelihood per token of each text after the prefix, all texts in one batched pass. */
export async function continuationScores(llm: LoadedLlm, prefix: PrefixState, texts: readonly string[]): Promise<{ logLik: number; tokens: number }[]> {
  const ids = texts.map((t) => llm.tokenizer.encode(t));
  const lengths = ids.map((x) => Math.max(0, x.length - 1));
  const n = Math.max(...lengths, 0);
  let batch: { logits: Float32Array; vocab: number } | undefined;
  if (n > 0) {
    const D = llm.hidden;
    const embeds = new Float32Array(ids.length * n * D);
    ids.forEach((x, b) => embeds.set(embedTokens(llm, x.slice(0, -1)), b * n * D));
    batch = await forwardShared(llm, embeds, lengths, prefix.cache);
  }
  return ids.map((x, b) => {
    if (!x.length) return { logLik: 0, tokens: 0 };
    let lp = prefix.next[x[0]!]!;
    for (let j = 1; j < x.length; j++) lp += logSoftmax(batch!.logits, (b * n + j - 1) * batch!.vocab, batch!.vocab)[x[j]!]!;
    return { logLik: lp / x.length, tokens: x.length };
  });
}

/** Scores the prompt's candidates after an already encoded prefix (shared with the rationale chooser). */
export async function scoreAfterPrefix(llm: LoadedLlm, prefix: PrefixState, prompt: SoftPrompt): Promise<LlmScore[]> {
  const s = await continuationScores(llm, prefix, prompt.candidates.map((c) => c.title));
  return prompt.candidates.map((c, b) => ({ idx: c.idx, score: s[b]!.logLik, tokens: s[b]!.tokens }));
}

function standardise(v: readonly number[]): number[] {
  const m = v.reduce((a, b) => a + b, 0) / (v.length || 1);
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length || 1)) || 1;
  return v.map((x) => (x - m) / sd);
}

/** Fused score: standardised latent score + w * standardised LLM score (w chosen on validation). */
export function fuseScores(latent: readonly number[], llm: readonly number[], w: number): number[] {
  const a = standardise(latent);
  const b = standardise(llm);
  return a.map((x, i) => x + w * b[i]!);
}
