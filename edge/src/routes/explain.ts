// POST /v1/explain: a one-sentence rationale for (user, item), the evidence it rests on (history items with their
// measured effect on the score and co-user counts; attribute values; content modalities), who wrote the sentence
// (`source`: the worker's LLM or the template) and how faithful the cited items are to the model (ERASER
// comprehensiveness / sufficiency), for a user, a browser session (`sessionId`, publishable keys) or a given
// history. Evidence-grounded explanations of DynMM-Explain-LLMRec; the work is done by
// shared/src/evidence (explainItems) and the worker (POST /v1/explain).
// Mount: registerExplain(app, { source, options }) in createApp, next to registerRecommend.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBody, PublicId, SessionId } from '@llmrec/shared/api/http.ts';
import { explainItems, Explanation, UnknownItemError, type ExplainOptions, type ExplainSource } from '@llmrec/shared/evidence/index.ts';
import { ApiError } from '../errors.ts';
import { requestUserId } from '../web/session-recommend.ts';
import { errorResponses, type EdgeEnv } from './common.ts';

export const ExplainRequestBody = z
  .object({
    userId: PublicId.optional().describe('a known user; its recent history is read from KV'),
    sessionId: SessionId.optional().describe("a browser session (as in recommend; publishable keys): its history is the events posted with this sessionId"),
    history: z.array(PublicId).max(200).optional().describe('item ids the client knows the user interacted with, oldest first'),
    itemId: PublicId.optional().describe('the item to explain'),
    itemIds: z.array(PublicId).min(1).max(50).optional().describe('several items at once (as recommend with explain: true)'),
    minCoUsers: z.number().int().min(1).max(1000).optional().describe('raises the co-user threshold for citing a history item (never below the configured one, default 5)'),
  })
  .refine((b) => b.itemId !== undefined || b.itemIds !== undefined, { message: 'give itemId or itemIds', path: ['itemId'] })
  .refine((b) => b.userId === undefined || b.sessionId === undefined, { message: 'give userId or sessionId, not both', path: ['sessionId'] })
  .refine((b) => b.userId !== undefined || b.sessionId !== undefined || (b.history?.length ?? 0) > 0, { message: 'give userId, sessionId or a non-empty history', path: ['userId'] });

export const ExplainResponseBody = z.object({ explanations: z.array(Explanation) });

const route = createRoute({
  method: 'post',
  path: '/v1/explain',
  summary: 'Why an item is recommended: a rationale and the evidence it cites',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: ExplainRequestBody } } } },
  responses: {
    200: { description: 'One explanation per requested item', content: { 'application/json': { schema: ExplainResponseBody } } },
    404: { description: 'Unknown item id', content: { 'application/json': { schema: ErrorBody } } },
    ...errorResponses,
  },
});

export interface ExplainDeps {
  source: ExplainSource;
  /** The configured co-user threshold (a floor) and the log for degraded explanations. */
  options?: ExplainOptions;
}

export function registerExplain(app: OpenAPIHono<EdgeEnv>, deps: ExplainDeps): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    try {
      // A session reads the history stored under its internal user (as recommend does for it).
      const userId = requestUserId(body);
      const explanations = await explainItems(deps.source, { userId, history: body.history, itemIds: body.itemIds ?? [body.itemId!], minCoUsers: body.minCoUsers, requestId: c.get('requestId') }, deps.options);
      return c.json({ explanations }, 200);
    } catch (err) {
      if (err instanceof UnknownItemError) throw new ApiError(404, 'unknown_item', err.message, [{ path: 'itemId', message: err.message }]);
      throw err;
    }
  });
}
