// Worker HTTP routes of the LLM layer: POST /llm/rank and POST /llm/explain (wire: shared/src/llm-prompt/wire.ts),
// authenticated by the edge's shared secret. Mount on the worker app: registerLlmRoutes(app, service, secret).
import type { Hono } from 'hono';
import { LlmExplainRequest, LlmRankRequest } from '@llmrec/shared/llm-prompt/wire.ts';
import { requireWorkerSecret } from '../../worker-secret.ts';
import type { LlmService } from './llm-service.ts';

export function registerLlmRoutes(app: Hono, service: LlmService, secret: string | undefined): void {
  for (const [path, schema, handle] of [
    ['/llm/rank', LlmRankRequest, (b: never) => service.rank(b)],
    ['/llm/explain', LlmExplainRequest, (b: never) => service.explain(b)],
  ] as const) {
    app.post(path, requireWorkerSecret(secret), async (c) => {
      const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) return c.json({ error: 'bad_request', message: 'the request does not match the LLM wire schema', problems: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })) }, 400);
      try {
        return c.json(await handle(parsed.data as never), 200);
      } catch (err) {
        if (err instanceof RangeError) return c.json({ error: 'bad_request', message: err.message }, 400);
        throw err;
      }
    });
  }
}
