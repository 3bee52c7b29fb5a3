// GET /v1/items/{id}: item metadata from the published catalog.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBody, ItemResponse, PublicId } from '@llmrec/shared/api/http.ts';
import type { Catalog } from '../catalog.ts';
import { ApiError } from '../errors.ts';
import { errorResponses, type EdgeEnv } from './common.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/items/{id}',
  summary: 'One item of the published catalog',
  security: [{ bearer: [] }],
  request: { params: z.object({ id: PublicId }) },
  responses: {
    200: { description: 'Item metadata', content: { 'application/json': { schema: ItemResponse } } },
    404: { description: 'Unknown item', content: { 'application/json': { schema: ErrorBody } } },
    ...errorResponses,
  },
});

export function registerItems(app: OpenAPIHono<EdgeEnv>, catalog: Catalog): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const cat = await catalog.published();
    if (!cat) throw new ApiError(503, 'not_published', 'no catalog has been published to this store yet (run `llmrec publish`)');
    const [m] = await catalog.items(cat, [id]);
    if (!m) throw new ApiError(404, 'unknown_item', `no item ${id} in catalog ${cat.version}`, [{ path: 'id', message: 'unknown item id' }]);
    const pop = await catalog.popular(cat);
    const at = pop ? pop.items.indexOf(m.id) : -1;
    return c.json(
      {
        id: m.id,
        title: m.title,
        attributes: { genres: m.genres, ...(m.year !== undefined ? { year: m.year } : {}), attributes: m.attributes, hasImage: m.hasImage },
        ...(at >= 0 && pop ? { popularity: Math.round(pop.scores[at] ?? 0) } : {}),
      },
      200,
    );
  });
}
