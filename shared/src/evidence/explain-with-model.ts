// Explanations computed with the model (evidence-grounded explanations, end to end): attribution of each
// item's score to the history (one batched model run), evidence by effect (or the co-interaction baseline),
// a rationale (an LLM writer when configured, checked, else the template) and the faithfulness of what the
// rationale cites, measured by re-scoring (a second batched run). Runs on the worker (the serving model) and
// in `llmrec eval --explanations` (the same functions over the same model).
import { attributeGroups, attributeHistory, DEFAULT_WINDOW, historyWindow, type HistoryScorer } from './attribution.ts';
import { buildEvidence, type EvidenceOptions } from './build-evidence.ts';
import { checkRationale, measureFaithfulness, type FaithfulnessOptions } from './faithfulness.ts';
import { renderRationale } from './rationale.ts';
import type { ContentEvidence, Evidence, EvidenceMethod, Faithfulness, ItemFacts, Rationale } from './schema.ts';

/** Writes rationales for several evidences (an LLM); null where it could not (the template is used). */
export interface RationaleWriter {
  write(evidence: readonly Evidence[], history: readonly ItemFacts[]): Promise<(Rationale | null)[]>;
}

/** Content-tower attribution (per item, per modality), when the serving bundle has a content tower. */
export type ContentAttribution = (history: readonly number[], items: readonly number[]) => Promise<ContentEvidence[][]>;

export interface ModelExplainInput {
  /** The user's history, oldest first. */
  history: readonly ItemFacts[];
  items: readonly ItemFacts[];
  /** coUsers[j][h] = distinct users who interacted with items[j] and history[h]. */
  coUsers: readonly (readonly number[])[];
  /** Joint latent of an item (cosine similarity of the co-interaction baseline; reported for both methods). */
  latent(idx: number): ArrayLike<number>;
  minCoUsers: number;
}

export interface ModelExplainOptions extends EvidenceOptions, FaithfulnessOptions {
  /** 'attribution' (default) or the 'co-interaction' baseline. */
  method?: EvidenceMethod;
  writer?: RationaleWriter;
  content?: ContentAttribution;
}

export interface ModelExplanation {
  evidence: Evidence;
  rationale: Rationale;
  faithfulness: Faithfulness;
}

export async function explainWithModel(scorer: HistoryScorer, input: ModelExplainInput, o: ModelExplainOptions = {}): Promise<ModelExplanation[]> {
  const method = o.method ?? 'attribution';
  const window = o.recent ?? o.window ?? DEFAULT_WINDOW;
  const byIdx = new Map([...input.history, ...input.items].map((f) => [f.idx, f]));
  const hist = input.history.map((h) => h.idx);
  const items = input.items.map((f) => f.idx);
  const coOf = input.items.map((_, j) => new Map(hist.map((h, p) => [h, input.coUsers[j]?.[p] ?? 0])));
  const src = (j: number) => ({ facts: (i: number) => byIdx.get(i)!, latent: input.latent, coUsers: (a: number, b: number) => coOf[j]!.get(a === items[j] ? b : a) ?? 0 });
  const opts = { ...o, minCoUsers: input.minCoUsers, recent: window };

  let evidence: Evidence[];
  if (method === 'attribution') {
    const win = new Set(historyWindow(hist, window));
    const winFacts = input.history.filter((h) => win.has(h.idx));
    const groups = input.items.map((f) => attributeGroups(f, winFacts));
    const [att, content] = await Promise.all([attributeHistory(scorer, hist, items, groups, window), o.content ? o.content(hist, items) : undefined]);
    evidence = items.map((it, j) =>
      buildEvidence(src(j), it, hist, opts, {
        score: att.score[j]!,
        history: new Map([...att.effect].map(([h, e]) => [h, e[j]!])),
        groups: att.groupEffect[j]!,
        content: content?.[j],
      }),
    );
  } else {
    evidence = items.map((it, j) => buildEvidence(src(j), it, hist, opts));
  }

  // A written sentence must pass the check against its evidence, else the template stands in.
  const written = o.writer ? await o.writer.write(evidence, input.history).catch(() => null) : null;
  const titles = [...input.history, ...input.items].map((f) => f.title);
  const rationales = evidence.map((ev, j) => {
    const r = written?.[j];
    return r && checkRationale(r, ev, titles).ok ? r : renderRationale(ev);
  });
  const faithfulness = await measureFaithfulness(scorer, hist, items.map((item, j) => ({ item, cited: rationales[j]!.cited.neighbours })), { ...o, window });
  return evidence.map((ev, j) => ({ evidence: ev, rationale: rationales[j]!, faithfulness: faithfulness[j]! }));
}
