// Rationales written by the frozen LLM (evidence-grounded explanations, worker side): after the user's soft
// prompt and the item's evidence, the LLM decodes one sentence greedily under the span constraint, so the
// sentence can name only evidence (quoted neighbour titles, attribute values). What it cites is read back from
// the text; the caller still checks the sentence (checkRationale) and falls back to the template.
import type { RationaleWriter } from '@llmrec/shared/evidence/explain-with-model.ts';
import { EVIDENCE_VERSION, type Evidence, type ItemFacts, type Rationale } from '@llmrec/shared/evidence/schema.ts';
import { evidenceSpans, rationalePrefix, rationaleSuffix } from '@llmrec/shared/llm-prompt/rationale-prompt.ts';
import type { PromptPiece } from '@llmrec/shared/llm-prompt/soft-prompt.ts';
import type { LoadedLlm } from '../model/load-model.ts';
import { embedTokens, emptyCache, forward, type KvCache } from '../runtime/decoder.ts';
import { promptEmbeds, type PromptPart } from '../runtime/generate.ts';
import { row, userToken, type SoftTokens } from '../rank/projectors.ts';
import { constrainedDecode, SpanConstraint, type TokenSource } from './span-constraint.ts';

const tokenBytesCache = new WeakMap<LoadedLlm, Uint8Array[]>();

/** What each token prints mid-sentence (not after BOS). */
export function tokenBytes(llm: LoadedLlm): Uint8Array[] {
  let t = tokenBytesCache.get(llm);
  if (!t) {
    t = Array.from({ length: llm.tokenizer.vocabSize }, (_, id) => llm.tokenizer.pieceBytes(-1, id));
    tokenBytesCache.set(llm, t);
  }
  return t;
}

async function embedPieces(llm: LoadedLlm, tokens: SoftTokens, pieces: readonly PromptPiece[], userLatent: Float32Array | undefined, bos: boolean): Promise<PromptPart[]> {
  const parts: PromptPart[] = bos ? [{ ids: llm.tokenizer.encode('', { bos: true }) }] : [];
  for (const p of pieces) {
    if ('text' in p) parts.push({ ids: llm.tokenizer.encode(p.text) });
    else if (p.soft === 'user') {
      if (userLatent) parts.push({ embeds: await userToken(tokens, userLatent) });
    } else parts.push({ embeds: row(p.soft === 'item' ? tokens.itemTokens : tokens.evidenceTokens, p.idx, tokens.dim).slice() });
  }
  return parts;
}

/** The LLM as a token source after a cached prefix (each push runs one cached decoder step). */
function llmSource(llm: LoadedLlm, cache: KvCache, logits: Float32Array): TokenSource {
  let last = logits;
  let c = cache;
  return {
    logits: async () => last,
    async push(id) {
      const r = await forward(llm, embedTokens(llm, [id]), c);
      c = r.cache;
      last = r.logits;
    },
  };
}

/** Which evidence the sentence names: quoted titles and attribute values found in the text. */
export function citedIn(text: string, ev: Evidence): Rationale['cited'] {
  return {
    neighbours: ev.neighbours.filter((n) => text.includes(`"${n.title}"`)).map((n) => n.idx),
    attributes: ev.attributes.filter((a) => text.includes(a.value)).map((a) => ({ kind: a.kind, value: a.value })),
  };
}

export interface LlmWriterOptions {
  llm: LoadedLlm;
  tokens: SoftTokens;
  /** z_u of the requesting user (the soft user token); absent: no user token. */
  userLatent?: Float32Array;
  /** Wall-clock deadline (ms since epoch): items not started by then get null (the template). */
  deadline?: number;
  maxTokens?: number;
}

export function llmRationaleWriter(o: LlmWriterOptions): RationaleWriter {
  const { llm } = o;
  const maxPos = llm.config.max_position_embeddings ?? 4096;
  const banned = new Set([...(llm.tokenizer.bosId !== undefined ? [llm.tokenizer.bosId] : []), ...llm.eosIds]);
  return {
    async write(evidence: readonly Evidence[], history: readonly ItemFacts[]) {
      const hist = history.map((h) => ({ idx: h.idx, title: h.title }));
      const prefix = promptEmbeds(llm, await embedPieces(llm, o.tokens, rationalePrefix(hist, { userToken: o.userLatent !== undefined }), o.userLatent, true));
      const shared = await forward(llm, prefix.embeds, emptyCache(llm));
      const out: (Rationale | null)[] = [];
      for (const ev of evidence) {
        const spans = evidenceSpans(ev);
        if (!spans.length || (o.deadline !== undefined && Date.now() > o.deadline)) {
          out.push(null);
          continue;
        }
        const suffix = promptEmbeds(llm, await embedPieces(llm, o.tokens, rationaleSuffix(ev), undefined, false));
        const maxTokens = Math.min(o.maxTokens ?? 48, maxPos - shared.cache.length - suffix.length);
        if (maxTokens < 8) {
          out.push(null);
          continue;
        }
        const s = await forward(llm, suffix.embeds, shared.cache);
        const last = s.logits.subarray(s.logits.length - s.vocab);
        const r = await constrainedDecode(llmSource(llm, s.cache, last), tokenBytes(llm), new SpanConstraint(spans), { maxTokens, banned });
        out.push(r ? { v: EVIDENCE_VERSION, text: r.text, cited: citedIn(r.text, ev), source: 'llm' } : null);
      }
      return out;
    },
  };
}
