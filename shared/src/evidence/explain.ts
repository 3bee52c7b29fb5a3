// The explanation service behind POST /v1/explain and recommend(explain: true): evidence for (user, item)
// from an ExplainSource, a rationale from the slot template (an LLM chooser when configured), and the
// faithfulness check before anything is returned. Runtime-neutral: sources are injected.
import { z } from 'zod';
import { buildEvidence, type EvidenceOptions } from './build-evidence.ts';
import { checkRationale } from './faithfulness.ts';
import { renderRationale, type SlotChooser } from './rationale.ts';
import { AttributeEvidence, DEFAULT_MIN_CO_USERS, type CoInteractionList, type Evidence, type ItemFacts, type Rationale } from './schema.ts';

/** What the explainer reads; the narrowest interface, so KV-, worker- or memory-backed sources all fit. */
export interface ExplainSource {
  /** Item facts by raw id (null for unknown ids). */
  facts(ids: readonly string[]): Promise<(ItemFacts | null)[]>;
  /** Joint latents by dense index. */
  latents(idx: readonly number[]): Promise<ArrayLike<number>[]>;
  /** Distinct users who interacted with both `item` and each of `others` (dense indices). */
  coUsers(item: number, others: readonly number[]): Promise<number[]>;
  /** Recent history of a known user, raw item ids, oldest first ([] when unknown). */
  history(userId: string): Promise<string[]>;
  /** LLM slot chooser for this user (absent: template alone). */
  chooser?(userId: string | null, history: readonly ItemFacts[], item: ItemFacts): Promise<SlotChooser | undefined>;
  /**
   * Rationales rendered elsewhere with LLM-chosen slots (the worker's POST /llm/explain), one per evidence;
   * each is checked here and replaced by the template when it fails. Errors fall back to the template.
   */
  remoteRationales?(userId: string | null, history: readonly ItemFacts[], evidence: readonly Evidence[]): Promise<Rationale[]>;
}

export const Explanation = z.object({
  item: z.object({ id: z.string(), title: z.string() }),
  rationale: z.object({ text: z.string(), source: z.enum(['template', 'llm']) }),
  evidence: z.object({
    neighbours: z.array(z.object({ id: z.string(), title: z.string(), coUsers: z.number().int(), similarity: z.number() })),
    attributes: z.array(AttributeEvidence),
    minCoUsers: z.number().int(),
  }),
  cited: z.object({ neighbours: z.array(z.string()), attributes: z.array(z.object({ kind: z.string(), value: z.string() })) }),
});
export type Explanation = z.infer<typeof Explanation>;

export class UnknownItemError extends Error {}

export interface ExplainRequest {
  userId?: string | null;
  /** Explicit history (raw ids, oldest first); appended after the stored one. */
  history?: readonly string[];
  itemIds: readonly string[];
  minCoUsers?: number;
}

/** Explanations for each requested item (same order); throws UnknownItemError naming unknown ids. */
export async function explainItems(src: ExplainSource, req: ExplainRequest, opts: EvidenceOptions = {}): Promise<Explanation[]> {
  const stored = req.userId ? await src.history(req.userId) : [];
  const histIds = [...stored, ...(req.history ?? [])];
  const [itemFacts, histFacts] = await Promise.all([src.facts(req.itemIds), src.facts(histIds)]);
  const unknown = req.itemIds.filter((_, i) => !itemFacts[i]);
  if (unknown.length) throw new UnknownItemError(`unknown item id(s): ${unknown.join(', ')}`);
  const hist = histFacts.filter((f): f is ItemFacts => f !== null);
  const byIdx = new Map<number, ItemFacts>([...hist, ...(itemFacts as ItemFacts[])].map((f) => [f.idx, f]));
  const idxs = [...byIdx.keys()];
  const lat = new Map(idxs.map((i, j) => [i, j]));
  const latents = await src.latents(idxs);
  const minCoUsers = req.minCoUsers ?? opts.minCoUsers ?? DEFAULT_MIN_CO_USERS;
  const evidence: Evidence[] = [];
  for (const item of itemFacts as ItemFacts[]) {
    const histIdx = hist.map((h) => h.idx);
    const co = await src.coUsers(item.idx, histIdx);
    const coMap = new Map(histIdx.map((h, j) => [h, co[j]!]));
    evidence.push(
      buildEvidence(
        { facts: (i) => byIdx.get(i)!, latent: (i) => latents[lat.get(i)!]!, coUsers: (a, b) => (b === item.idx ? (coMap.get(a) ?? 0) : (coMap.get(b) ?? 0)) },
        item.idx,
        histIdx,
        { ...opts, minCoUsers },
      ),
    );
  }
  const remote = src.remoteRationales ? await src.remoteRationales(req.userId ?? null, hist, evidence).catch(() => undefined) : undefined;
  const out: Explanation[] = [];
  for (const [j, ev] of evidence.entries()) {
    const item = (itemFacts as ItemFacts[])[j]!;
    const chooser = !remote && src.chooser ? await src.chooser(req.userId ?? null, hist, item) : undefined;
    let r = remote?.[j] ?? (await renderRationale(ev, chooser));
    // Never return an unfaithful sentence: fall back to the template alone (always faithful by construction).
    if (!checkRationale(r, ev, hist.map((h) => h.title)).ok) r = await renderRationale(ev);
    const idOf = new Map(ev.neighbours.map((n) => [n.idx, n.id]));
    out.push({
      item: { id: item.id, title: item.title },
      rationale: { text: r.text, source: r.source },
      evidence: { neighbours: ev.neighbours.map((n) => ({ id: n.id, title: n.title, coUsers: n.coUsers, similarity: n.similarity })), attributes: ev.attributes, minCoUsers },
      cited: { neighbours: r.cited.neighbours.map((i) => idOf.get(i)!), attributes: r.cited.attributes },
    });
  }
  return out;
}

/** An in-memory source over a catalogue, its joint latents and training histories (tests, demo, Node). */
export function memoryExplainSource(items: readonly ItemFacts[], latents: Float32Array, dim: number, histories: ReadonlyMap<string, string[]>, coUsers: (a: number, b: number) => number): ExplainSource {
  const byId = new Map(items.map((f) => [f.id, f]));
  return {
    facts: async (ids) => ids.map((id) => byId.get(id) ?? null),
    latents: async (idx) => idx.map((i) => latents.subarray(i * dim, (i + 1) * dim)),
    coUsers: async (item, others) => others.map((o) => coUsers(item, o)),
    history: async (userId) => histories.get(userId) ?? [],
  };
}

/**
 * coUsers for an ExplainSource from published CoInteractionLists (one per item, KV): pairs missing from the
 * list were below the publishing threshold and count as 0, so a neighbour is never cited below it.
 */
export function coUsersFromLists(getList: (itemIdx: number) => Promise<CoInteractionList | null>) {
  return async (item: number, others: readonly number[]): Promise<number[]> => {
    const list = await getList(item);
    const m = new Map(list?.co ?? []);
    return others.map((o) => m.get(o) ?? 0);
  };
}
