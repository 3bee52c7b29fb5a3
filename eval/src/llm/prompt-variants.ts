// The prompts of the offline LLM evaluation as the edge builds them (eval/src/llm/llm-eval.ts), and the evidence
// ablation: `full` = KV evidence text + soft evidence tokens (what edge/src/recommend.ts sends), `no-evidence-tokens`
// = the same text without soft evidence tokens (component ablation "− evidence soft tokens"), `no-evidence` = no
// evidence entries. The evidence dictionary is the one `llmrec publish` writes (shared/src/evidence/item-snippets.ts)
// with popularity counted over TRAINING rows only, so the prompt never sees a validation or test interaction.
import { TRAIN, type Dataset, type ItemRecord, type Split } from '@llmrec/data/index.ts';
import { countPopularity, itemSnippets } from '@llmrec/shared/evidence/item-snippets.ts';
import { buildSoftPrompt, type SoftPrompt } from '@llmrec/shared/llm-prompt/soft-prompt.ts';
import { EVIDENCE_FROM_HISTORY, promptEvidence, withoutEvidenceTokens, type EvidenceSnippet } from '@llmrec/shared/prompt/prompt-evidence.ts';
import { assemblePrompt, type PromptItem, type PromptSegments } from '@llmrec/shared/prompt/segments.ts';

export const VARIANTS = ['full', 'no-evidence-tokens', 'no-evidence'] as const;
export type Variant = (typeof VARIANTS)[number];

/** Per dense item index, its evidence snippets (publish's dictionary, popularity over training rows). */
export function evidenceDictionary(ds: Pick<Dataset, 'interactions' | 'nItems'>, items: readonly Pick<ItemRecord, 'idx' | 'text'>[], split: Pick<Split, 'labels'>): EvidenceSnippet[][] {
  const pop = countPopularity(ds.interactions.item, ds.interactions.rating, ds.nItems, (r) => split.labels[r] === TRAIN);
  const out: EvidenceSnippet[][] = Array.from({ length: ds.nItems }, () => []);
  for (const it of items) out[it.idx] = itemSnippets(it.idx, it.text, pop);
  return out;
}

/** The prompt segments of one variant: history and candidates as the eval always sent them, evidence per variant. */
export function variantPrompt(variant: Variant, o: { userId: string; history: readonly PromptItem[]; candidates: readonly PromptItem[]; dictionary: readonly EvidenceSnippet[][]; maxHistory: number }): PromptSegments {
  let evidence = [] as ReturnType<typeof promptEvidence>;
  if (variant !== 'no-evidence') {
    const recent = o.history.slice(-EVIDENCE_FROM_HISTORY);
    evidence = promptEvidence(recent, recent.map((h) => ({ evidence: o.dictionary[h.idx] ?? [] })));
    if (variant === 'no-evidence-tokens') evidence = withoutEvidenceTokens(evidence);
  }
  return assemblePrompt({ userId: o.userId, history: o.history, evidence, candidates: o.candidates, maxHistory: o.maxHistory });
}

/** What the worker's fitting (gpu-worker/src/llm/rank/llm-ranker.ts fitSoftPrompt) kept of a prompt. */
export interface PromptFit {
  /** History titles left in the prompt (the richest layout shows 10). */
  historyTitles: number;
  candidateTitles: boolean;
  /** Positions the prompt occupies (BOS + text tokens + soft tokens). */
  positions: number;
  /** Evidence entries the fitting cut (0 when every entry fit). */
  evidenceCut: number;
}

export function describeFit(prompt: SoftPrompt, count: (text: string) => number, evidenceCut = 0): PromptFit {
  const cands = prompt.candidates.length;
  const items = prompt.pieces.filter((p) => 'soft' in p && p.soft === 'item').length;
  const text = prompt.pieces.map((p) => ('text' in p ? p.text : '')).join('');
  const first = prompt.candidates[0];
  return {
    historyTitles: items - cands,
    candidateTitles: first !== undefined && text.includes(`<CANDS> ${first.title}`),
    positions: 1 + prompt.pieces.reduce((n, p) => n + ('text' in p ? count(p.text) : 1), 0),
    evidenceCut,
  };
}

/** Running tally of the fits of one variant's prompts, for the record's protocol. */
export class FitTally {
  calls = 0;
  failed = 0;
  candidateTitlesDropped = 0;
  /** Prompts whose evidence the fitting shortened, and the entries it cut in all. */
  evidenceCutPrompts = 0;
  evidenceCutEntries = 0;
  historyTitles: Record<string, number> = {};
  private positions = 0;
  maxPositions = 0;

  add(f: PromptFit | undefined): void {
    this.calls++;
    if (!f) return void this.failed++;
    if (!f.candidateTitles) this.candidateTitlesDropped++;
    if (f.evidenceCut > 0) (this.evidenceCutPrompts++, (this.evidenceCutEntries += f.evidenceCut));
    this.historyTitles[f.historyTitles] = (this.historyTitles[f.historyTitles] ?? 0) + 1;
    this.positions += f.positions;
    this.maxPositions = Math.max(this.maxPositions, f.positions);
  }

  toJSON() {
    const ok = this.calls - this.failed;
    return { calls: this.calls, failed: this.failed, candidateTitlesDropped: this.candidateTitlesDropped, evidenceCutPrompts: this.evidenceCutPrompts, evidenceCutEntries: this.evidenceCutEntries, historyTitles: this.historyTitles, meanPositions: ok ? this.positions / ok : 0, maxPositions: this.maxPositions };
  }
}

/** Layout without fitting (for tests: the variant's pieces before the worker shortens history or candidates). */
export const layout = (seg: PromptSegments) => buildSoftPrompt(seg, { userIdx: 0, maxHistory: 10 });
