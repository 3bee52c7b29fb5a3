// Property-based fuzzing of every route through app.request (no server): whatever the body, headers or path,
// the edge answers < 500, and every non-2xx body is the documented ErrorBody. >= 1,000 cases per route in CI
// (LLMREC_FUZZ_RUNS raises it, e.g. for a longer run).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, EventsResponse, RecommendResponse } from '@llmrec/shared/api/http.ts';
import { ItemDeleteResponse, ItemListResponse, ItemsPutResponse, UserEraseResponse } from '@llmrec/shared/api/items.ts';
import { bytesToBase64 } from '@llmrec/shared/base64.ts';
import { clusterWord, fakeJpeg, liveCatalogStack } from './support/live-catalog.ts';
import { keys, PQ_CODES_CHUNK } from '@llmrec/shared/kv/keys.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { pqToValues } from '@llmrec/shared/kv/pq-values.ts';
import { trainPq } from '@llmrec/shared/pq/train.ts';
import { encodeValue } from '@llmrec/shared/kv/typed.ts';
import { PqCodebooks, PqCodes } from '@llmrec/shared/kv/values.ts';
import { makeFixture, publishFixture } from './support/catalog-fixture.ts';
import { API_KEY, makeHarness, type Harness } from './support/harness.ts';

const RUNS = Number(process.env.LLMREC_FUZZ_RUNS ?? 1000);
/** Per-test time budget, scaled with the number of cases (about 1-3 ms per case on the 2-core box). */
const TIMEOUT = Math.max(60_000, RUNS * 20);
const f = makeFixture();
let h: Harness;
/** A second app with the live catalog (item writes embedded by a real ONNX fixture tower). */
let hl: Harness;

beforeAll(async () => {
  const ls = createMemoryStore();
  const stack = await liveCatalogStack(ls, f);
  hl = makeHarness(ls, f, { catalog: { live: stack.live, writer: stack.writer }, config: { rateLimit: { requests: 1_000_000, windowSec: 60 }, catalog: { imageHosts: ['images.example.com', '*.cdn.example.org'] } } });

  const store = createMemoryStore();
  await publishFixture(store, f);
  const pq = pqToValues(trainPq(f.itemLatents, f.dim, { m: 4, k: 16, seed: 1 }), PQ_CODES_CHUNK);
  await store.setMany([[keys.pqCodebooks(f.version), encodeValue(PqCodebooks, pq.codebooks)], ...pq.codes.map((c, i) => [keys.pqCodes(f.version, i), encodeValue(PqCodes, c)] as [string, string])]);
  h = makeHarness(store, f, { config: { rateLimit: { requests: 1_000_000, windowSec: 60 } } });
});

const knownItem = fc.constantFrom(...f.ids);
const someId = fc.oneof(knownItem, fc.string({ maxLength: 80 }), fc.constantFrom('u1', 'u2', 'u3', 'ghost', '', ' ', '../x', '%00', 'a'.repeat(65)));
const anyValue = fc.oneof(fc.anything({ maxDepth: 3 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 30 }));
const idList = fc.array(fc.oneof(someId, anyValue), { maxLength: 40 });

/** Bodies near the schema (so validation paths past the first check get exercised) and far from it. */
const recommendBody = fc.oneof(
  fc.record(
    { userId: fc.oneof(someId, anyValue), recentItems: fc.oneof(idList, anyValue), candidates: fc.oneof(idList, anyValue), k: fc.oneof(fc.integer({ min: -5, max: 200 }), anyValue), excludeSeen: fc.oneof(fc.boolean(), anyValue) },
    { requiredKeys: [] },
  ),
  fc.record({ userId: fc.constantFrom('u1', 'u2', 'u3'), k: fc.integer({ min: 1, max: 100 }), candidates: fc.array(knownItem, { minLength: 1, maxLength: 20 }) }, { requiredKeys: ['userId'] }),
  fc.record({ recentItems: fc.array(knownItem, { minLength: 1, maxLength: 20 }), k: fc.integer({ min: 1, max: 100 }), excludeSeen: fc.boolean() }, { requiredKeys: ['recentItems'] }),
  anyValue,
);

const event = fc.record(
  { eventId: fc.oneof(fc.stringMatching(/^[a-z0-9]{1,12}$/), anyValue), userId: someId, itemId: fc.oneof(knownItem, someId), type: fc.oneof(fc.constantFrom('view', 'click', 'rating', 'purchase', 'like'), anyValue), ts: fc.oneof(fc.integer({ min: 0, max: 2e12 }), anyValue) },
  { requiredKeys: [] },
);
const eventsBody = fc.oneof(event, fc.record({ events: fc.oneof(fc.array(event, { maxLength: 30 }), anyValue) }), anyValue);

/** Raw body text: valid JSON of the body, or broken JSON / non-JSON text. */
const rawBody = (body: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 4, arbitrary: body.map((b) => JSON.stringify(b) ?? 'null') },
    { weight: 1, arbitrary: body.map((b) => (JSON.stringify(b) ?? 'null').slice(0, -1)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );
const headers = fc.record({
  ct: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', '', 'application/x-www-form-urlencoded'),
  auth: fc.constantFrom(`Bearer ${API_KEY}`, `Bearer ${API_KEY}`, `Bearer ${API_KEY}`, '', 'Bearer', 'Basic abc', `bearer ${API_KEY}x`),
});

async function send(method: string, path: string, body: string | undefined, hd: { ct: string; auth: string }, app = h.app) {
  const res = await app.request(path, { method, headers: { ...(hd.ct ? { 'content-type': hd.ct } : {}), ...(hd.auth ? { authorization: hd.auth } : {}) }, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  expect(res.status, `${method} ${path} ${body?.slice(0, 200)} -> ${text.slice(0, 300)}`).toBeLessThan(500);
  const json = JSON.parse(text);
  if (res.status >= 400) expect(ErrorBody.safeParse(json).success, text).toBe(true);
  return { status: res.status, json };
}

describe(`fuzzing (${RUNS} cases per route)`, () => {
  it('POST /v1/recommend never 5xx; 200 bodies match the schema', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody(recommendBody), headers, async (body, hd) => {
        const r = await send('POST', '/v1/recommend', body, hd);
        if (r.status === 200) expect(RecommendResponse.safeParse(r.json).success).toBe(true);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('POST /v1/events never 5xx; duplicates are idempotent', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody(eventsBody), headers, async (body, hd) => {
        const r = await send('POST', '/v1/events', body, hd);
        if (r.status === 200) {
          expect(EventsResponse.safeParse(r.json).success).toBe(true);
          const again = await send('POST', '/v1/events', body, hd);
          expect(again.json.accepted).toBe(0);
        }
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('POST /v1/explain never 5xx (users, sessions, histories; published and live catalogs)', async () => {
    const sessionId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{16,24}$/), fc.constantFrom('s_fuzz_session_0001', 'short'), anyValue);
    const explainBody = fc.oneof(
      fc.record({ userId: fc.oneof(someId, anyValue), sessionId, itemId: fc.oneof(someId, anyValue), itemIds: fc.oneof(idList, anyValue), history: fc.oneof(idList, anyValue), minCoUsers: fc.oneof(fc.integer({ min: -2, max: 2000 }), anyValue) }, { requiredKeys: [] }),
      fc.record({ userId: fc.constantFrom('u1', 'u2', 'u3', 'ghost'), itemIds: fc.array(knownItem, { minLength: 1, maxLength: 10 }) }),
      fc.record({ sessionId: fc.constantFrom('s_fuzz_session_0001', 's_fuzz_session_0002'), itemIds: fc.array(knownItem, { minLength: 1, maxLength: 10 }) }),
      anyValue,
    );
    // A session with events, so session explanations reach the worker.
    for (const app of [h.app, hl.app]) await app.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` }, body: JSON.stringify({ events: ['1', '4'].map((itemId, i) => ({ eventId: `fz-${i}`, sessionId: 's_fuzz_session_0001', itemId })) }) });
    await fc.assert(
      fc.asyncProperty(rawBody(explainBody), headers, fc.boolean(), async (body, hd, live) => {
        await send('POST', '/v1/explain', body, hd, live ? hl.app : h.app);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('GET /v1/items/:id never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(knownItem, fc.string({ maxLength: 100 })), headers, async (id, hd) => {
        const r = await send('GET', `/v1/items/${encodeURIComponent(id)}`, undefined, hd);
        if (r.status === 200) expect(r.json.id).toBe(id);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  // The item and user routes (issue 11): bodies near the schema (so validation, image checks, the worker's
  // embedding and KV writes all run) and far from it.
  const jpeg = bytesToBase64(fakeJpeg(2));
  const image = fc.oneof(
    fc.constant({ base64: jpeg }),
    fc.constant({ base64: jpeg, contentType: 'image/png' }),
    fc.record({ base64: fc.oneof(fc.base64String({ maxLength: 200 }), fc.string({ maxLength: 40 })) }),
    fc.record({ url: fc.oneof(fc.constantFrom('https://images.example.com/a.jpg', 'https://x.cdn.example.org/b.png', 'http://images.example.com/a.jpg', 'https://169.254.169.254/', 'https://[::1]/x', 'https://evil.example.net/a.jpg', 'file:///etc/passwd', 'https://images.example.com:8443/a'), fc.webUrl(), fc.string({ maxLength: 30 })) }),
    fc.constant(null),
    anyValue,
  );
  const itemIn = fc.oneof(
    fc.record(
      { id: fc.oneof(fc.stringMatching(/^[a-z0-9]{1,10}$/), knownItem, someId), title: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), anyValue), description: fc.oneof(fc.constant(`${clusterWord(0)} ${clusterWord(1)}`), fc.string({ maxLength: 60 }), anyValue), genres: fc.oneof(fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 4 }), anyValue), attributes: fc.oneof(fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }), anyValue), year: fc.oneof(fc.integer({ min: -10, max: 4000 }), anyValue), fields: fc.oneof(fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.string({ maxLength: 20 }), { maxKeys: 3 }), anyValue), image, available: fc.oneof(fc.boolean(), anyValue), extra: anyValue },
      { requiredKeys: ['id', 'title'] },
    ),
    anyValue,
  );
  const validItem = fc.record(
    { id: fc.stringMatching(/^[a-z0-9]{1,10}$/), title: fc.string({ minLength: 1, maxLength: 30 }), description: fc.constant(`${clusterWord(0)} ${clusterWord(1)}`), genres: fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 3 }), image: fc.constantFrom({ base64: jpeg }, null), available: fc.boolean() },
    { requiredKeys: ['id', 'title'] },
  );
  const itemsBody = fc.oneof(
    { weight: 3, arbitrary: fc.record({ items: fc.array(validItem, { minLength: 1, maxLength: 4 }) }) },
    { weight: 3, arbitrary: fc.record({ items: fc.oneof(fc.array(itemIn, { maxLength: 6 }), anyValue) }) },
    { weight: 1, arbitrary: fc.record({ items: fc.array(fc.record({ id: fc.stringMatching(/^[a-z]{1,6}$/), title: fc.constant('t') }), { minLength: 499, maxLength: 502 }) }) },
    { weight: 1, arbitrary: anyValue },
  );
  /** Mostly well-formed headers, so most cases reach validation and the write path. */
  const writeHeaders = fc.oneof({ weight: 4, arbitrary: fc.constant({ ct: 'application/json', auth: `Bearer ${API_KEY}` }) }, { weight: 1, arbitrary: headers });

  it('PUT /v1/items never 5xx; 200 bodies match the schema and the items are then readable', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(rawBody(itemsBody), writeHeaders, async (body, hd) => {
        const r = await send('PUT', '/v1/items', body, hd, hl.app);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200) {
          expect(ItemsPutResponse.safeParse(r.json).success).toBe(true);
          const first = r.json.items[0];
          if (first) expect((await send('GET', `/v1/items/${encodeURIComponent(first.id)}`, undefined, { ct: '', auth: `Bearer ${API_KEY}` }, hl.app)).status).toBe(200);
        }
      }),
      { numRuns: RUNS },
    );
    // The properties must have reached the write path, not only the validators.
    expect(statuses.get(200) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(RUNS / 100);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS / 10);
  }, TIMEOUT);

  it('DELETE /v1/items/:id, GET /v1/items and DELETE /v1/users/:id never 5xx', async () => {
    let ok = 0;
    const path = fc.oneof(
      fc.oneof(knownItem, fc.string({ maxLength: 70 })).map((id) => ['DELETE', `/v1/items/${encodeURIComponent(id)}`] as const),
      fc.record({ cursor: fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^[0-9a-z]{1,3}_[a-z0-9]{1,12}$/)), limit: fc.oneof(fc.integer({ min: -5, max: 800 }), fc.string({ maxLength: 5 })) }, { requiredKeys: [] })
        .map((q) => ['GET', `/v1/items?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)])).toString()}`] as const),
      fc.oneof(someId, fc.constantFrom('u1', 'u2', 'ghost')).map((id) => ['DELETE', `/v1/users/${encodeURIComponent(String(id))}`] as const),
    );
    await fc.assert(
      fc.asyncProperty(path, writeHeaders, async ([method, p], hd) => {
        const r = await send(method, p, undefined, hd, hl.app);
        ok += r.status === 200 ? 1 : 0;
        if (r.status === 200) {
          const schema = p.startsWith('/v1/users/') ? UserEraseResponse : method === 'GET' ? ItemListResponse : ItemDeleteResponse;
          expect(schema.safeParse(r.json).success, JSON.stringify(r.json)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    expect(ok).toBeGreaterThan(RUNS / 10);
  }, TIMEOUT);

  // The Gorse subset's item routes (POST /api/item[s] onto the item-write use case, GET / DELETE /api/item/:id):
  // errors are plain text there (what Gorse clients show), with the code in x-error-code.
  it('Gorse item routes never 5xx; errors are text with a code; writes reach the item API', async () => {
    const gorseItem = fc.oneof(
      fc.record(
        { ItemId: fc.oneof(fc.stringMatching(/^g[a-z0-9]{1,8}$/), knownItem, someId), Comment: fc.oneof(fc.string({ maxLength: 40 }), fc.constant(`${clusterWord(0)} ${clusterWord(2)}`), anyValue), Categories: fc.oneof(fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 4 }), fc.constant(null), anyValue), Labels: fc.oneof(fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 4 }), fc.constant(null), anyValue), IsHidden: fc.oneof(fc.boolean(), anyValue), Timestamp: fc.oneof(fc.constantFrom('2024-05-01T12:00:00Z', '', '0001-01-01T00:00:00Z', 'yesterday'), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), anyValue), Extra: anyValue },
        { requiredKeys: ['ItemId'] },
      ),
      fc.record({ ItemId: fc.stringMatching(/^g[a-z0-9]{1,8}$/), Comment: fc.string({ minLength: 1, maxLength: 30 }), IsHidden: fc.boolean(), Timestamp: fc.constant('2024-05-01T12:00:00Z') }),
      anyValue,
    );
    const request = fc.oneof(
      { weight: 3, arbitrary: rawBody(gorseItem).map((b) => ['POST', '/api/item', b] as const) },
      { weight: 2, arbitrary: rawBody(fc.oneof(fc.array(gorseItem, { maxLength: 5 }), anyValue)).map((b) => ['POST', '/api/items', b] as const) },
      { weight: 2, arbitrary: fc.oneof(fc.stringMatching(/^g[a-z0-9]{1,8}$/), knownItem, fc.string({ maxLength: 40 })).chain((id) => fc.constantFrom('GET', 'DELETE').map((m) => [m, `/api/item/${encodeURIComponent(id)}`, undefined] as const)) },
    );
    const gorseHeaders = fc.oneof({ weight: 4, arbitrary: fc.constant({ ct: 'application/json', key: API_KEY }) }, { weight: 1, arbitrary: fc.record({ ct: fc.constantFrom('application/json', 'text/plain', ''), key: fc.constantFrom(API_KEY, '', 'wrong-key-0123456789') }) });
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, gorseHeaders, async ([method, path, body], hd) => {
        const res = await hl.app.request(path, { method, headers: { ...(hd.ct ? { 'content-type': hd.ct } : {}), ...(hd.key ? { 'x-api-key': hd.key } : {}) }, ...(body !== undefined ? { body } : {}) });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, `${method} ${path} ${body?.slice(0, 200)} -> ${text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers.get('x-error-code'), `${res.status} ${text}`).toBeTruthy();
        else if (method === 'GET') expect(JSON.parse(text).ItemId).toBe(decodeURIComponent(path.slice('/api/item/'.length)));
        else expect(typeof JSON.parse(text).RowAffected).toBe('number');
      }),
      { numRuns: RUNS },
    );
    expect(statuses.get(200) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(RUNS / 20);
    expect(statuses.get(400) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(RUNS / 20);
  }, TIMEOUT);

  it('health, readiness, docs and unknown paths never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/healthz', '/readyz', '/openapi.json', '/nope', '/v1/nope', '/v1/recommend'), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), headers, async (path, method, hd) => {
        const res = await h.app.request(path, { method, headers: { 'content-type': hd.ct, authorization: hd.auth } });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});
