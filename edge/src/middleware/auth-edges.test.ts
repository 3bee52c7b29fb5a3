// Edge cases of the public API's key checks, publishable-key policy and rate limits (issue 14.16: the mutants
// the route tests left alive): how a key may be presented, the exact 401/403/429 answers clients and their
// developers read, Origin "null" and Referer, 'self', the default-deny route table's anchors, session-event
// bodies at and over their limits, and a limiter that fails.
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { makeFixture, publishFixture } from '../../../tests/support/catalog-fixture.ts';
import { API_KEY, makeHarness, type Harness } from '../../../tests/support/harness.ts';
import { MAX_SESSION_EVENTS } from './publishable-policy.ts';

const f = makeFixture();
const PK = 'pk_test_edges_0123456789';
const PK_SHOP_ONLY = 'pk_test_shop_only_0123456789';
const SHOP = 'https://shop.example';
const SESSION = 's_edges_0123456789';
let store: KvStore;
let h: Harness;

beforeEach(async () => {
  store = createMemoryStore();
  await publishFixture(store, f);
  h = makeHarness(store, f, { config: { publishableKeys: [{ key: PK, origins: [SHOP, 'self'] }, { key: PK_SHOP_ONLY, origins: [SHOP] }], publishableRateLimit: { requests: 1000, windowSec: 60 } } });
});

const get = (headers: Record<string, string>, path = '/v1/items/1') => h.app.request(path, { headers });
const post = (path: string, body: unknown, headers: Record<string, string>) => h.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('presenting a key', () => {
  it('Bearer with any run of spaces, or X-API-Key', async () => {
    expect((await get({ authorization: `Bearer    ${API_KEY}` })).status).toBe(200);
    expect((await get({ authorization: `bearer ${API_KEY}` })).status).toBe(200);
    expect((await get({ 'x-api-key': API_KEY })).status).toBe(200);
  });

  it('anything else is "missing" (401, WWW-Authenticate: Bearer); a well-formed unknown key is "unknown" (invalid_token)', async () => {
    for (const authorization of [`xBearer ${API_KEY}`, `Bearer ${API_KEY} extra`, 'Bearer', 'Bearer ', `Basic ${API_KEY}`]) {
      const r = await get({ authorization });
      expect(r.status, authorization).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
      expect(await r.json()).toMatchObject({ error: 'unauthorized', message: 'missing API key (Authorization: Bearer <key>)' });
    }
    const none = await get({});
    expect(none.status).toBe(401);
    const unknown = await get({ authorization: 'Bearer not-a-configured-key-000' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await unknown.json()).toMatchObject({ error: 'unauthorized', message: 'unknown API key' });
  });
});

describe('origins', () => {
  it('Origin "null" (sandboxed page) falls back to the Referer', async () => {
    expect((await get({ authorization: `Bearer ${PK}`, origin: 'null', referer: `${SHOP}/product/7` })).status).toBe(200);
    expect((await get({ authorization: `Bearer ${PK}`, origin: 'null', referer: 'https://evil.example/x' })).status).toBe(403);
    expect((await get({ authorization: `Bearer ${PK}`, referer: 'not a url' })).status).toBe(403);
  });

  it('a publishable key from an unlisted origin or from nowhere: 403 saying which', async () => {
    const evil = await get({ authorization: `Bearer ${PK}`, origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toMatchObject({ error: 'origin_not_allowed', message: expect.stringContaining('may not be used from https://evil.example;') });
    const nowhere = await get({ authorization: `Bearer ${PK}` });
    expect(nowhere.status).toBe(403);
    expect(await nowhere.json()).toMatchObject({ error: 'origin_not_allowed', message: expect.stringContaining('from a request without Origin or Referer') });
  });

  it("'self' is the edge's own origin, and only for keys that list it", async () => {
    const self = new URL((await h.app.request('/healthz')).url || 'http://localhost/').origin;
    expect((await get({ authorization: `Bearer ${PK}`, origin: self })).status).toBe(200);
    expect((await get({ authorization: `Bearer ${PK_SHOP_ONLY}`, origin: self })).status).toBe(403);
    expect((await get({ authorization: `Bearer ${PK_SHOP_ONLY}`, origin: SHOP })).status).toBe(200);
  });

  it('a secret key from another origin\'s page: 403 secret_key_in_browser with the advice', async () => {
    const r = await get({ authorization: `Bearer ${API_KEY}`, origin: SHOP });
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ error: 'secret_key_in_browser', message: expect.stringContaining('use a publishable key (pk_...) in the browser') });
  });
});

describe('the publishable route table is anchored at both ends', () => {
  const pk = { authorization: `Bearer ${PK}`, origin: SHOP };
  it('near-miss paths are refused (403), not routed (404)', async () => {
    for (const path of ['/v1/recommendx', '/v1/x/v1/recommend', '/v1/explainx', '/v1/x/v1/explain', '/v1/eventsx', '/v1/x/v1/events']) {
      const r = await post(path, { recentItems: ['1'] }, pk);
      expect(r.status, path).toBe(403);
      expect(await r.json()).toMatchObject({ error: 'forbidden_for_publishable_key', message: expect.stringContaining(`may not call POST ${path}`) });
    }
    expect((await get(pk, '/v1/items/12')).status).toBe(200); // ids of several characters
    for (const path of ['/v1/items/1/x', '/v1/x/v1/items/1']) expect((await get(pk, path)).status, path).toBe(403);
  });

  it('session events: a userId, a missing sessionId, more than the limit are refused with the reason; non-objects reach the validator (400)', async () => {
    const ev = (i: number, extra: Record<string, unknown> = { sessionId: SESSION }) => ({ eventId: `e${i}`, itemId: '1', ...extra });
    const refused = async (body: unknown, reason: string) => {
      const r = await post('/v1/events', body, pk);
      expect(r.status).toBe(403);
      expect(await r.json()).toMatchObject({ error: 'forbidden_for_publishable_key', message: reason });
    };
    await refused(ev(1, { userId: 'u1', sessionId: SESSION }), 'publishable keys post events for a sessionId, never a userId');
    await refused(ev(1, {}), 'publishable keys post events tagged with a sessionId');
    await refused({ events: Array.from({ length: MAX_SESSION_EVENTS + 1 }, (_, i) => ev(i)) }, `publishable keys post at most ${MAX_SESSION_EVENTS} events per request`);
    expect((await post('/v1/events', { events: Array.from({ length: MAX_SESSION_EVENTS }, (_, i) => ev(i)) }, pk)).status).toBe(200);
    for (const body of [[], [ev(1)], { events: [1] }, 'text']) expect((await post('/v1/events', body, pk)).status, JSON.stringify(body)).toBe(400);
  });
});

describe('rate limits', () => {
  it('429 with Retry-After = the seconds until the window frees up (at least 1), limit and remaining headers', async () => {
    let t = Date.UTC(2026, 0, 1, 0, 0, 15); // 15 s into a 60 s window
    const lh = makeHarness(store, f, { config: { rateLimit: { requests: 2, windowSec: 60 } }, deps: { clock: () => t } });
    const first = await lh.call('GET', '/v1/items/1');
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    await lh.call('GET', '/v1/items/1');
    const r = await lh.call('GET', '/v1/items/1');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('45');
    expect(r.json).toMatchObject({ error: 'rate_limited', message: 'rate limit of 2 requests exceeded for this API key; retry in 45 s' });
    t += 44_999.5;
    expect((await lh.call('GET', '/v1/items/1')).headers.get('retry-after')).toBe('1');
  });

  it('a publishable key is also limited per client address, and says so', async () => {
    const ph = makeHarness(store, f, { config: { publishableKeys: [{ key: PK, origins: [SHOP] }], publishableRateLimit: { requests: 1, windowSec: 60 } } });
    const hd = { authorization: `Bearer ${PK}`, origin: SHOP };
    expect((await ph.app.request('/v1/items/1', { headers: hd })).status).toBe(200);
    const r = await ph.app.request('/v1/items/1', { headers: hd });
    expect(r.status).toBe(429);
    expect((await r.json()).message).toMatch(/exceeded for this publishable key from this address/);
  });

  it('a limiter that fails is a 503 kv_unavailable (the store behind it is down), with the error only in the log', async () => {
    const lines: Record<string, unknown>[] = [];
    const broken = makeHarness(store, f, { deps: { rateLimiter: { kind: 'redis', limit: async () => { throw new Error('socket hang up 10.1.2.3:6379'); } }, log: (l) => lines.push(l) } });
    const r = await broken.call('GET', '/v1/items/1');
    expect(r.status).toBe(503);
    expect(r.json).toMatchObject({ error: 'kv_unavailable', message: 'the key-value store is unreachable; retry later' });
    expect(lines.find((l) => l.requestId === r.json.requestId)?.detail).toBe('rate limiter: socket hang up 10.1.2.3:6379');
  });
});
