// POST /v1/events: one interaction or a batch; idempotent by client event id (events.ts).
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { EventsRequest, EventsResponse } from '@llmrec/shared/api/http.ts';
import { ingestEvents, type IngestDeps } from '../events.ts';
import { errorResponses, type EdgeEnv } from './common.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/events',
  summary: 'Record interactions (one event or { events: [...] }); re-sent event ids are acknowledged, not re-applied',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: EventsRequest } } } },
  responses: {
    200: { description: 'Logged durably; the users’ histories are updated', content: { 'application/json': { schema: EventsResponse } } },
    ...errorResponses,
  },
});

export function registerEvents(app: OpenAPIHono<EdgeEnv>, deps: IngestDeps): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const batch = 'events' in body ? body.events : [body];
    const r = await ingestEvents(deps, batch, 'events' in body ? 'events.' : '');
    return c.json({ requestId: c.get('requestId'), ...r }, 200);
  });
}
