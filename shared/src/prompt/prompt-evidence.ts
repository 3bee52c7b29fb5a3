// The prompt's evidence segment (method: evidence-grounded ranking; request path, step 3): for each of the
// newest history items, its first snippets from the KV evidence dictionary, each entry tagged with the item's
// index so the LLM prompt builder (shared/src/llm-prompt/soft-prompt.ts) puts a soft evidence token after its
// text. One source for the edge (edge/src/recommend.ts) and the offline LLM evaluation (eval/src/llm/llm-eval.ts),
// so what the evaluation measures is what the edge sends.
import type { EvidenceEntry } from './segments.ts';

/** Evidence comes from this many of the newest history items (the LLM ranker cites only these). */
export const EVIDENCE_FROM_HISTORY = 5;
/** Snippets taken per item, in the dictionary's order (publish writes the most specific first). */
export const EVIDENCE_PER_ITEM = 3;

/** A snippet as the KV evidence dictionary holds it (shared/src/kv/values.ts ItemEvidence.evidence). */
export interface EvidenceSnippet {
  kind: string;
  text: string;
  weight?: number;
}

/**
 * Entries for `items` (already the newest EVIDENCE_FROM_HISTORY of the history), given each item's dictionary
 * record (null/undefined: none in KV, the item contributes nothing).
 */
export function promptEvidence(items: readonly { idx: number }[], records: readonly ({ evidence: readonly EvidenceSnippet[] } | null | undefined)[]): EvidenceEntry[] {
  const out: EvidenceEntry[] = [];
  items.forEach((it, i) => {
    for (const x of records[i]?.evidence.slice(0, EVIDENCE_PER_ITEM) ?? []) {
      const kind = x.kind === 'co-interaction' || x.kind === 'popularity' ? x.kind : 'attribute';
      out.push({ kind, text: x.text.slice(0, 512), itemIdx: it.idx, ...(x.weight !== undefined ? { weight: x.weight } : {}) });
    }
  });
  return out;
}

/** The same entries without their item index: the text stays, the soft evidence tokens go (ablation "− evidence soft tokens"). */
export function withoutEvidenceTokens(entries: readonly EvidenceEntry[]): EvidenceEntry[] {
  return entries.map(({ itemIdx: _drop, ...rest }) => rest);
}
