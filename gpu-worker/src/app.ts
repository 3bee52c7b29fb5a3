// The GPU worker's HTTP app (request path, step 4): authenticates the edge by shared secret, validates the
// wire request, queues it on the micro-batcher (one batched user-encoder run per batch), ranks by latents.
// Built from its dependencies like the edge app so tests call `app.request()`.
import { Hono } from 'hono';
import { REQUEST_ID_HEADER, ScoreRequest, WIRE_VERSION, type ScoreResponse, type WorkerReady } from '@llmrec/shared/api/wire.ts';
import { MicroBatcher } from './batcher.ts';
import type { LatentModel } from './model.ts';
import type { DynamicScoring } from './dynamic-scoring.ts';
import { registerExplainRoute } from './attribution/explain-route.ts';
import type { ContentAttribution } from '@llmrec/shared/evidence/explain-with-model.ts';
import { registerLlmRoutes } from './llm/serve/llm-routes.ts';
import type { LlmService } from './llm/serve/llm-service.ts';
import { rankByLatents, rankFromScores } from './rank.ts';
import { requireWorkerSecret } from './worker-secret.ts';
import { encodeUsersLive } from './catalog/encode-users.ts';
import { registerCatalogRoutes } from './catalog/routes.ts';
import type { ItemWriter } from './catalog/item-writer.ts';
import type { WorkerCatalog } from './catalog/live-state.ts';
import { coldSet, rankWithCold, type ColdScoring } from './catalog/cold-scoring.ts';
import { scoreAllItems } from './score-all.ts';

export interface WorkerAppDeps {
  model: LatentModel;
  /** Edge<->worker shared secret (constant-time check); absent only on a loopback-bound worker (server.ts). */
  secret?: string;
  maxBatch?: number;
  log?: (line: Record<string, unknown>) => void;
  /** Frozen LLM with soft prompts: mounts POST /llm/rank (gpu-worker/src/llm/serve) and writes /v1/explain rationales. */
  llm?: LlmService;
  /** Online adapters (Eq. 1); absent = static z_u . z_i. */
  dynamic?: DynamicScoring;
  /** Set by the server during shutdown: /readyz reports not ready, new work gets 503. */
  draining?: () => boolean;
  /** Content-tower attribution for POST /v1/explain when the bundle has a content tower (gpu-worker/src/attribution). */
  content?: ContentAttribution;
  /**
   * The live catalog (issue 11): items created, changed or hidden through the item API are scored from their
   * content-tower latents and hidden ones never returned; mounts PUT /v1/items, POST /v1/items/hide, POST /v1/encode.
   */
  catalog?: { live: WorkerCatalog; writer: ItemWriter };
  /** Items without CF signal (published without training interactions, or written through the item API) add the content-profile term (catalog/cold-scoring.ts). */
  cold?: ColdScoring;
}

interface Job {
  req: ScoreRequest;
  queuedAt: number;
}

interface JobResult {
  res: ScoreResponse;
}

export function createWorkerApp(deps: WorkerAppDeps) {
  const { model } = deps;
  const log = deps.log ?? (() => {});
  // the live catalog replaces its contentOnly set on every change (copy on write), so the union with the published
  // cold items is rebuilt only when that set changes, not per batch
  let coldMemo: { src: ReadonlySet<number> | undefined; set: Set<number> | null } | null = null;
  const coldOf = (contentOnly: ReadonlySet<number> | undefined) => {
    if (!coldMemo || coldMemo.src !== contentOnly) coldMemo = { src: contentOnly, set: coldSet(deps.cold, contentOnly) };
    return coldMemo.set;
  };
  const batcher = new MicroBatcher<Job, JobResult>(async (jobs) => {
    const start = performance.now();
    const histories = jobs.map((j) => j.req.prompt.history.map((h) => h.idx));
    const live = deps.catalog?.live.scoring();
    const zu = live ? await encodeUsersLive(model, live, histories) : await model.encodeUsers(histories);
    const dyn = deps.dynamic && deps.dynamic.version() !== null ? deps.dynamic : null;
    const all = dyn ? new Float32Array(live?.items ?? model.items) : null;
    const latents = live ? live.latents.subarray(0, live.items * model.dim) : model.itemLatents;
    const cold = coldOf(live?.contentOnly);
    return jobs.map((j, r) => {
      const zr = zu.subarray(r * model.dim, (r + 1) * model.dim);
      const exclude = new Set(j.req.exclude);
      if (live) for (const x of live.excluded) exclude.add(x);
      let cands = j.req.prompt.candidates?.map((c) => c.idx) ?? null;
      // a retrieval shortlist ranks the cold items too: retrieval by z_u . z_i cannot see the content-profile term
      if (cands && cold && j.req.shortlist) {
        const inList = new Set(cands);
        cands = [...cands, ...[...cold].filter((i) => !inList.has(i))];
      }
      let items;
      let version = model.version;
      if (dyn && all) {
        // items added through the item API have no adapter statistics yet: scored statically (z_u . z_item)
        const v = scoreAllItems(model, { dyn, userId: j.req.prompt.user.id ?? '', history: histories[r]!, zu: zr, latents, cold: cold ? { scoring: deps.cold!, items: cold } : null }, all);
        items = rankFromScores(all, cands, exclude, j.req.k);
        if (v !== null) version = `${model.version}+adapter-v${v}`;
      } else {
        const warm = (ex: ReadonlySet<number>) => rankByLatents(zu, r * model.dim, latents, model.dim, cands, ex, j.req.k);
        items = cold ? rankWithCold(deps.cold!, cold, histories[r]!, zr, latents, cands, exclude, j.req.k, warm) : warm(exclude);
      }
      const now = performance.now();
      return {
        res: {
          version: WIRE_VERSION,
          requestId: j.req.requestId,
          items,
          model: version,
          executionProvider: model.executionProvider,
          timings: { queueMs: round(start - j.queuedAt), computeMs: round(now - start), batchSize: jobs.length },
        },
      };
    });
  }, deps.maxBatch ?? 64);

  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', (c) => {
    const body: WorkerReady = { ready: !deps.draining?.(), executionProvider: model.executionProvider, model: model.version, items: model.items, dim: model.dim, scorer: model.scorer, adapterVersion: deps.dynamic?.version() ?? null };
    return c.json(body, body.ready ? 200 : 503);
  });
  app.use('/v1/*', requireWorkerSecret(deps.secret));
  app.post('/v1/score', async (c) => {
    if (deps.draining?.()) return c.json({ error: 'draining', message: 'worker is shutting down' }, 503);
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return c.json({ error: 'bad_request', message: 'malformed JSON' }, 400);
    }
    const parsed = ScoreRequest.safeParse(json);
    if (!parsed.success) return c.json({ error: 'bad_request', message: 'wire request failed validation', problems: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) }, 400);
    const req = parsed.data;
    const named = [...req.prompt.history, ...(req.prompt.candidates ?? [])];
    if (deps.catalog) await deps.catalog.live.ensure(named.reduce((m, it) => Math.max(m, it.idx), -1));
    const known = deps.catalog?.live.items ?? model.items;
    const bad = named.find((it) => it.idx >= known);
    if (bad) return c.json({ error: 'bad_request', message: `item index ${bad.idx} outside the model's ${known} items (edge and worker artifacts differ?)` }, 400);
    const t0 = performance.now();
    const { res } = await batcher.submit({ req, queuedAt: t0 });
    log({ t: new Date().toISOString(), requestId: c.req.header(REQUEST_ID_HEADER) ?? req.requestId, path: '/v1/score', ms: round(performance.now() - t0), batch: res.timings.batchSize, k: req.k, candidates: req.prompt.candidates?.length ?? model.items });
    return c.json(res);
  });
  if (deps.llm) registerLlmRoutes(app, deps.llm, deps.secret);
  registerExplainRoute(app, { model, secret: deps.secret, dynamic: deps.dynamic, llm: deps.llm, content: deps.content, draining: deps.draining, ...(deps.catalog ? { live: deps.catalog.live } : {}), ...(deps.cold ? { cold: deps.cold } : {}) });
  if (deps.catalog) registerCatalogRoutes(app, { ...deps.catalog, model, secret: deps.secret, log });
  app.notFound((c) => c.json({ error: 'not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    log({ level: 'error', path: c.req.path, message: err.message });
    return c.json({ error: 'internal', message: 'worker error' }, 500);
  });
  return { app, batcher };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
