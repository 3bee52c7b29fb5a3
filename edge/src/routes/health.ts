// GET /healthz (process up) and GET /readyz (store reachable, catalog published, worker status and its
// execution provider). Neither needs an API key; neither reveals secrets.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { HealthResponse, ReadyResponse } from '@llmrec/shared/api/http.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import type { Catalog } from '../catalog.ts';
import type { WorkerClient } from '../worker-client.ts';
import type { EdgeEnv } from './common.ts';

const health = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness',
  responses: { 200: { description: 'The edge process is up', content: { 'application/json': { schema: HealthResponse } } } },
});

const ready = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: store, catalog and worker status',
  responses: {
    200: { description: 'Ready to answer (possibly degraded when the worker is down)', content: { 'application/json': { schema: ReadyResponse } } },
    503: { description: 'Store unreachable or nothing published', content: { 'application/json': { schema: ReadyResponse } } },
  },
});

export function registerHealth(app: OpenAPIHono<EdgeEnv>, deps: { store: KvStore; catalog: Catalog; worker: WorkerClient }): void {
  app.openapi(health, (c) => c.json({ ok: true as const }, 200));
  app.openapi(ready, async (c) => {
    const store: ReadyResponse['store'] = { kind: deps.store.kind, ok: true };
    try {
      await deps.store.ping();
    } catch (err) {
      store.ok = false;
      store.error = (err as Error).message;
    }
    let catalog: ReadyResponse['catalog'] = { version: null, items: 0 };
    if (store.ok) {
      const cat = await deps.catalog.published().catch(() => null);
      if (cat) catalog = { version: cat.version, items: cat.live.baseItems };
    }
    let worker: ReadyResponse['worker'];
    try {
      const w = await deps.worker.ready({ timeoutMs: 1000, requestId: c.get('requestId') });
      worker = { ok: w.ready, executionProvider: w.executionProvider, model: w.model, adapterVersion: w.adapterVersion ?? null };
      if (catalog.version !== null && w.items !== catalog.items) {
        worker = { ...worker, ok: false, error: `worker model has ${w.items} items, the published catalog ${catalog.items}: publish and serve the same artifacts` };
      }
    } catch (err) {
      worker = { ok: false, error: (err as Error).message };
    }
    const isReady = store.ok && catalog.version !== null;
    return c.json({ ready: isReady, store, worker, catalog }, isReady ? 200 : 503);
  });
}
