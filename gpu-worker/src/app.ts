// The GPU worker's HTTP app (request path, step 4): authenticates the edge by shared secret, validates the
// wire request, queues it on the micro-batcher (one batched user-encoder run per batch), ranks by latents.
// Built from its dependencies like the edge app so tests call `app.request()`.
import { Hono } from 'hono';
import { REQUEST_ID_HEADER, ScoreRequest, WIRE_VERSION, type ScoreResponse, type WorkerReady } from '@llmrec/shared/api/wire.ts';
import { MicroBatcher } from './batcher.ts';
import type { LatentModel } from './model.ts';
import type { DynamicScoring } from './dynamic-scoring.ts';
import { registerLlmRoutes } from './llm/serve/llm-routes.ts';
import type { LlmService } from './llm/serve/llm-service.ts';
import { rankByLatents, rankFromScores } from './rank.ts';
import { requireWorkerSecret } from './worker-secret.ts';

export interface WorkerAppDeps {
  model: LatentModel;
  /** Edge<->worker shared secret (constant-time check); absent only on a loopback-bound worker (server.ts). */
  secret?: string;
  maxBatch?: number;
  log?: (line: Record<string, unknown>) => void;
  /** Frozen LLM with soft prompts: mounts POST /llm/rank and /llm/explain (gpu-worker/src/llm/serve). */
  llm?: LlmService;
  /** Online adapters (Eq. 1); absent = static z_u . z_i. */
  dynamic?: DynamicScoring;
  /** Set by the server during shutdown: /readyz reports not ready, new work gets 503. */
  draining?: () => boolean;
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
  const batcher = new MicroBatcher<Job, JobResult>(async (jobs) => {
    const start = performance.now();
    const histories = jobs.map((j) => j.req.prompt.history.map((h) => h.idx));
    const zu = await model.encodeUsers(histories);
    const dyn = deps.dynamic && deps.dynamic.version() !== null ? deps.dynamic : null;
    const all = dyn ? new Float32Array(model.items) : null;
    return jobs.map((j, r) => {
      const exclude = new Set(j.req.exclude);
      const cands = j.req.prompt.candidates?.map((c) => c.idx) ?? null;
      let items;
      let version = model.version;
      if (dyn && all) {
        const v = dyn.score(j.req.prompt.user.id ?? '', histories[r]!, zu.subarray(r * model.dim, (r + 1) * model.dim), all);
        items = rankFromScores(all, cands, exclude, j.req.k);
        if (v !== null) version = `${model.version}+adapter-v${v}`;
      } else {
        items = rankByLatents(zu, r * model.dim, model.itemLatents, model.dim, cands, exclude, j.req.k);
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
    const bad = [...req.prompt.history, ...(req.prompt.candidates ?? [])].find((it) => it.idx >= model.items);
    if (bad) return c.json({ error: 'bad_request', message: `item index ${bad.idx} outside the model's ${model.items} items (edge and worker artifacts differ?)` }, 400);
    const t0 = performance.now();
    const { res } = await batcher.submit({ req, queuedAt: t0 });
    log({ t: new Date().toISOString(), requestId: c.req.header(REQUEST_ID_HEADER) ?? req.requestId, path: '/v1/score', ms: round(performance.now() - t0), batch: res.timings.batchSize, k: req.k, candidates: req.prompt.candidates?.length ?? model.items });
    return c.json(res);
  });
  if (deps.llm) registerLlmRoutes(app, deps.llm, deps.secret);
  app.notFound((c) => c.json({ error: 'not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    log({ level: 'error', path: c.req.path, message: err.message });
    return c.json({ error: 'internal', message: 'worker error' }, 500);
  });
  return { app, batcher };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
