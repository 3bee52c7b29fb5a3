// Worker POST /v1/explain (evidence-grounded explanations, worker side): authenticates the edge, validates the
// wire request (shared/src/evidence/wire.ts), then runs explainWithModel on the serving model: attribution of
// each item's score to the history (one batched encoder run), evidence by effect, the LLM's constrained
// rationale when an LLM is configured (template otherwise or past the deadline), and faithfulness measured by
// re-scoring (a second batched run). Mount: registerExplainRoute(app, deps) in createWorkerApp.
import type { Hono } from 'hono';
import { explainWithModel, type ContentAttribution } from '@llmrec/shared/evidence/explain-with-model.ts';
import { EXPLAIN_WIRE_VERSION, WorkerExplainRequest, type WorkerExplainResponse } from '@llmrec/shared/evidence/wire.ts';
import type { DynamicScoring } from '../dynamic-scoring.ts';
import type { LlmService } from '../llm/serve/llm-service.ts';
import type { LatentModel } from '../model.ts';
import { requireWorkerSecret } from '../worker-secret.ts';
import type { WorkerCatalog } from '../catalog/live-state.ts';
import type { ColdScoring } from '../catalog/cold-scoring.ts';
import { modelScorer } from './model-scorer.ts';

export interface ExplainRouteDeps {
  model: LatentModel;
  /** Checked by the app's /v1/* middleware (requireWorkerSecret); kept for mounting on another app. */
  secret?: string;
  dynamic?: DynamicScoring;
  llm?: LlmService;
  /** Content-tower attribution when the bundle has a content tower (content-tower.ts). */
  content?: ContentAttribution;
  /** Random subsets per faithfulness baseline (default 10). */
  samples?: number;
  draining?: () => boolean;
  /** The live catalog (item API): items added after training are explained like published ones. */
  live?: WorkerCatalog;
  /** Cold-item scoring, as /v1/score applies it: explanations attribute the score the item was ranked by. */
  cold?: ColdScoring;
}

export function registerExplainRoute(app: Hono, deps: ExplainRouteDeps): void {
  const { model } = deps;
  app.post('/v1/explain', requireWorkerSecret(deps.secret), async (c) => {
    if (deps.draining?.()) return c.json({ error: 'draining', message: 'worker is shutting down' }, 503);
    const parsed = WorkerExplainRequest.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: 'bad_request', message: 'the request does not match the explain wire schema', problems: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })) }, 400);
    const req = parsed.data;
    const named = [...req.history, ...req.items];
    if (deps.live) await deps.live.ensure(named.reduce((m, f) => Math.max(m, f.idx), -1));
    const view = deps.live?.scoring();
    const known = view?.items ?? model.items;
    const bad = named.find((f) => f.idx >= known);
    if (bad) return c.json({ error: 'bad_request', message: `item index ${bad.idx} outside the model's ${known} items (edge and worker artifacts differ?)` }, 400);
    const latents = view?.latents ?? model.itemLatents;
    const t0 = performance.now();
    const hist = req.history.map((h) => h.idx);
    const writer = deps.llm && req.llm !== false ? deps.llm.writer(hist, { deadline: req.deadlineMs ? Date.now() + req.deadlineMs : undefined }) : undefined;
    const explanations = await explainWithModel(
      modelScorer(model, { dynamic: deps.dynamic, userId: req.userId ?? '', ...(view ? { live: view } : {}), ...(deps.cold ? { cold: deps.cold } : {}) }),
      { history: req.history, items: req.items, coUsers: req.coUsers, minCoUsers: req.minCoUsers, latent: (i) => latents.subarray(i * model.dim, (i + 1) * model.dim) },
      { writer, content: deps.content, samples: req.samples ?? deps.samples, seed: 1 },
    );
    const wrote = explanations.some((e) => e.rationale.source === 'llm');
    const body: WorkerExplainResponse = { v: EXPLAIN_WIRE_VERSION, requestId: req.requestId, explanations, model: wrote ? `${model.version}+llm(${deps.llm!.name})` : model.version, ms: performance.now() - t0 };
    return c.json(body, 200);
  });
}
