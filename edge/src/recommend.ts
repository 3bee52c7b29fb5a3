// The recommend use case (request path, steps 2-4): resolve the user's history from KV (or the anonymous
// session), resolve candidates, assemble the prompt in the paper's segment layout, ask the worker to rank,
// and map indices back to ids and titles. When the worker is down or slow, answer from the user's last
// cached ranking or the popular list with `degraded: true` (degrade.ts).
import type { Problem, RecommendRequest, RecommendResponse } from '@llmrec/shared/api/http.ts';
import { WIRE_VERSION, type ScoreRequest } from '@llmrec/shared/api/wire.ts';
import { assemblePrompt, type EvidenceEntry, type PromptItem } from '@llmrec/shared/prompt/segments.ts';
import { EVIDENCE_FROM_HISTORY, promptEvidence } from '@llmrec/shared/prompt/prompt-evidence.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { encodeValue } from '@llmrec/shared/kv/typed.ts';
import { CachedRecs, type ItemMeta } from '@llmrec/shared/kv/values.ts';
import type { Catalog, PublishedCatalog } from './catalog.ts';
import type { EdgeConfig } from './config.ts';
import { meanLatent, retrieveByPq, type PqLatents } from './pq-latents.ts';
import { degradedAnswer } from './degrade.ts';
import { ApiError, badRequest } from './errors.ts';
import { WorkerUnavailableError, type WorkerClient } from './worker-client.ts';

export interface RecommendDeps {
  store: KvStore;
  catalog: Catalog;
  pq: PqLatents;
  worker: WorkerClient;
  config: EdgeConfig;
  /** Work that may finish after the response (Workers: ctx.waitUntil). */
  background: (p: Promise<unknown>) => void;
}

export interface RecommendOutcome {
  body: RecommendResponse;
  /** Milliseconds spent waiting for the worker (0 when it was not called). */
  workerMs: number;
  /** When degraded: what happened underneath (socket error, status), for the request's log line only. */
  detail?: string;
}

export async function recommend(deps: RecommendDeps, req: RecommendRequest, requestId: string): Promise<RecommendOutcome> {
  const cat = await deps.catalog.published();
  if (!cat) throw new ApiError(503, 'not_published', 'no catalog has been published to this store yet (run `llmrec publish`)');

  // History, oldest first, as item metadata.
  let historyIds: string[];
  if (req.userId !== undefined) {
    const entries = await deps.catalog.history(req.userId, deps.config.historyMaxLen);
    if (entries.length === 0) {
      throw new ApiError(404, 'unknown_user', `no history for user ${req.userId}`, [
        { path: 'userId', message: 'unknown user: post events for it first, or send recentItems instead' },
      ]);
    }
    historyIds = entries.map((e) => e.item).reverse();
  } else {
    historyIds = req.recentItems!;
  }
  const historyMeta = await deps.catalog.items(cat, historyIds);
  if (req.userId === undefined) {
    const problems = unknownIds(historyIds, historyMeta, 'recentItems');
    if (problems.length) throw badRequest('unknown items in recentItems', problems);
  }
  const history = historyMeta.filter((m): m is ItemMeta => m !== null);

  // Candidates (explicit set, or null = the worker ranks every item).
  let candidates: ItemMeta[] | null = null;
  if (req.candidates) {
    const meta = await deps.catalog.items(cat, req.candidates);
    const problems = unknownIds(req.candidates, meta, 'candidates');
    if (problems.length) throw badRequest('unknown items in candidates', problems);
    const seen = new Set<string>();
    // Hidden items (DELETE /v1/items/{id}) are known ids, never ranked.
    candidates = (meta as ItemMeta[]).filter((m) => !seen.has(m.id) && (seen.add(m.id), true) && !cat.live.unavailable.has(m.idx));
  }
  const seenIdx = req.excludeSeen ? [...new Set(history.map((h) => h.idx))] : [];
  if (candidates && req.excludeSeen) {
    const s = new Set(seenIdx);
    candidates = candidates.filter((m) => !s.has(m.idx));
  }
  // Work that only feeds the worker (retrieval, evidence) is skipped while the worker is known to be down.
  const workerUp = deps.worker.available?.() ?? true;
  let retrieval: 'none' | 'pq' = 'none';
  let retrieved: number[] | null = null;
  let encodeMs = 0;
  if (!candidates && workerUp && history.length > 0 && cat.ids.length >= deps.config.retrieval.minItems) {
    const pq = await deps.pq.get(cat);
    if (pq) {
      // Retrieval over large catalogs: the top `depth` items by ADC of the worker's z_u against the PQ codes
      // (the mean decoded history latent only when the worker cannot encode), then the worker re-ranks them.
      const recent = history.slice(-deps.config.maxHistory).map((h) => h.idx);
      const t0 = performance.now();
      const zu = await userLatent(deps, recent, requestId);
      encodeMs = performance.now() - t0;
      // Retrieved candidates go to the worker as indices only: it scores by index, and titles are looked up
      // for the k items it returns (300 metadata reads per request would cost more than the retrieval itself).
      retrieved = retrieveByPq(pq, zu ?? meanLatent(pq, recent), deps.config.retrieval.depth, new Set(seenIdx));
      retrieval = 'pq';
    }
  }
  const userId = req.userId ?? null;
  if ((candidates && candidates.length === 0) || retrieved?.length === 0) {
    return { body: { requestId, userId, items: [], degraded: false, source: 'worker', model: cat.version }, workerMs: 0 };
  }

  const evidence = workerUp ? await evidenceFor(deps, cat, history.slice(-EVIDENCE_FROM_HISTORY)) : [];
  const prompt = assemblePrompt({
    userId,
    history: history.map(toPromptItem),
    evidence,
    candidates: candidates ? candidates.map(toPromptItem) : retrieved ? retrieved.map((idx) => ({ idx, title: '' })) : null,
    maxHistory: deps.config.maxHistory,
  });
  const scoreReq: ScoreRequest = { version: WIRE_VERSION, requestId, prompt, k: req.k, exclude: seenIdx, ...(retrieval === 'pq' ? { shortlist: true } : {}) };

  const t0 = performance.now();
  try {
    if (!workerUp) throw new WorkerDownSignal();
    const rerank = deps.config.llmRerank;
    // Hidden items are filtered below too (this edge may know of a DELETE before the worker did): ask for a few more.
    const spare = Math.min(cat.live.unavailable.size, 100);
    const res = await deps.worker.score({ ...scoreReq, k: Math.min(1000, Math.max(req.k, rerank) + spare) }, { timeoutMs: deps.config.workerTimeoutMs });
    if (spare) res.items = res.items.filter((s) => !cat.live.unavailable.has(s.idx));
    let model = res.model;
    if (rerank > 0 && deps.worker.llmRank && res.items.length > 1) {
      const llm = await llmRerank(deps, cat, scoreReq, res.items.slice(0, rerank));
      if (llm) {
        res.items = [...llm.items, ...res.items.slice(rerank)];
        model = `${res.model}+llm(${llm.model})`;
      }
    }
    const workerMs = performance.now() - t0 + encodeMs;
    const ids = res.items.slice(0, req.k).map((s) => cat.ids[s.idx]);
    const meta = await deps.catalog.items(cat, ids.filter((id): id is string => id !== undefined));
    const byId = new Map(meta.filter((m): m is ItemMeta => m !== null).map((m) => [m.id, m]));
    const items = res.items
      .slice(0, req.k)
      .map((s, i) => ({ s, m: ids[i] === undefined ? undefined : byId.get(ids[i]) }))
      .filter((x): x is { s: typeof x.s; m: ItemMeta } => x.m !== undefined)
      .map((x, rank) => ({ id: x.m.id, title: x.m.title, score: x.s.score, rank: rank + 1 }));
    if (userId !== null && !req.candidates) {
      const cached = encodeValue(CachedRecs, { v: 1, at: Date.now(), items: items.map((it) => ({ id: it.id, score: it.score })) });
      deps.background(deps.store.set(keys.cachedRecs(userId), cached, { ttlSeconds: deps.config.cacheTtlSec }).catch(() => undefined));
    }
    return { body: { requestId, userId, items, degraded: false, source: 'worker', model }, workerMs };
  } catch (err) {
    if (!(err instanceof WorkerUnavailableError) && !(err instanceof WorkerDownSignal)) throw err;
    const workerMs = performance.now() - t0 + encodeMs;
    const exclude = new Set(req.excludeSeen ? history.map((h) => h.id) : []);
    for (const id of cat.live.unavailableIds) exclude.add(id);
    const body = await degradedAnswer({ store: deps.store, catalog: deps.catalog }, cat, {
      requestId,
      userId,
      k: req.k,
      exclude,
      candidates: retrieval === 'pq' ? null : (candidates?.map((c) => c.id) ?? null),
      reason: err instanceof WorkerUnavailableError ? err.reason : 'circuit_open',
    });
    const detail = err instanceof WorkerUnavailableError ? err.message : 'worker marked down by the circuit breaker (recent consecutive failures); probed again shortly';
    return { body, workerMs, detail };
  }
}

/** Fused LLM + latent ranking of the top items (titles from the catalog); null when the LLM call fails. */
async function llmRerank(deps: RecommendDeps, cat: PublishedCatalog, req: ScoreRequest, top: readonly { idx: number; score: number }[]) {
  const meta = await deps.catalog.items(cat, top.map((t) => cat.ids[t.idx] ?? ''));
  const cands = top.map((t, i) => ({ idx: t.idx, title: meta[i]?.title ?? '', score: t.score })).filter((c) => c.title);
  try {
    const r = await deps.worker.llmRank!(
      { v: 1, requestId: req.requestId, prompt: { ...req.prompt, candidates: cands.map((c) => ({ idx: c.idx, title: c.title })) }, latentScores: cands.map((c) => c.score) },
      { timeoutMs: deps.config.llmTimeoutMs },
    );
    return { items: r.items.map((it) => ({ idx: it.idx, score: it.fused })), model: r.model };
  } catch {
    return null;
  }
}

/** z_u of the history from the worker (null when it has no encode route or fails: the caller falls back). */
async function userLatent(deps: RecommendDeps, history: readonly number[], requestId: string): Promise<Float32Array | null> {
  if (!deps.worker.encode) return null;
  try {
    const r = await deps.worker.encode({ v: 1, requestId, history: history.slice(-512) }, { timeoutMs: deps.config.workerTimeoutMs });
    return Float32Array.from(r.z);
  } catch {
    return null;
  }
}

/** Thrown (without a stack) when the circuit breaker already knows the worker is down. */
class WorkerDownSignal {}

function toPromptItem(m: ItemMeta): PromptItem {
  return { idx: m.idx, title: m.title };
}

function unknownIds(ids: readonly string[], meta: readonly (ItemMeta | null)[], field: string): Problem[] {
  const problems: Problem[] = [];
  meta.forEach((m, i) => {
    if (m === null) problems.push({ path: `${field}.${i}`, message: `unknown item id ${JSON.stringify(ids[i])}` });
  });
  return problems.slice(0, 50);
}

/** The prompt's evidence for the newest history items, from the KV evidence dictionary (shared/src/prompt/prompt-evidence.ts). */
async function evidenceFor(deps: RecommendDeps, cat: PublishedCatalog, items: readonly ItemMeta[]): Promise<EvidenceEntry[]> {
  if (items.length === 0) return [];
  return promptEvidence(items, await deps.catalog.evidence(cat, items.map((m) => m.id)));
}
