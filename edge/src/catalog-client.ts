// The edge's calls to the worker's catalog routes (issue 11): item writes (PUT /v1/items, hide) and z_u for
// PQ retrieval (POST /v1/encode). Unlike scoring, a write never degrades: the worker's 4xx answers (bad items,
// with their problems) and its refusals (no content tower, model mismatch) reach the client as they are;
// an unreachable or slow worker is a 503 and nothing was written.
import { EncodeResponse, WorkerCatalogError, WorkerItemsResponse, type EncodeRequest, type WorkerHideRequest, type WorkerItemsRequest } from '@llmrec/shared/api/catalog-wire.ts';
import { REQUEST_ID_HEADER, WORKER_SECRET_HEADER } from '@llmrec/shared/api/wire.ts';
import { WorkerUnavailableError } from './worker-client.ts';

/** The worker refused a catalog write (status 400 / 409 / 503 with its code and problems). */
export class CatalogWriteError extends Error {
  constructor(readonly status: 400 | 404 | 409 | 503, readonly code: string, message: string, readonly problems?: { path: string; message: string }[]) {
    super(message);
    this.name = 'CatalogWriteError';
  }
}

export interface CatalogWorkerCalls {
  upsertItems(req: WorkerItemsRequest, opts: { timeoutMs: number }): Promise<WorkerItemsResponse>;
  hideItems(req: WorkerHideRequest, opts: { timeoutMs: number }): Promise<WorkerItemsResponse>;
}

export function catalogCalls(opts: { url: string; secret: string; fetch?: typeof fetch }): CatalogWorkerCalls & { encode(req: EncodeRequest, o: { timeoutMs: number }): Promise<EncodeResponse> } {
  const base = opts.url.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;

  async function call(method: string, path: string, body: { requestId: string }, timeoutMs: number): Promise<{ status: number; json: unknown }> {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), timeoutMs);
    try {
      const res = await doFetch(`${base}${path}`, {
        method,
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: opts.secret, [REQUEST_ID_HEADER]: body.requestId },
        signal: ctrl.signal,
      });
      let json: unknown = null;
      try {
        json = await res.json();
      } catch {
        /* checked below */
      }
      return { status: res.status, json };
    } catch (err) {
      if (ctrl.signal.aborted) throw new WorkerUnavailableError('timeout', `worker did not answer within ${timeoutMs} ms`);
      throw new WorkerUnavailableError('unreachable', `worker unreachable: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async function writeCall(method: string, path: string, req: WorkerItemsRequest | WorkerHideRequest, timeoutMs: number): Promise<WorkerItemsResponse> {
    const { status, json } = await call(method, path, req, timeoutMs);
    if (status === 200) {
      const r = WorkerItemsResponse.safeParse(json);
      if (!r.success) throw new WorkerUnavailableError('bad_response', `worker item response failed validation: ${r.error.issues[0]?.message}`);
      return r.data;
    }
    const e = WorkerCatalogError.safeParse(json);
    if ((status === 400 || status === 409 || status === 503) && e.success) throw new CatalogWriteError(status, e.data.error, e.data.message, e.data.problems);
    if (status === 404) throw new WorkerUnavailableError('worker_error', 'the worker has no catalog routes (start it with a store: llmrec serve, or LLMREC_STORE)');
    throw new WorkerUnavailableError('worker_error', `worker answered HTTP ${status}`);
  }

  return {
    upsertItems: (req, o) => writeCall('PUT', '/v1/items', req, o.timeoutMs),
    hideItems: (req, o) => writeCall('POST', '/v1/items/hide', req, o.timeoutMs),
    async encode(req, o) {
      const { status, json } = await call('POST', '/v1/encode', req, o.timeoutMs);
      if (status !== 200) throw new WorkerUnavailableError('worker_error', `worker answered HTTP ${status}`);
      const r = EncodeResponse.safeParse(json);
      if (!r.success) throw new WorkerUnavailableError('bad_response', 'worker encode response failed validation');
      return r.data;
    },
  };
}
