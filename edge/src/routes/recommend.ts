// POST /v1/recommend: HTTP binding of the recommend use case (recommend.ts).
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBody, RecommendRequest, RecommendResponse } from '@llmrec/shared/api/http.ts';
import { explainItems, type ExplainSource } from '@llmrec/shared/evidence/index.ts';
import { recommend, type RecommendDeps } from '../recommend.ts';
import { ApiError } from '../errors.ts';
import { waitUntil } from '../wait-until.ts';
import { recommendSession, requestUserId } from '../web/session-recommend.ts';
import { errorResponses, type EdgeEnv } from './common.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/recommend',
  summary: 'Ranked recommendations for a known user or an anonymous session',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: RecommendRequest } } } },
  responses: {
    200: { description: 'Ranked items; `degraded: true` with a reason when the worker was unavailable', content: { 'application/json': { schema: RecommendResponse } } },
    404: { description: 'Unknown user', content: { 'application/json': { schema: ErrorBody } } },
    ...errorResponses,
  },
});

export function registerRecommend(app: OpenAPIHono<EdgeEnv>, deps: (c: { background: (p: Promise<unknown>) => void }) => RecommendDeps, explainSource?: ExplainSource): void {
  app.openapi(route, async (c) => {
    const req = c.req.valid('json');
    const d = deps({ background: (p) => waitUntil(c, p) });
    const out: Awaited<ReturnType<typeof recommendSession>> = req.sessionId !== undefined ? await recommendSession(d, { ...req, sessionId: req.sessionId }, c.get('requestId')) : await recommend(d, req, c.get('requestId'));
    c.set('workerMs', out.workerMs);
    c.set('degraded', out.body.degraded);
    // A session without history (cold start) has nothing to explain from.
    if (req.explain && explainSource && out.body.items.length > 0 && !out.coldStart) {
      // Explanations are extra: a catalog published without latents (503 latents_unavailable) still gets its
      // ranking, without them (POST /v1/explain reports the reason).
      const explanations = await explainItems(explainSource, { userId: requestUserId(req), history: req.recentItems, itemIds: out.body.items.map((i) => i.id) }).catch((err: unknown) => {
        if (err instanceof ApiError && err.code === 'latents_unavailable') return null;
        throw err;
      });
      if (explanations) out.body.items.forEach((it, i) => (it.explanation = explanations[i]));
    }
    return c.json(out.body, 200);
  });
}
