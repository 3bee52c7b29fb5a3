// The explanation service behind POST /v1/explain and recommend(explain: true), at the edge: reads what KV holds
// (item facts, the user's history, co-user counts from the published lists), asks the model-backed explainer
// (the worker: attribution, evidence by effect, LLM or template rationale, faithfulness), and checks every
// answer against its own counts before returning it. When the worker is unavailable or an answer fails the
// check, the co-interaction baseline with the template answers, with `faithfulness: null` and the reason.
// Runtime-neutral: sources are injected.
import { z } from 'zod';
import { buildEvidence, type EvidenceOptions } from './build-evidence.ts';
import { checkRationale } from './faithfulness.ts';
import { renderRationale } from './rationale.ts';
import { AttributeEvidence, ContentEvidence, DEFAULT_MIN_CO_USERS, EvidenceMethod, Faithfulness, type CoInteractionList, type Evidence, type ItemFacts, type Rationale } from './schema.ts';
import { EXPLAIN_WIRE_VERSION, type WorkerExplainRequest, type WorkerExplainResponse, type WorkerExplanation } from './wire.ts';

/** What the explainer reads; the narrowest interface, so KV-, worker- or memory-backed sources all fit. */
export interface ExplainSource {
  /** Item facts by raw id (null for unknown ids). */
  facts(ids: readonly string[]): Promise<(ItemFacts | null)[]>;
  /** Joint latents by dense index (the co-interaction baseline's similarity). */
  latents(idx: readonly number[]): Promise<ArrayLike<number>[]>;
  /** Distinct users who interacted with both `item` and each of `others` (dense indices). */
  coUsers(item: number, others: readonly number[]): Promise<number[]>;
  /** Recent history of a known user, raw item ids, oldest first ([] when unknown). */
  history(userId: string): Promise<string[]>;
  /** The model-backed explainer (worker POST /v1/explain); absent: the baseline answers. */
  explainWithModel?(req: WorkerExplainRequest): Promise<WorkerExplainResponse>;
}

export const Explanation = z.object({
  item: z.object({ id: z.string(), title: z.string() }),
  rationale: z.object({ text: z.string(), source: z.enum(['template', 'llm']).describe("'llm' when the worker's LLM wrote the sentence") }),
  evidence: z.object({
    method: EvidenceMethod,
    neighbours: z.array(z.object({ id: z.string(), title: z.string(), coUsers: z.number().int(), similarity: z.number(), effect: z.number().nullable() })),
    attributes: z.array(AttributeEvidence),
    content: z.array(ContentEvidence),
    minCoUsers: z.number().int(),
  }),
  cited: z.object({ neighbours: z.array(z.string()), attributes: z.array(z.object({ kind: z.string(), value: z.string() })) }),
  /** ERASER comprehensiveness / sufficiency of the cited history items, measured with the model; null when the worker was unavailable. */
  faithfulness: Faithfulness.nullable(),
  /** Present when the baseline answered instead of the model-backed explainer: why (details go to the log). */
  degraded: z.enum(['no-explainer', 'no-history', 'worker-unavailable', 'rejected']).optional(),
});
export type Explanation = z.infer<typeof Explanation>;

export class UnknownItemError extends Error {}

export interface ExplainRequest {
  userId?: string | null;
  /** Explicit history (raw ids, oldest first); appended after the stored one. */
  history?: readonly string[];
  itemIds: readonly string[];
  /** Raises the co-user threshold for this request; never lowers it below the configured one. */
  minCoUsers?: number;
  requestId?: string;
}

export interface ExplainOptions extends EvidenceOptions {
  /** The configured co-user threshold k (default 5): a floor requests cannot lower. */
  minCoUsers?: number;
  /** Where the details of a degraded explanation go (never to the client). */
  log?: (line: Record<string, unknown>) => void;
}

type Degraded = NonNullable<Explanation['degraded']>;

/** Why a worker explanation is not served (null = it passes): the edge re-checks privacy and citations with its own counts. */
function rejectReason(w: WorkerExplanation, item: ItemFacts, co: ReadonlyMap<number, number>, minCoUsers: number, titles: readonly string[]): string | null {
  const ev = w.evidence;
  if (ev.item.idx !== item.idx) return `explains item ${ev.item.idx}, not ${item.idx}`;
  if (ev.minCoUsers < minCoUsers) return `uses threshold ${ev.minCoUsers} < ${minCoUsers}`;
  for (const n of ev.neighbours) {
    const c = co.get(n.idx);
    if (c === undefined) return `cites item ${n.idx}, which is not in the history`;
    if (c < minCoUsers || n.coUsers !== c) return `cites item ${n.idx} with ${c} co-users (threshold ${minCoUsers})`;
  }
  const chk = checkRationale(w.rationale, ev, titles);
  return chk.ok ? null : chk.problems.join('; ');
}

function publicExplanation(item: ItemFacts, ev: Evidence, r: Rationale, faithfulness: Faithfulness | null, degraded?: Degraded): Explanation {
  const idOf = new Map(ev.neighbours.map((n) => [n.idx, n.id]));
  return {
    item: { id: item.id, title: item.title },
    rationale: { text: r.text, source: r.source },
    evidence: {
      method: ev.method,
      neighbours: ev.neighbours.map((n) => ({ id: n.id, title: n.title, coUsers: n.coUsers, similarity: n.similarity, effect: n.effect })),
      attributes: ev.attributes,
      content: ev.content,
      minCoUsers: ev.minCoUsers,
    },
    cited: { neighbours: r.cited.neighbours.map((i) => idOf.get(i)!), attributes: r.cited.attributes },
    faithfulness,
    ...(degraded ? { degraded } : {}),
  };
}

/** Explanations for each requested item (same order); throws UnknownItemError naming unknown ids. */
export async function explainItems(src: ExplainSource, req: ExplainRequest, opts: ExplainOptions = {}): Promise<Explanation[]> {
  const stored = req.userId ? await src.history(req.userId) : [];
  const histIds = [...stored, ...(req.history ?? [])];
  const [itemFacts, histFacts] = await Promise.all([src.facts(req.itemIds), src.facts(histIds)]);
  const unknown = req.itemIds.filter((_, i) => !itemFacts[i]);
  if (unknown.length) throw new UnknownItemError(`unknown item id(s): ${unknown.join(', ')}`);
  const items = itemFacts as ItemFacts[];
  const hist = histFacts.filter((f): f is ItemFacts => f !== null).slice(-512);
  const histIdx = hist.map((h) => h.idx);
  const minCoUsers = Math.max(opts.minCoUsers ?? DEFAULT_MIN_CO_USERS, req.minCoUsers ?? 0);
  const co = await Promise.all(items.map((it) => src.coUsers(it.idx, histIdx)));
  const coMaps = co.map((c) => new Map(histIdx.map((h, p) => [h, c[p]!])));
  const titles = [...hist, ...items].map((f) => f.title);

  let remote: WorkerExplanation[] | null = null;
  let reason: Degraded = src.explainWithModel ? 'no-history' : 'no-explainer';
  if (src.explainWithModel && hist.length > 0) {
    try {
      remote = [];
      // The wire carries at most 50 items per call (recommend may explain up to 100).
      for (let s = 0; s < items.length; s += 50) {
        const part = items.slice(s, s + 50);
        const r: WorkerExplainResponse = await src.explainWithModel({ v: EXPLAIN_WIRE_VERSION, requestId: req.requestId ?? 'explain', userId: req.userId ?? null, history: hist, items: part, coUsers: co.slice(s, s + 50), minCoUsers });
        if (r.explanations.length !== part.length) throw new Error(`worker returned ${r.explanations.length} explanations for ${part.length} items`);
        remote.push(...r.explanations);
      }
    } catch (err) {
      remote = null;
      reason = 'worker-unavailable';
      opts.log?.({ level: 'warn', requestId: req.requestId, msg: 'explain: model-backed explainer failed, baseline served', error: (err as Error).message });
    }
  }

  // Baseline for items the worker could not explain: co-interaction evidence from the (PQ-decoded) latents.
  let latentOf: ((i: number) => ArrayLike<number>) | null = null;
  const baseline = async (j: number, why: Degraded) => {
    if (!latentOf) {
      const idxs = [...new Set([...histIdx, ...items.map((i) => i.idx)])];
      const lat = await src.latents(idxs);
      const at = new Map(idxs.map((i, k) => [i, lat[k]!]));
      latentOf = (i) => at.get(i)!;
    }
    const byIdx = new Map([...hist, ...items].map((f) => [f.idx, f]));
    const item = items[j]!;
    const ev = buildEvidence({ facts: (i) => byIdx.get(i)!, latent: latentOf, coUsers: (a, b) => coMaps[j]!.get(a === item.idx ? b : a) ?? 0 }, item.idx, histIdx, { ...opts, minCoUsers });
    return publicExplanation(item, ev, renderRationale(ev), null, why);
  };

  const out: Explanation[] = [];
  for (const [j, item] of items.entries()) {
    const w = remote?.[j];
    const bad = w ? rejectReason(w, item, coMaps[j]!, minCoUsers, titles) : null;
    if (w && !bad) {
      out.push(publicExplanation(item, w.evidence, w.rationale, w.faithfulness));
      continue;
    }
    if (bad) opts.log?.({ level: 'warn', requestId: req.requestId, msg: 'explain: worker explanation rejected by the edge check', item: item.id, problem: bad });
    out.push(await baseline(j, bad ? 'rejected' : reason));
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
