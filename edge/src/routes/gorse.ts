// A Gorse-compatible subset (issue 13) so existing Gorse clients (e.g. gorsejs) can point at the edge:
// POST /api/feedback, GET /api/recommend/{user}[/{category}], GET|POST /api/item, POST /api/items, DELETE
// /api/item/{id}, PATCH /api/item/{id} (hiding only; other partial writes are refused with what to send), mapped onto the same use cases as /v1 (events ingest, recommend, the catalog and its item
// writes: routes/items.ts writeItems / hideItem). Secret keys only (X-API-Key, as Gorse clients send it; the
// publishable-key policy refuses /api/*).
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { PublicId, type EventIn } from '@llmrec/shared/api/http.ts';
import { ingestEvents, type IngestDeps } from '../events.ts';
import { ApiError, badRequest, zodProblems } from '../errors.ts';
import { recommend, type RecommendDeps } from '../recommend.ts';
import { waitUntil } from '../wait-until.ts';
import { popularAnswer } from '../web/session-recommend.ts';
import type { ItemInput } from '@llmrec/shared/api/items.ts';
import type { Catalog } from '../catalog.ts';
import type { EdgeEnv } from './common.ts';
import { hideItem, writeItems, type ItemsDeps } from './items.ts';

/**
 * Gorse servers answer errors as plain text and its clients show that text (gorsejs: GorseException.message):
 * /api/* error bodies become their message (the JSON code and request id stay in headers and logs).
 */
export function gorseErrorsAsText(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.res.status < 400 || !c.res.headers.get('content-type')?.includes('application/json')) return;
    const body = (await c.res.clone().json().catch(() => null)) as { error?: string; message?: string; problems?: { path: string; message: string }[] } | null;
    if (!body?.message) return;
    const text = [body.message, ...(body.problems ?? []).map((p) => `${p.path}: ${p.message}`)].join('; ');
    const headers = new Headers(c.res.headers);
    headers.set('content-type', 'text/plain; charset=utf-8');
    if (body.error) headers.set('x-error-code', body.error);
    c.res = new Response(text, { status: c.res.status, headers });
  };
}

/** Gorse feedback types -> event types (same name, or the usual Gorse synonym). */
const FEEDBACK_TYPES: Record<string, EventIn['type']> = { view: 'view', click: 'click', rating: 'rating', purchase: 'purchase', like: 'like', star: 'rating', read: 'view', watch: 'view' };

const Feedback = z.object({
  FeedbackType: z.string().refine((t) => Object.hasOwn(FEEDBACK_TYPES, t), { message: `feedback types: ${Object.keys(FEEDBACK_TYPES).join(', ')}` }),
  UserId: PublicId,
  ItemId: PublicId,
  Timestamp: z.string().optional(),
  Comment: z.string().optional(),
});
const FeedbackBody = z.array(Feedback).min(1).max(500);

const RecommendQuery = z.object({
  n: z.coerce.number().int().min(1).max(100).default(10),
  offset: z.coerce.number().int().min(0).max(99).default(0),
});

/**
 * A Gorse item (gorsejs `Item`): ItemId, Comment (the title here, as GET answers it), Categories (genres), Labels
 * (attributes), IsHidden (available = !IsHidden), Timestamp (RFC 3339; its year is kept). Unknown keys are refused
 * as on /v1.
 */
const GorseItem = z
  .object({
    ItemId: PublicId,
    Comment: z.string().max(500).optional(),
    Categories: z.array(z.string().min(1).max(100)).max(50).nullable().optional(),
    Labels: z.array(z.string().min(1).max(200)).max(100).nullable().optional(),
    IsHidden: z.boolean().optional(),
    Timestamp: z.string().optional(),
  })
  .strict();
type GorseItem = z.infer<typeof GorseItem>;
/** gorsejs updateItem's body (Gorse ItemPatch): every field optional; an ItemId, if sent, must be the path's. */
const GorseItemPatch = GorseItem.partial();

/** Gorse item -> the item API's input; problems (bad timestamps) under `at`. */
function fromGorseItem(g: GorseItem, at: string, problems: { path: string; message: string }[]): ItemInput {
  const ts = g.Timestamp === undefined || g.Timestamp === '' || g.Timestamp.startsWith('0001-01-01') ? null : Date.parse(g.Timestamp);
  if (ts !== null && !Number.isFinite(ts)) problems.push({ path: `${at}Timestamp`, message: 'expected an RFC 3339 time, e.g. 2024-05-01T12:00:00Z' });
  return {
    id: g.ItemId,
    title: g.Comment?.trim() || g.ItemId,
    ...(g.Categories?.length ? { genres: g.Categories } : {}),
    ...(g.Labels?.length ? { attributes: g.Labels } : {}),
    ...(ts !== null && Number.isFinite(ts) ? { year: new Date(ts).getUTCFullYear() } : {}),
    available: !g.IsHidden,
  };
}

/** Gorse's RowAffected: items the write changed (an identical write changes nothing). */
const rowsAffected = (statuses: readonly string[]) => statuses.filter((s) => s !== 'unchanged').length;

/** Gorse has no event ids: the same feedback (type, user, item, time) sent twice is one event. */
async function feedbackEventId(f: z.infer<typeof Feedback>, ts: number): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify([f.FeedbackType, f.UserId, f.ItemId, ts])));
  return `gorse-${[...new Uint8Array(d)].slice(0, 20).map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Gorse timestamps: RFC 3339 (empty or absent = now). */
function parseTimestamp(s: string | undefined, now: number): number | null {
  if (s === undefined || s === '' || s.startsWith('0001-01-01')) return now;
  const t = Date.parse(s);
  return Number.isFinite(t) && t >= 0 ? t : null;
}

export function registerGorse(app: Hono<EdgeEnv>, recommendDeps: (c: { background: (p: Promise<unknown>) => void }) => RecommendDeps, ingest: IngestDeps, items: ItemsDeps): void {
  app.post('/api/feedback', async (c) => {
    const parsed = FeedbackBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) throw badRequest('the body is not a Gorse feedback list', zodProblems(parsed.error));
    const now = ingest.clock();
    const events: EventIn[] = [];
    const problems = [];
    for (const [i, f] of parsed.data.entries()) {
      const ts = parseTimestamp(f.Timestamp, now);
      if (ts === null) problems.push({ path: `${i}.Timestamp`, message: 'expected an RFC 3339 time, e.g. 2024-05-01T12:00:00Z' });
      else events.push({ eventId: await feedbackEventId(f, ts), userId: f.UserId, itemId: f.ItemId, type: FEEDBACK_TYPES[f.FeedbackType]!, ts });
    }
    if (problems.length) throw badRequest('bad feedback timestamps', problems);
    const r = await ingestEvents(ingest, events, '');
    return c.json({ RowAffected: r.accepted });
  });

  const recommendRoute = async (c: Context<EdgeEnv>) => {
    const user = c.req.param('user') ?? '';
    const category = c.req.param('category');
    if (!PublicId.safeParse(user).success) throw badRequest('not a user id', [{ path: 'user', message: 'ids contain only letters, digits and _ . : @ -' }]);
    if (category) throw new ApiError(400, 'bad_request', 'categories are not supported by this Gorse-compatible subset', [{ path: 'category', message: 'leave it empty' }]);
    const q = RecommendQuery.safeParse(c.req.query());
    if (!q.success) throw badRequest('bad query', zodProblems(q.error, '(query)'));
    const k = Math.min(100, q.data.n + q.data.offset);
    const deps = recommendDeps({ background: (p) => waitUntil(c, p) });
    let ids: string[];
    try {
      const out = await recommend(deps, { userId: user, k, excludeSeen: true, explain: false }, c.get('requestId'));
      ids = out.body.items.map((i) => i.id);
    } catch (err) {
      // Gorse answers unknown users with non-personalised items; so does this subset (the popular list).
      if (!(err instanceof ApiError && err.code === 'unknown_user')) throw err;
      ids = (await popularAnswer(deps, { requestId: c.get('requestId'), k, candidates: null })).items.map((i) => i.id);
    }
    return c.json(ids.slice(q.data.offset, q.data.offset + q.data.n));
  };
  app.get('/api/recommend/:user', recommendRoute);
  app.get('/api/recommend/:user/', recommendRoute);
  app.get('/api/recommend/:user/:category', recommendRoute);

  const itemId = (c: Context<EdgeEnv>) => {
    const id = c.req.param('id') ?? '';
    if (!PublicId.safeParse(id).success) throw badRequest('not an item id', [{ path: 'id', message: 'ids contain only letters, digits and _ . : @ -' }]);
    return id;
  };

  app.get('/api/item/:id', async (c) => {
    const id = itemId(c);
    const catalog: Catalog = ingest.catalog;
    const cat = await catalog.published();
    if (!cat) throw new ApiError(503, 'not_published', 'no catalog has been published to this store yet (run `llmrec publish`)');
    const [m] = await catalog.items(cat, [id]);
    if (!m) throw new ApiError(404, 'unknown_item', `no item ${id} in catalog ${cat.version}`);
    return c.json({
      ItemId: m.id,
      IsHidden: cat.live.unavailable.has(m.idx),
      Categories: m.genres,
      Timestamp: m.year !== undefined ? `${String(m.year).padStart(4, '0')}-01-01T00:00:00Z` : '0001-01-01T00:00:00Z',
      Labels: m.attributes,
      Comment: m.title,
    });
  });

  // Item writes: the item API's use case (embedded by the worker's content tower, recommendable at once).
  const write = async (c: Context<EdgeEnv>, body: unknown, many: boolean) => {
    const parsed = (many ? z.array(GorseItem).min(1).max(500) : GorseItem).safeParse(body);
    if (!parsed.success) throw badRequest(many ? 'the body is not a list of Gorse items' : 'the body is not a Gorse item', zodProblems(parsed.error));
    const problems: { path: string; message: string }[] = [];
    const list = Array.isArray(parsed.data) ? parsed.data.map((g, i) => fromGorseItem(g, `${i}.`, problems)) : [fromGorseItem(parsed.data, '', problems)];
    if (problems.length) throw badRequest('bad item timestamps', problems);
    const r = await writeItems(items, list, c.get('requestId'));
    return c.json({ RowAffected: rowsAffected(r.items.map((i) => i.status)) });
  };
  app.post('/api/item', async (c) => write(c, await c.req.json().catch(() => undefined), false));
  app.post('/api/items', async (c) => write(c, await c.req.json().catch(() => undefined), true));
  // Gorse deletes the item; here it is hidden from every recommendation (the published catalog keeps its row).
  app.delete('/api/item/:id', async (c) => {
    const r = await hideItem(items, itemId(c), c.get('requestId'));
    return c.json({ RowAffected: rowsAffected([r.status]) });
  });
  // Gorse's partial writes (gorsejs updateItem, insertItemCategory, deleteItemCategory). The item API writes whole
  // items (the content tower embeds title, text and image together, and the edge does not hold an item's full text),
  // so only hiding maps onto it; the rest is refused with what to send instead, never half-applied.
  const wholeItem = 'send the whole item with POST /api/item (it replaces the item; a stored image is kept)';
  app.patch('/api/item/:id', async (c) => {
    const id = itemId(c);
    const parsed = GorseItemPatch.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) throw badRequest('the body is not a Gorse item patch', zodProblems(parsed.error));
    if (parsed.data.ItemId !== undefined && parsed.data.ItemId !== id) throw badRequest('the patch names another item', [{ path: 'ItemId', message: `expected ${id} (the item in the path) or nothing` }]);
    const fields = Object.keys(parsed.data).filter((k) => k !== 'IsHidden' && k !== 'ItemId');
    if (fields.length || parsed.data.IsHidden === false) {
      const what = fields.length ? fields : ['IsHidden'];
      throw badRequest(`this Gorse-compatible subset cannot change ${what.join(', ')} in place: ${wholeItem}`, what.map((k) => ({ path: k, message: parsed.data.IsHidden === false && k === 'IsHidden' ? 'showing a hidden item again needs its whole content' : 'partial item updates are not supported' })));
    }
    if (parsed.data.IsHidden !== true) return c.json({ RowAffected: 0 }); // an empty patch changes nothing
    const r = await hideItem(items, id, c.get('requestId'));
    return c.json({ RowAffected: rowsAffected([r.status]) });
  });
  const categoryRoute = async (c: Context<EdgeEnv>) => {
    itemId(c);
    throw badRequest(`this Gorse-compatible subset does not edit an item's categories one by one: ${wholeItem} with its Categories`, [{ path: 'category', message: 'not supported' }]);
  };
  app.put('/api/item/:id/category/:category', categoryRoute);
  app.delete('/api/item/:id/category/:category', categoryRoute);
}
