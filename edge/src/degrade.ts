// Degraded answers (part 6): when the worker is unreachable or over its budget, the edge still answers
// 200 with `degraded: true` and the reason (a stable code; the underlying error is only logged): the user's last cached ranking when there is one (minus items
// seen since), else the published popular list (minus seen items, restricted to the candidate set).
import type { DegradedReason, RecommendResponse } from '@llmrec/shared/api/http.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { getTyped } from '@llmrec/shared/kv/typed.ts';
import { CachedRecs, type ItemMeta } from '@llmrec/shared/kv/values.ts';
import type { Catalog, PublishedCatalog } from './catalog.ts';

export interface DegradeInput {
  requestId: string;
  userId: string | null;
  k: number;
  /** Raw ids never to return. */
  exclude: ReadonlySet<string>;
  /** Restrict to these ids (null = any item). */
  candidates: readonly string[] | null;
  /** Absent: the same fallback used as a regular (not degraded) answer, e.g. a session's cold start. */
  reason?: DegradedReason;
}

export async function degradedAnswer(deps: { store: KvStore; catalog: Catalog }, cat: PublishedCatalog, inp: DegradeInput): Promise<RecommendResponse> {
  const base = { requestId: inp.requestId, userId: inp.userId, degraded: true, ...(inp.reason ? { reason: inp.reason } : {}), model: cat.version };
  if (inp.userId !== null && inp.candidates === null) {
    const cached = await getTyped(deps.store, CachedRecs, keys.cachedRecs(inp.userId)).catch(() => null);
    const kept = cached?.items.filter((it) => !inp.exclude.has(it.id)).slice(0, inp.k) ?? [];
    if (kept.length > 0) {
      const meta = await deps.catalog.items(cat, kept.map((it) => it.id));
      const items = kept
        .map((it, i) => ({ it, m: meta[i] }))
        .filter((x): x is { it: (typeof kept)[number]; m: ItemMeta } => x.m !== null && x.m !== undefined)
        .map((x, rank) => ({ id: x.m.id, title: x.m.title, score: x.it.score, rank: rank + 1 }));
      return { ...base, items, source: 'cache' };
    }
  }
  const popular = await deps.catalog.popular(cat);
  const score = new Map<string, number>();
  popular?.items.forEach((id, i) => score.set(id, popular.scores[i] ?? 0));
  let ids: string[];
  if (inp.candidates) {
    // Stable: popular candidates first by count, unknown-popularity candidates after, in the order given.
    ids = inp.candidates.filter((id) => !inp.exclude.has(id));
    const order = new Map(ids.map((id, i) => [id, i]));
    ids.sort((a, b) => (score.get(b) ?? -1) - (score.get(a) ?? -1) || order.get(a)! - order.get(b)!);
  } else {
    ids = (popular?.items ?? []).filter((id) => !inp.exclude.has(id));
  }
  ids = ids.slice(0, inp.k);
  const meta = await deps.catalog.items(cat, ids);
  const items = meta
    .filter((m): m is ItemMeta => m !== null)
    .map((m, rank) => ({ id: m.id, title: m.title, score: score.get(m.id) ?? 0, rank: rank + 1 }));
  return { ...base, items, source: 'popular' };
}
