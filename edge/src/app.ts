// The edge app (request path, step 1): one Hono app built from its dependencies, so Workers, Node and tests
// all run the same code (`app.request()` in tests, no server). Routes are zod-validated; the OpenAPI document
// is generated from the same schemas (/openapi.json) and browsable at /docs.
import { OpenAPIHono } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import type { EventLog, KvStore } from '@llmrec/shared/kv/store.ts';
import { Catalog } from './catalog.ts';
import { PqLatents } from './pq-latents.ts';
import { withCircuitBreaker } from './circuit-breaker.ts';
import type { EdgeConfig } from './config.ts';
import { ApiError, badRequest, toResponse, zodProblems } from './errors.ts';
import { guardEventLog, guardStore } from './guarded-store.ts';
import { apiKeyAuth } from './middleware/auth.ts';
import { browserCors } from './middleware/cors.ts';
import { jsonOnly, limitBody } from './middleware/json-body.ts';
import { createRateLimiter, type RateLimiter } from './kv/ratelimit.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { requestId } from './middleware/request-id.ts';
import type { EdgeEnv } from './routes/common.ts';
import { registerEvents } from './routes/events.ts';
import { registerExplain } from './routes/explain.ts';
import { kvExplainSource } from './explain-source.ts';
import { registerHealth } from './routes/health.ts';
import { registerItems } from './routes/items.ts';
import { registerUsers } from './routes/users.ts';
import { registerRecommend } from './routes/recommend.ts';
import type { WorkerClient } from './worker-client.ts';
import { registerDemo } from './routes/demo.ts';
import { gorseErrorsAsText, registerGorse } from './routes/gorse.ts';
import { registerItemImages, type ItemImageSource } from './web/item-images.ts';

/** Swagger UI version the Workers docs page loads from the CDN; equal to the swagger-ui-dist the Node edge serves (tested). */
export const SWAGGER_UI_VERSION = '5.35.0';

export interface AppDeps {
  store: KvStore;
  /** Defaults to store.events; events are refused (503) when neither exists. */
  events?: EventLog;
  worker: WorkerClient;
  config: EdgeConfig;
  clock?: () => number;
  /** Defaults to the KV layer's limiter for this store (Redis-shared or in-process) from config.rateLimit. */
  rateLimiter?: RateLimiter;
  /** Limiter per publishable key and client address; defaults like rateLimiter, from config.publishableRateLimit. */
  addressRateLimiter?: RateLimiter;
  /** Item images (posters) for GET /media/items/{id}; absent: 404 (e.g. Workers without an image store). */
  itemImages?: ItemImageSource;
  /** One structured line per request; default: JSON on stdout unless config.log is 'off'. */
  log?: (line: Record<string, unknown>) => void;
  /**
   * Base URL under which `swagger-ui-dist/` (swagger-ui.css, swagger-ui-bundle.js) is served for GET /docs.
   * Default: the jsDelivr CDN (Workers, small bundle); the Node entry serves them itself (docs-assets-node.ts).
   */
  docsAssetsUrl?: string;
}

export type EdgeApp = OpenAPIHono<EdgeEnv>;

export function createApp(deps: AppDeps): EdgeApp {
  const clock = deps.clock ?? Date.now;
  const store = guardStore(deps.store);
  const rawEvents = deps.events ?? deps.store.events;
  const events: EventLog = rawEvents ? guardEventLog(rawEvents) : missingEventLog();
  const catalog = new Catalog(store, deps.config.catalogTtlMs, clock, Math.min(deps.config.catalogTtlMs, deps.config.catalog.liveTtlMs));
  const pq = new PqLatents(store);
  const log = deps.log ?? (deps.config.log === 'off' ? () => {} : (l: Record<string, unknown>) => console.log(JSON.stringify(l)));
  // Fail fast while the worker is known to be down (degraded answers without waiting on connects/timeouts).
  const worker = deps.config.breaker.failures > 0 ? withCircuitBreaker(deps.worker, { ...deps.config.breaker, clock }) : deps.worker;
  const limiter = deps.rateLimiter ?? createRateLimiter(deps.store, { requests: deps.config.rateLimit.requests, windowSeconds: deps.config.rateLimit.windowSec, now: clock });

  const app = new OpenAPIHono<EdgeEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const where = result.target === 'json' ? '' : `(${result.target})`;
        throw badRequest('the request does not match the API schema', zodProblems(result.error as never, where));
      }
    },
  });

  app.use('*', requestId());
  app.use('*', async (c, next) => {
    const t0 = performance.now();
    c.set('workerMs', 0);
    c.set('degraded', false);
    c.set('reason', undefined);
    c.set('detail', undefined);
    await next();
    const ms = performance.now() - t0;
    const workerMs = c.get('workerMs');
    c.res.headers.set('server-timing', `total;dur=${ms.toFixed(2)}, worker;dur=${workerMs.toFixed(2)}, edge;dur=${(ms - workerMs).toFixed(2)}`);
    log({ t: new Date(clock()).toISOString(), requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(ms * 100) / 100, workerMs: Math.round(workerMs * 100) / 100, key: c.get('keyId'), degraded: c.get('degraded') || undefined, reason: c.get('reason'), detail: c.get('detail') });
  });
  // Publishable keys (browsers): CORS first (preflights carry no key), then the same chain as secret keys.
  const perAddress = { limiter: deps.addressRateLimiter ?? createRateLimiter(deps.store, { requests: deps.config.publishableRateLimit.requests, windowSeconds: deps.config.publishableRateLimit.windowSec, now: clock }), header: deps.config.clientAddressHeader };
  // PUT /v1/items carries images: its own body limit (catalog.putMaxBodyBytes).
  const guard = [browserCors(deps.config.publishableKeys), limitBody(deps.config.maxBodyBytes, [{ method: 'PUT', path: '/v1/items', maxBytes: deps.config.catalog.putMaxBodyBytes }]), jsonOnly(), apiKeyAuth(deps.config), rateLimit(limiter, clock, perAddress)] as const;
  app.use('/v1/*', ...guard);
  app.use('/api/*', gorseErrorsAsText(), ...guard);

  registerHealth(app, { store, catalog, worker: deps.worker, apiKeys: deps.config.apiKeys, clock });
  const explainSource = kvExplainSource(catalog, pq, { historyMaxLen: deps.config.historyMaxLen, worker, timeoutMs: deps.config.explainTimeoutMs });
  const explainOptions = { minCoUsers: deps.config.explainMinCoUsers, log };
  registerRecommend(app, ({ background }) => ({ store, catalog, pq, worker, config: deps.config, background }), explainSource, explainOptions);
  registerEvents(app, { events, catalog, historyMaxLen: deps.config.historyMaxLen, clock, eventTime: deps.config.eventTime });
  registerItems(app, { catalog, worker, config: deps.config });
  registerUsers(app, { store, catalog });
  registerExplain(app, { source: explainSource, options: explainOptions });
  registerGorse(app, ({ background }) => ({ store, catalog, pq, worker, config: deps.config, background }), { events, catalog, historyMaxLen: deps.config.historyMaxLen, clock, eventTime: deps.config.eventTime }, { catalog, worker, config: deps.config });
  registerDemo(app, deps.config);
  registerItemImages(app, deps.itemImages);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'llmrec-edge API', version: '1', description: 'DynMM-Explain-LLMRec recommendations at the edge. See docs/api.md.' },
  });
  // Node serves Swagger UI's files itself (docsAssetsUrl); Workers load the same pinned version from the CDN.
  app.get('/docs', swaggerUI({ url: '/openapi.json', title: 'llmrec-edge API', ...(deps.docsAssetsUrl ? { baseUrl: deps.docsAssetsUrl } : { version: SWAGGER_UI_VERSION }) }));

  app.notFound((c) => toResponse(new ApiError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`), c));
  app.onError((err, c) => toResponse(err, c));
  return app;
}

function missingEventLog(): EventLog {
  const no = () => Promise.reject(new ApiError(503, 'events_unavailable', 'this store has no event log configured'));
  return { append: no, read: no, ack: no, trim: no, length: no };
}
