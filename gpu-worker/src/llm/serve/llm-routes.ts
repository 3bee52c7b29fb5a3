// Worker HTTP route of the LLM re-ranking: POST /llm/rank (wire: shared/src/llm-prompt/wire.ts), authenticated by
// the edge's shared secret. Rationales are written through the worker's POST /v1/explain (gpu-worker/src/attribution).
// Mount on the worker app: registerLlmRoutes(app, service, secret).
import type { Hono } from 'hono';
import { LlmRankRequest } from '@llmrec/shared/llm-prompt/wire.ts';
import { requireWorkerSecret } from '../../worker-secret.ts';
import type { LlmService } from './llm-service.ts';

export function registerLlmRoutes(app: Hono, service: LlmService, secret: string | undefined): void {
  app.post('/llm/rank', requireWorkerSecret(secret), async (c) => {
    const parsed = LlmRankRequest.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: 'bad_request', message: 'the request does not match the LLM wire schema', problems: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })) }, 400);
    try {
      return c.json(await service.rank(parsed.data), 200);
    } catch (err) {
      if (err instanceof RangeError) return c.json({ error: 'bad_request', message: err.message }, 400);
      throw err;
    }
  });
}
