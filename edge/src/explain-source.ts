// The explainer's data at the edge (evidence-grounded explanations): item facts and co-interaction lists from
// the published evidence dictionary in KV, joint latents decoded from the PQ codes (pure TypeScript, for the
// co-interaction baseline when the worker is unavailable), user histories from KV, and the worker's model-backed
// explainer (POST /v1/explain: attribution, evidence by effect, LLM or template rationale, faithfulness).
// Feeds shared/src/evidence (explainItems) for POST /v1/explain and recommend(explain: true).
import { coUsersFromLists, type ExplainSource, type ItemFacts } from '@llmrec/shared/evidence/index.ts';
import { decodeItem } from '@llmrec/shared/pq/index.ts';
import type { Catalog } from './catalog.ts';
import { ApiError } from './errors.ts';
import type { PqLatents } from './pq-latents.ts';
import type { WorkerClient } from './worker-client.ts';

export interface KvExplainSourceOptions {
  historyMaxLen: number;
  /** The worker (model-backed explanations); absent: the co-interaction baseline answers. */
  worker?: WorkerClient;
  /** Budget of one worker explain call (it may include LLM decoding); the worker stops writing at 60 % of it. */
  timeoutMs?: number;
}

export function kvExplainSource(catalog: Catalog, pq: PqLatents, o: KvExplainSourceOptions): ExplainSource {
  const published = async () => {
    const cat = await catalog.published();
    if (!cat) throw new ApiError(503, 'not_published', 'no catalog has been published to this store yet (run `llmrec publish`)');
    return cat;
  };
  const timeoutMs = o.timeoutMs ?? 5000;
  const worker = o.worker;
  return {
    async facts(ids) {
      const cat = await published();
      const [meta, ev] = await Promise.all([catalog.items(cat, ids), catalog.evidence(cat, ids)]);
      return meta.map((m, i): ItemFacts | null => (m ? { idx: m.idx, id: m.id, title: m.title, attributes: ev[i]?.facts ?? [] } : null));
    },
    async latents(idx) {
      const cat = await published();
      const index = await pq.get(cat);
      // Published without PQ latents: no similarity to order the baseline by (it falls back to co-user counts).
      if (!index) return idx.map(() => new Float32Array(1));
      return idx.map((i) => decodeItem(index, i));
    },
    coUsers: coUsersFromLists(async (itemIdx) => {
      const cat = await published();
      const id = cat.ids[itemIdx];
      if (id === undefined) return null;
      const [ev] = await catalog.evidence(cat, [id]);
      return ev ? { v: 1, itemIdx, co: ev.co } : null;
    }),
    async history(userId) {
      return (await catalog.history(userId, o.historyMaxLen)).map((e) => e.item).reverse();
    },
    ...(worker?.explain
      ? {
          explainWithModel: (req) => {
            if (worker.available && !worker.available()) return Promise.reject(new Error('worker marked down'));
            return worker.explain!({ ...req, deadlineMs: Math.max(1, Math.floor(timeoutMs * 0.6)) }, { timeoutMs });
          },
        }
      : {}),
  };
}
