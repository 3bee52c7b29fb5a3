// Test support: a real Node edge (HTTP, @hono/node-server) over a store holding the synthetic fixture
// catalog, ranking with the REAL worker app (called in-process): for clients that need a socket (browsers,
// gorsejs, the typed client over fetch) without the cost of the ONNX worker; `catalog: true` adds the item API
// (the worker's live catalog with the fixture content tower).
import { startEdge, type RunningEdge } from '@llmrec/edge/entry-node.ts';
import type { EdgeConfigInput } from '@llmrec/edge/config.ts';
import type { AppDeps } from '@llmrec/edge/app.ts';
import { httpWorkerClient } from '@llmrec/edge/worker-client.ts';
import { createWorkerApp } from '@llmrec/gpu-worker/app.ts';
import { createLatentModel } from '@llmrec/gpu-worker/model.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { makeFixture, publishFixture, publishFixtureLatents, type Fixture } from './catalog-fixture.ts';
import { testConfig, WORKER_SECRET } from './harness.ts';
import { liveCatalogStack } from './live-catalog.ts';

export interface FixtureEdge extends RunningEdge {
  store: KvStore;
  fixture: Fixture;
  /** Every request the edge answered, as its log line (method, path, status, ...). */
  requests: Record<string, unknown>[];
  /** 'down': the worker refuses connections (the edge answers degraded). */
  setWorker(state: 'up' | 'down'): void;
}

export async function startFixtureEdge(opts: { config?: Partial<EdgeConfigInput>; fixture?: Fixture; deps?: Partial<AppDeps>; host?: string; catalog?: boolean } = {}): Promise<FixtureEdge> {
  const fixture = opts.fixture ?? makeFixture();
  const store = createMemoryStore();
  let workerDeps: Parameters<typeof createWorkerApp>[0];
  if (opts.catalog) {
    // The item API: the worker's live catalog with the fixture content tower (tests/support/live-catalog.ts).
    const stack = await liveCatalogStack(store, fixture);
    workerDeps = { model: stack.model, secret: WORKER_SECRET, catalog: { live: stack.live, writer: stack.writer } };
  } else {
    await publishFixture(store, fixture);
    await publishFixtureLatents(store, fixture);
    workerDeps = { model: createLatentModel({ version: fixture.version, itemLatents: fixture.itemLatents, dim: fixture.dim }), secret: WORKER_SECRET };
  }
  const { app: workerApp } = createWorkerApp(workerDeps);
  const config = testConfig(opts.config);
  let state: 'up' | 'down' = 'up';
  const fetchWorker: typeof fetch = async (input, init) => {
    if (state === 'down') throw new TypeError('fetch failed: connect ECONNREFUSED');
    return workerApp.request(String(input), init as RequestInit);
  };
  const worker = httpWorkerClient({ url: config.workerUrl, secret: config.workerSecret, fetch: fetchWorker });
  const requests: Record<string, unknown>[] = [];
  const edge = await startEdge({ store, config, worker, log: (l) => requests.push(l), ...opts.deps }, { host: opts.host });
  return { ...edge, store, fixture, requests, setWorker: (s) => (state = s) };
}
