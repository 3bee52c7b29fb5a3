// Client of the GPU worker (request path, step 4): posts the assembled prompt, authenticates with the
// edge<->worker shared secret, forwards the request id, enforces the call budget. Failures become
// WorkerUnavailableError: `reason` is the stable code the degraded answer reports, `message` the detail
// (socket errors, statuses) that only goes to the edge's logs.
import type { DegradedReason } from '@llmrec/shared/api/http.ts';
import { REQUEST_ID_HEADER, ScoreResponse, WORKER_SECRET_HEADER, WorkerReady, type ScoreRequest } from '@llmrec/shared/api/wire.ts';
import { WorkerExplainResponse, type WorkerExplainRequest } from '@llmrec/shared/evidence/wire.ts';
import { LlmRankResponse, type LlmRankRequest } from '@llmrec/shared/llm-prompt/wire.ts';
import type { EncodeRequest, EncodeResponse } from '@llmrec/shared/api/catalog-wire.ts';
import { catalogCalls, type CatalogWorkerCalls } from './catalog-client.ts';

export type WorkerFailure = DegradedReason;

export class WorkerUnavailableError extends Error {
  constructor(readonly reason: WorkerFailure, message: string) {
    super(message);
    this.name = 'WorkerUnavailableError';
  }
}

export interface WorkerClient {
  /** False while the worker is known to be down (circuit open): callers may skip work only the worker needs. */
  available?(): boolean;
  score(req: ScoreRequest, opts: { timeoutMs: number }): Promise<ScoreResponse>;
  ready(opts: { timeoutMs: number; requestId: string }): Promise<WorkerReady>;
  /** Frozen-LLM re-ranking of prompt candidates (worker POST /llm/rank), when the worker serves an LLM. */
  llmRank?(req: LlmRankRequest, opts: { timeoutMs: number }): Promise<LlmRankResponse>;
  /** Model-backed explanations (worker POST /v1/explain): attribution, evidence, rationale, faithfulness. */
  explain?(req: WorkerExplainRequest, opts: { timeoutMs: number }): Promise<WorkerExplainResponse>;
  /** z_u of a history (worker POST /v1/encode), for PQ retrieval over large catalogs (catalog-client.ts). */
  encode?(req: EncodeRequest, opts: { timeoutMs: number }): Promise<EncodeResponse>;
  /** Item writes through the worker (PUT /v1/items, hide), which embeds items and writes the live catalog. */
  catalog?: CatalogWorkerCalls;
}

export interface HttpWorkerClientOptions {
  url: string;
  secret: string;
  fetch?: typeof fetch;
}

export function httpWorkerClient(opts: HttpWorkerClientOptions): WorkerClient {
  const base = opts.url.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;

  async function call(path: string, init: RequestInit, timeoutMs: number, requestId: string): Promise<unknown> {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), timeoutMs);
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        ...init,
        headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: opts.secret, [REQUEST_ID_HEADER]: requestId },
        signal: ctrl.signal,
      });
    } catch (err) {
      if (ctrl.signal.aborted) throw new WorkerUnavailableError('timeout', `worker did not answer within ${timeoutMs} ms`);
      throw new WorkerUnavailableError('unreachable', `worker unreachable: ${(err as Error).message}`);
    }
    try {
      if (!res.ok) throw new WorkerUnavailableError('worker_error', `worker answered HTTP ${res.status}`);
      return await res.json();
    } catch (err) {
      if (err instanceof WorkerUnavailableError) throw err;
      if (ctrl.signal.aborted) throw new WorkerUnavailableError('timeout', `worker did not answer within ${timeoutMs} ms`);
      throw new WorkerUnavailableError('bad_response', `worker sent an unreadable body: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  const cat = catalogCalls(opts);
  return {
    encode: cat.encode,
    catalog: { upsertItems: cat.upsertItems, hideItems: cat.hideItems },
    async score(req, { timeoutMs }) {
      const json = await call('/v1/score', { method: 'POST', body: JSON.stringify(req) }, timeoutMs, req.requestId);
      const r = ScoreResponse.safeParse(json);
      if (!r.success) throw new WorkerUnavailableError('bad_response', `worker response failed validation: ${r.error.issues[0]?.message}`);
      return r.data;
    },
    async llmRank(req, { timeoutMs }) {
      const json = await call('/llm/rank', { method: 'POST', body: JSON.stringify(req) }, timeoutMs, req.requestId);
      const r = LlmRankResponse.safeParse(json);
      if (!r.success) throw new WorkerUnavailableError('bad_response', `LLM rank response failed validation: ${r.error.issues[0]?.message}`);
      return r.data;
    },
    async explain(req, { timeoutMs }) {
      const json = await call('/v1/explain', { method: 'POST', body: JSON.stringify(req) }, timeoutMs, req.requestId);
      const r = WorkerExplainResponse.safeParse(json);
      if (!r.success) throw new WorkerUnavailableError('bad_response', `explain response failed validation: ${r.error.issues[0]?.message}`);
      return r.data;
    },
    async ready({ timeoutMs, requestId }) {
      const json = await call('/readyz', { method: 'GET' }, timeoutMs, requestId);
      const r = WorkerReady.safeParse(json);
      if (!r.success) throw new WorkerUnavailableError('bad_response', 'worker /readyz failed validation');
      return r.data;
    },
  };
}
