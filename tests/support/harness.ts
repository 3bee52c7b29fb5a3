// Test support: an edge app wired to a store and the REAL worker app (its Hono app called in-process, or an
// HTTP worker), with a switch to take the worker down — for route, e2e, fuzz and fault tests.
import { createApp, type AppDeps } from '@llmrec/edge/app.ts';
import { EdgeConfig, type EdgeConfigInput } from '@llmrec/edge/config.ts';
import { httpWorkerClient } from '@llmrec/edge/worker-client.ts';
import { createWorkerApp } from '@llmrec/gpu-worker/app.ts';
import type { ColdScoring } from '@llmrec/gpu-worker/catalog/cold-scoring.ts';
import type { ItemWriter } from '@llmrec/gpu-worker/catalog/item-writer.ts';
import type { WorkerCatalog } from '@llmrec/gpu-worker/catalog/live-state.ts';
import type { LlmService } from '@llmrec/gpu-worker/llm/serve/llm-service.ts';
import { createLatentModel, type LatentModel } from '@llmrec/gpu-worker/model.ts';
import type { ScoreRequest } from '@llmrec/shared/api/wire.ts';
import type { ContentAttribution } from '@llmrec/shared/evidence/explain-with-model.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import type { Fixture } from './catalog-fixture.ts';

export const API_KEY = 'test-key-0123456789';
export const WORKER_SECRET = 'worker-secret-0123456789';

export function testConfig(over: Partial<EdgeConfigInput> = {}): EdgeConfig {
  return EdgeConfig.parse({ apiKeys: [API_KEY], workerUrl: 'http://worker.test', workerSecret: WORKER_SECRET, log: 'off', catalogTtlMs: 0, ...over });
}

export interface Harness {
  app: ReturnType<typeof createApp>;
  model: LatentModel;
  /** 'up' | 'down' (connection refused) | 'slow' (never answers within the timeout). */
  setWorker(state: 'up' | 'down' | 'slow'): void;
  workerCalls: () => number;
  /** The last wire request the worker received (parsed). */
  lastScoreRequest: () => ScoreRequest | null;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; headers: Headers }>;
}

export function makeHarness(store: KvStore, f: Fixture, opts: { model?: LatentModel; config?: Partial<EdgeConfigInput>; deps?: Partial<AppDeps>; llm?: LlmService; catalog?: { live: WorkerCatalog; writer: ItemWriter }; content?: ContentAttribution; cold?: ColdScoring } = {}): Harness {
  const model = opts.model ?? createLatentModel({ version: f.version, itemLatents: f.itemLatents, dim: f.dim });
  const { app: workerApp } = createWorkerApp({ model, secret: WORKER_SECRET, llm: opts.llm, catalog: opts.catalog, content: opts.content, cold: opts.cold });
  let state: 'up' | 'down' | 'slow' = 'up';
  let calls = 0;
  let last: ScoreRequest | null = null;
  const fetchWorker: typeof fetch = async (input, init) => {
    calls++;
    if (typeof init?.body === 'string' && String(input).endsWith('/v1/score')) last = JSON.parse(init.body) as ScoreRequest;
    if (state === 'down') throw new TypeError('fetch failed: connect ECONNREFUSED');
    if (state === 'slow') {
      await new Promise((resolve, reject) => {
        const t = setTimeout(resolve, 60_000);
        init?.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    }
    return workerApp.request(String(input), init as RequestInit);
  };
  const config = testConfig({ workerTimeoutMs: 200, ...opts.config });
  const app = createApp({ store, worker: httpWorkerClient({ url: config.workerUrl, secret: config.workerSecret, fetch: fetchWorker }), config, ...opts.deps });
  return {
    app,
    model,
    setWorker: (s) => (state = s),
    workerCalls: () => calls,
    lastScoreRequest: () => last,
    async call(method, path, body, headers = {}) {
      const res = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${API_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON (e.g. the docs page) */
      }
      return { status: res.status, json, headers: res.headers };
    },
  };
}
