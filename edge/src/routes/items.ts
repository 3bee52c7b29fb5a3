// The item API (issue 11): GET /v1/items/{id} (metadata, published or written through the API), GET /v1/items
// (cursor pages over the catalog in index order), PUT /v1/items (create or change up to 500 items: validated
// here, embedded and written by the worker, visible from the next request), DELETE /v1/items/{id} (hidden from
// every recommendation at once). Image URLs must pass the image policy here before the worker fetches them.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBody, ItemResponse, PublicId, type Problem } from '@llmrec/shared/api/http.ts';
import { CATALOG_LIMITS, ItemDeleteResponse, ItemListQuery, ItemListResponse, ItemsPutRequest, ItemsPutResponse, type ItemInput, type ItemWriteStatus } from '@llmrec/shared/api/items.ts';
import { imageBytesProblems, imageUrlProblems } from '@llmrec/shared/catalog/image-policy.ts';
import { base64ToBytes } from '@llmrec/shared/base64.ts';
import type { ItemMeta } from '@llmrec/shared/kv/values.ts';
import { CatalogWriteError } from '../catalog-client.ts';
import type { Catalog, PublishedCatalog } from '../catalog.ts';
import type { EdgeConfig } from '../config.ts';
import { ApiError, badRequest } from '../errors.ts';
import { WorkerUnavailableError, type WorkerClient } from '../worker-client.ts';
import { errorResponses, type EdgeEnv } from './common.ts';
import { checkWriteAccess } from './write-access.ts';

const getOne = createRoute({
  method: 'get',
  path: '/v1/items/{id}',
  summary: 'One item of the catalog (published, or written through PUT /v1/items)',
  security: [{ bearer: [] }],
  request: { params: z.object({ id: PublicId }) },
  responses: {
    200: { description: 'Item metadata', content: { 'application/json': { schema: ItemResponse } } },
    404: { description: 'Unknown item', content: { 'application/json': { schema: ErrorBody } } },
    ...errorResponses,
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/items',
  summary: 'The catalog in pages (index order; hidden items included, with available: false)',
  security: [{ bearer: [] }],
  request: { query: ItemListQuery },
  responses: {
    200: { description: 'One page and the cursor of the next', content: { 'application/json': { schema: ItemListResponse } } },
    ...errorResponses,
  },
});

const put = createRoute({
  method: 'put',
  path: '/v1/items',
  summary: `Create or change up to ${CATALOG_LIMITS.maxItemsPerPut} items; recommendable from the next request, no retraining`,
  description: 'Each new or changed item is embedded by the content tower from its text and image, PQ-coded with the published codebooks and added to the live catalog. Nothing is written unless every item is valid.',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: ItemsPutRequest } } } },
  responses: {
    200: { description: 'Per item: created, updated, unchanged, hidden or restored', content: { 'application/json': { schema: ItemsPutResponse } } },
    403: { description: 'A publishable key', content: { 'application/json': { schema: ErrorBody } } },
    409: { description: 'The worker serves other artifacts than the published catalog', content: { 'application/json': { schema: ErrorBody } } },
    ...errorResponses,
  },
});

const del = createRoute({
  method: 'delete',
  path: '/v1/items/{id}',
  summary: 'Hide an item from every recommendation at once (also from cached and degraded answers)',
  security: [{ bearer: [] }],
  request: { params: z.object({ id: PublicId }) },
  responses: {
    200: { description: 'Hidden (or already hidden: unchanged)', content: { 'application/json': { schema: ItemDeleteResponse } } },
    403: { description: 'A publishable key', content: { 'application/json': { schema: ErrorBody } } },
    404: { description: 'Unknown item', content: { 'application/json': { schema: ErrorBody } } },
    ...errorResponses,
  },
});

export interface ItemsDeps {
  catalog: Catalog;
  worker?: WorkerClient;
  config?: EdgeConfig;
}

async function published(catalog: Catalog): Promise<PublishedCatalog> {
  const cat = await catalog.published();
  if (!cat) throw new ApiError(503, 'not_published', 'no catalog has been published to this store yet (run `llmrec publish`)');
  return cat;
}

function attributes(m: ItemMeta) {
  return { genres: m.genres, ...(m.year !== undefined ? { year: m.year } : {}), attributes: m.attributes, hasImage: m.hasImage };
}

/** Cursor = next index (base 36) + the version's hash part, so a republish between pages is noticed. */
const versionTag = (v: string) => v.slice(-12).replace(/[^A-Za-z0-9]/g, '');
function decodeCursor(cursor: string | undefined, cat: PublishedCatalog): number {
  if (!cursor) return 0;
  const m = /^([0-9a-z]{1,10})_([A-Za-z0-9]{1,12})$/.exec(cursor);
  if (!m) throw badRequest('bad cursor', [{ path: '(query).cursor', message: 'not a cursor returned by GET /v1/items' }]);
  if (m[2] !== versionTag(cat.version)) throw badRequest('stale cursor', [{ path: '(query).cursor', message: 'the catalog was republished since this cursor was issued: start again without a cursor' }]);
  return parseInt(m[1]!, 36);
}

/** Problems of the images in a PUT batch (URL policy, base64 bytes), before anything reaches the worker. */
function imageProblems(items: readonly ItemInput[], hosts: readonly string[]): Problem[] {
  const out: Problem[] = [];
  items.forEach((it, i) => {
    if (!it.image) return;
    const msgs = 'url' in it.image ? imageUrlProblems(it.image.url, hosts) : imageBytesProblems(base64ToBytes(it.image.base64), it.image.contentType);
    for (const message of msgs) out.push({ path: `items.${i}.image`, message });
  });
  return out;
}

function writeError(e: unknown): never {
  if (e instanceof CatalogWriteError) throw new ApiError(e.status, e.status === 400 ? 'bad_request' : e.code, e.message, e.problems);
  if (e instanceof WorkerUnavailableError) throw new ApiError(503, 'worker_unavailable', `the worker could not take the write; nothing was written (${e.reason})`, undefined, { 'retry-after': '5' });
  throw e;
}

export function registerItems(app: OpenAPIHono<EdgeEnv>, deps: ItemsDeps | Catalog): void {
  const { catalog, worker, config } = 'published' in deps ? { catalog: deps, worker: undefined, config: undefined } : deps;

  app.openapi(getOne, async (c) => {
    const { id } = c.req.valid('param');
    const cat = await published(catalog);
    const [m] = await catalog.items(cat, [id]);
    if (!m) throw new ApiError(404, 'unknown_item', `no item ${id} in catalog ${cat.version}`, [{ path: 'id', message: 'unknown item id' }]);
    const pop = await catalog.popular(cat);
    const at = pop ? pop.items.indexOf(m.id) : -1;
    return c.json(
      {
        id: m.id,
        title: m.title,
        available: !cat.live.unavailable.has(m.idx),
        attributes: attributes(m),
        ...(at >= 0 && pop ? { popularity: Math.round(pop.scores[at] ?? 0) } : {}),
      },
      200,
    );
  });

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const cat = await published(catalog);
    const from = decodeCursor(q.cursor, cat);
    const ids = cat.ids.slice(from, from + q.limit);
    const metas = await catalog.items(cat, ids);
    const items = metas.flatMap((m, j) => (m ? [{ id: m.id, title: m.title, available: !cat.live.unavailable.has(from + j), source: cat.live.metaRev.has(m.id) ? ('api' as const) : ('published' as const), attributes: attributes(m) }] : []));
    const next = from + q.limit;
    return c.json({ items, nextCursor: next < cat.ids.length ? `${next.toString(36)}_${versionTag(cat.version)}` : null, version: cat.version, rev: cat.live.rev }, 200);
  });

  app.openapi(put, async (c) => {
    checkWriteAccess(c);
    const body = c.req.valid('json');
    return c.json(await writeItems({ catalog, worker, config }, body.items, c.get('requestId')), 200);
  });

  app.openapi(del, async (c) => {
    checkWriteAccess(c);
    const { id } = c.req.valid('param');
    const r = await hideItem({ catalog, worker, config }, id, c.get('requestId'));
    return c.json({ requestId: c.get('requestId'), id, rev: r.rev, status: r.status }, 200);
  });
}

/**
 * The item-write use case (PUT /v1/items, Gorse POST /api/item[s]): image policy checked here, then the worker
 * embeds and writes the batch (all or nothing); this isolate re-reads the live head on its next request.
 */
export async function writeItems(deps: ItemsDeps, items: readonly ItemInput[], requestId: string): Promise<ItemsPutResponse> {
  const { catalog, worker, config } = deps;
  const problems = imageProblems(items, config?.catalog.imageHosts ?? []);
  if (problems.length) throw badRequest('some item images are not acceptable; nothing was written', problems.slice(0, 100));
  if (!worker?.catalog) throw new ApiError(503, 'catalog_writes_unavailable', 'this edge has no worker to embed items');
  await published(catalog);
  let r;
  try {
    r = await worker.catalog.upsertItems({ v: 1, requestId, items: [...items] }, { timeoutMs: config?.catalog.writeTimeoutMs ?? 60_000 });
  } catch (e) {
    writeError(e);
  } finally {
    // Whatever happened, this isolate reads the live head again on its next request.
    catalog.invalidate();
  }
  return { requestId, rev: r.rev, version: r.version, items: r.items };
}

/** The hide use case (DELETE /v1/items/{id}, Gorse DELETE /api/item/{id}): 404 for ids not in the catalog. */
export async function hideItem(deps: ItemsDeps, id: string, requestId: string): Promise<{ rev: number; status: ItemWriteStatus }> {
  const { catalog, worker, config } = deps;
  const cat = await published(catalog);
  const [m] = await catalog.items(cat, [id]);
  if (!m) throw new ApiError(404, 'unknown_item', `no item ${id} in catalog ${cat.version}`, [{ path: 'id', message: 'unknown item id' }]);
  if (!worker?.catalog) throw new ApiError(503, 'catalog_writes_unavailable', 'this edge has no worker to write the catalog');
  let r;
  try {
    r = await worker.catalog.hideItems({ v: 1, requestId, ids: [id] }, { timeoutMs: config?.catalog.writeTimeoutMs ?? 60_000 });
  } catch (e) {
    writeError(e);
  } finally {
    catalog.invalidate();
  }
  return { rev: r.rev, status: r.items[0]?.status ?? 'hidden' };
}
