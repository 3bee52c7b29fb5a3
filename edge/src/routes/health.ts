// GET /healthz (process up) and GET /readyz (store reachable, catalog published, worker status and its
// execution provider). Neither needs an API key. /readyz is unauthenticated and not rate limited, so it is
// cheap: the check (a KV ping, the catalog pointer, one worker call) runs at most once per READY_CACHE_MS and
// concurrent callers share it. Without a valid key the answer is only { ready }; with one it lists the
// components with stable error codes. The underlying error text goes to the request's log line only.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { HealthResponse, ReadyResponse } from '@llmrec/shared/api/http.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import type { Catalog } from '../catalog.ts';
import { apiKeyAuth } from '../middleware/auth.ts';
import { WorkerUnavailableError, type WorkerClient } from '../worker-client.ts';
import type { EdgeEnv } from './common.ts';

/** How long one readiness check is reused (ms). */
export const READY_CACHE_MS = 1000;

const health = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness',
  responses: { 200: { description: 'The edge process is up', content: { 'application/json': { schema: HealthResponse } } } },
});

const ready = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness (checked at most once a second): { ready } only; store, catalog and worker status with a valid API key',
  responses: {
    200: { description: 'Ready to answer (possibly degraded when the worker is down)', content: { 'application/json': { schema: ReadyResponse } } },
    503: { description: 'Store unreachable or nothing published', content: { 'application/json': { schema: ReadyResponse } } },
  },
});

export interface HealthDeps {
  store: KvStore;
  catalog: Catalog;
  worker: WorkerClient;
  /** Keys that may see the components (the API keys; checked by the auth middleware's rule). */
  apiKeys: readonly string[];
  clock: () => number;
}

interface Readiness {
  body: Required<ReadyResponse>;
  /** Underlying errors, for the log line. */
  detail: string | undefined;
}

async function check(deps: HealthDeps, requestId: string): Promise<Readiness> {
  const details: string[] = [];
  const store: Required<ReadyResponse>['store'] = { kind: deps.store.kind, ok: true };
  try {
    await deps.store.ping();
  } catch (err) {
    store.ok = false;
    store.error = 'kv_unavailable';
    details.push(`store: ${(err as Error).message}`);
  }
  let catalog: Required<ReadyResponse>['catalog'] = { version: null, items: 0 };
  if (store.ok) {
    const cat = await deps.catalog.published().catch((err: Error) => (details.push(`catalog: ${err.message}`), null));
    if (cat) catalog = { version: cat.version, items: cat.live.baseItems };
  }
  let worker: Required<ReadyResponse>['worker'];
  try {
    const w = await deps.worker.ready({ timeoutMs: 1000, requestId });
    worker = { ok: w.ready, executionProvider: w.executionProvider, model: w.model, adapterVersion: w.adapterVersion ?? null, ...(w.ready ? {} : { error: 'worker_not_ready' as const }) };
    if (catalog.version !== null && w.items !== catalog.items) {
      worker = { ...worker, ok: false, error: 'item_count_mismatch' };
      details.push(`worker: model has ${w.items} items, the published catalog ${catalog.items}: publish and serve the same artifacts`);
    }
  } catch (err) {
    worker = { ok: false, error: err instanceof WorkerUnavailableError ? err.reason : 'worker_error' };
    details.push(`worker: ${(err as Error).message}`);
  }
  return { body: { ready: store.ok && catalog.version !== null, store, worker, catalog }, detail: details.length ? details.join('; ') : undefined };
}

export function registerHealth(app: OpenAPIHono<EdgeEnv>, deps: HealthDeps): void {
  let cached: { at: number; result: Promise<Readiness> } | null = null;
  // Secret keys only: a browser's publishable key never sees the components.
  const auth = apiKeyAuth({ apiKeys: deps.apiKeys });
  app.openapi(health, (c) => c.json({ ok: true as const }, 200));
  app.openapi(ready, async (c) => {
    const now = deps.clock();
    if (!cached || now - cached.at >= READY_CACHE_MS) cached = { at: now, result: check(deps, c.get('requestId')) };
    const { body, detail } = await cached.result;
    c.set('detail', detail);
    // The auth middleware's own rule decides whether the caller holds a key; no key (or a wrong one) is not an error here.
    let operator = false;
    await auth(c, async () => void (operator = true)).catch(() => undefined);
    return c.json(operator ? body : { ready: body.ready }, body.ready ? 200 : 503);
  });
}
