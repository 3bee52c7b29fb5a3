// DELETE /v1/users/{id} (issue 11, erasure): removes the user's history, cached ranking, events (pending or not
// yet trimmed) and the adapter job's per-user state from the store (shared/src/catalog/erase-user.ts), and lists
// the user's digest so the adapter job, `llmrec publish` and `llmrec export` leave them out from then on.
// Idempotent: erasing an unknown or already erased user answers 200 with nothing removed.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBody, PublicId } from '@llmrec/shared/api/http.ts';
import { UserEraseResponse } from '@llmrec/shared/api/items.ts';
import { eraseUser } from '@llmrec/shared/catalog/erase-user.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import type { Catalog } from '../catalog.ts';
import { errorResponses, type EdgeEnv } from './common.ts';
import { checkWriteAccess } from './write-access.ts';

const route = createRoute({
  method: 'delete',
  path: '/v1/users/{id}',
  summary: "Erase a user: history, cached rankings, pending events and the adapter job's per-user state",
  description: 'Evidence counts of the published catalog no longer include the user from the next `llmrec publish` on (docs/api.md, Erasure).',
  security: [{ bearer: [] }],
  request: { params: z.object({ id: PublicId }) },
  responses: {
    200: { description: 'What was removed', content: { 'application/json': { schema: UserEraseResponse } } },
    403: { description: 'A publishable key', content: { 'application/json': { schema: ErrorBody } } },
    ...errorResponses,
  },
});

export function registerUsers(app: OpenAPIHono<EdgeEnv>, deps: { store: KvStore; catalog: Catalog; jobGroups?: readonly string[] }): void {
  app.openapi(route, async (c) => {
    checkWriteAccess(c);
    const { id } = c.req.valid('param');
    const removed = await eraseUser(deps.store, id, { groups: deps.jobGroups });
    deps.catalog.forgetHistoryMemo();
    return c.json({ requestId: c.get('requestId'), userId: id, removed }, 200);
  });
}
