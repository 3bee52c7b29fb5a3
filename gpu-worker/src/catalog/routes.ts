// The worker's catalog routes (issue 11), mounted by createWorkerApp when a catalog is configured: PUT /v1/items
// (embed and write items), POST /v1/items/hide (DELETE /v1/items/{id} at the edge), POST /v1/encode (z_u for the
// edge's PQ retrieval over large catalogs). Same shared-secret check as /v1/score; bad input -> 400 with the
// problems, a worker that cannot write items -> 409/503 with a code the edge passes on.
import type { Context, Hono } from 'hono';
import { EncodeRequest, WorkerHideRequest, WorkerItemsRequest, type EncodeResponse, type WorkerItemsResponse } from '@llmrec/shared/api/catalog-wire.ts';
import { WORKER_SECRET_HEADER } from '@llmrec/shared/api/wire.ts';
import type { LatentModel } from '../model.ts';
import { secretMatches } from '../worker-secret.ts';
import { encodeUsersLive } from './encode-users.ts';
import { CatalogInputError, CatalogUnavailableError, type ItemWriter, type WriteResult } from './item-writer.ts';
import type { WorkerCatalog } from './live-state.ts';

export interface CatalogRouteDeps {
  live: WorkerCatalog;
  /** Null when the worker cannot embed items (hiding still works through it). */
  writer: ItemWriter;
  model: LatentModel;
  /** Absent only on a loopback-bound worker (server.ts refuses otherwise): then no check, as for /v1/score. */
  secret: string | undefined;
  log?: (line: Record<string, unknown>) => void;
}

async function body(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

function bad(c: Context, message: string, problems: { path: string; message: string }[]) {
  return c.json({ error: 'bad_request', message, problems }, 400);
}

async function write(c: Context, f: () => Promise<WriteResult>) {
  try {
    const r = await f();
    return c.json({ v: 1, ...r } satisfies WorkerItemsResponse);
  } catch (e) {
    if (e instanceof CatalogInputError) return bad(c, e.message, e.problems);
    if (e instanceof CatalogUnavailableError) return c.json({ error: e.code, message: e.message }, e.code === 'model_mismatch' ? 409 : 503);
    throw e;
  }
}

export function registerCatalogRoutes(app: Hono, deps: CatalogRouteDeps): void {
  const authed = (c: Context) => !deps.secret || secretMatches(c.req.header(WORKER_SECRET_HEADER), deps.secret);
  const unauthorized = (c: Context) => c.json({ error: 'unauthorized', message: 'bad or missing worker secret' }, 401);

  app.put('/v1/items', async (c) => {
    if (!authed(c)) return unauthorized(c);
    const parsed = WorkerItemsRequest.safeParse(await body(c));
    if (!parsed.success) return bad(c, 'wire request failed validation', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    const t0 = performance.now();
    const res = await write(c, () => deps.writer.upsert(parsed.data.items));
    deps.log?.({ t: new Date().toISOString(), requestId: parsed.data.requestId, path: 'PUT /v1/items', items: parsed.data.items.length, status: res.status, ms: Math.round(performance.now() - t0) });
    return res;
  });

  app.post('/v1/items/hide', async (c) => {
    if (!authed(c)) return unauthorized(c);
    const parsed = WorkerHideRequest.safeParse(await body(c));
    if (!parsed.success) return bad(c, 'wire request failed validation', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    return write(c, () => deps.writer.hide(parsed.data.ids));
  });

  app.post('/v1/encode', async (c) => {
    if (!authed(c)) return unauthorized(c);
    const parsed = EncodeRequest.safeParse(await body(c));
    if (!parsed.success) return bad(c, 'wire request failed validation', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    const h = parsed.data.history;
    await deps.live.ensure(Math.max(...h));
    const view = deps.live.scoring();
    const outside = h.find((i) => i >= view.items);
    if (outside !== undefined) return bad(c, `item index ${outside} outside the catalog's ${view.items} items`, [{ path: 'history', message: 'unknown item index' }]);
    const z = await encodeUsersLive(deps.model, view, [h]);
    return c.json({ v: 1, requestId: parsed.data.requestId, model: deps.model.version, z: Array.from(z) } satisfies EncodeResponse);
  });
}
