// Publishable keys end to end through app.request() with the real worker app (issue 13): CORS preflights
// granted only to configured origins and session routes, the default-deny route table (also for a route added
// after the policy was written), origin checks, secret keys kept server-only, per key + address rate limits,
// and constant-time key matching.
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { makeFixture, publishFixture, publishFixtureLatents } from '../../../tests/support/catalog-fixture.ts';
import { API_KEY, makeHarness, type Harness } from '../../../tests/support/harness.ts';
import { findDigest, keyMatcher } from './auth.ts';

const f = makeFixture();
const PK = 'pk_test_0123456789abcdef';
const SHOP = 'https://shop.example';
const SESSION = 's_0123456789abcdefXYZ';
let store: KvStore;
let h: Harness;

const pk = (origin: string | null, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${PK}`, ...(origin ? { origin } : {}), ...extra });

beforeEach(async () => {
  store = createMemoryStore();
  await publishFixture(store, f);
  await publishFixtureLatents(store, f);
  h = makeHarness(store, f, { config: { publishableKeys: [{ key: PK, origins: [SHOP, 'self'] }], publishableRateLimit: { requests: 1000, windowSec: 60 } } });
  // A write route registered after the policy: publishable keys must be refused on it without a rule.
  h.app.delete('/v1/later/:id', (c) => c.json({ erased: c.req.param('id') }));
});

function preflight(path: string, origin: string, method = 'POST', headers = 'authorization, content-type') {
  return h.app.request(path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });
}

describe('CORS preflight', () => {
  it('grants an allowed origin on a session route: 2xx with its Access-Control-Allow-Origin', async () => {
    const r = await preflight('/v1/recommend', SHOP);
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(r.headers.get('access-control-allow-methods')).toBe('POST');
    expect(r.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(r.headers.get('vary')).toContain('Origin');
  });

  it('gives another origin no grant', async () => {
    const r = await preflight('/v1/recommend', 'https://evil.example');
    expect(r.status).toBe(403);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("grants 'self' only to the edge's own origin", async () => {
    expect((await preflight('/v1/events', 'http://localhost')).headers.get('access-control-allow-origin')).toBe('http://localhost');
    expect((await preflight('/v1/events', 'http://localhost:9999')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('gives no grant for routes or methods publishable keys may not use, nor for unexpected headers', async () => {
    for (const [path, method] of [['/v1/items/1', 'DELETE'], ['/v1/items/1', 'PUT'], ['/v1/users/1', 'DELETE'], ['/api/feedback', 'POST'], ['/v1/recommend', 'PUT']] as const) {
      const r = await preflight(path, SHOP, method);
      expect(r.headers.get('access-control-allow-origin'), `${method} ${path}`).toBeNull();
    }
    expect((await preflight('/v1/recommend', SHOP, 'POST', 'authorization, x-custom')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight('/v1/items/1', SHOP, 'GET', 'authorization')).headers.get('access-control-allow-origin')).toBe(SHOP);
  });
});

describe('publishable key requests', () => {
  it('serves a session from an allowed origin with a CORS grant', async () => {
    const r = await h.call('POST', '/v1/recommend', { sessionId: SESSION, k: 5 }, pk(SHOP));
    expect(r.status).toBe(200);
    expect(r.json.sessionId).toBe(SESSION);
    expect(r.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(r.headers.get('access-control-expose-headers')).toContain('retry-after');
    const anon = await h.call('POST', '/v1/recommend', { recentItems: ['1', '4'], k: 5 }, pk(SHOP));
    expect(anon.status).toBe(200);
  });

  it('refuses userId recommendations with 403 (never another user’s history)', async () => {
    const r = await h.call('POST', '/v1/recommend', { userId: 'u1', k: 5 }, pk(SHOP));
    expect(r.status).toBe(403);
    expect(r.json.error).toBe('forbidden_for_publishable_key');
    // The refusal is readable by the allowed page (so the widget can say why), and the worker was never asked.
    expect(r.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(h.workerCalls()).toBe(0);
  });

  it('refuses explanations for a userId, allows them for an explicit history', async () => {
    expect((await h.call('POST', '/v1/explain', { userId: 'u1', itemId: '7' }, pk(SHOP))).status).toBe(403);
    expect((await h.call('POST', '/v1/explain', { history: ['1', '4'], itemId: '7' }, pk(SHOP))).status).toBe(200);
  });

  it("explains a session's recommendations by sessionId: evidence from the session's own events", async () => {
    // The session clicks three cluster-0 items (fixture: ids 1, 4, 7), then asks why its recommendations.
    const events = ['1', '4', '7'].map((itemId, i) => ({ eventId: `se-${i}`, sessionId: SESSION, itemId, type: 'click' }));
    expect((await h.call('POST', '/v1/events', { events }, pk(SHOP))).json.accepted).toBe(3);
    const rec = await h.call('POST', '/v1/recommend', { sessionId: SESSION, k: 3 }, pk(SHOP));
    const ids = rec.json.items.map((i: { id: string }) => i.id);
    const r = await h.call('POST', '/v1/explain', { sessionId: SESSION, itemIds: ids }, pk(SHOP));
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(r.json.explanations.map((e: { item: { id: string } }) => e.item.id)).toEqual(ids);
    for (const e of r.json.explanations) {
      expect(e.degraded, JSON.stringify(e)).toBeUndefined();
      expect(e.faithfulness).not.toBeNull();
      // Cited history: the session's clicks (and nothing of any user's).
      expect(e.evidence.neighbours.length).toBeGreaterThan(0);
      for (const n of e.evidence.neighbours) expect(['1', '4', '7']).toContain(n.id);
    }
    // Another session without events: nothing to explain from (the baseline says so), never someone else's history.
    const fresh = await h.call('POST', '/v1/explain', { sessionId: `${SESSION}-fresh`, itemId: ids[0] }, pk(SHOP));
    expect(fresh.status).toBe(200);
    expect(fresh.json.explanations[0]).toMatchObject({ degraded: 'no-history', evidence: { neighbours: [] } });
    // userId and sessionId together: 400; a userId with a publishable key: 403.
    expect((await h.call('POST', '/v1/explain', { sessionId: SESSION, userId: 'u1', itemId: ids[0] })).status).toBe(400);
    expect((await h.call('POST', '/v1/explain', { sessionId: SESSION, userId: 'u1', itemId: ids[0] }, pk(SHOP))).status).toBe(403);
  });

  it('takes events only tagged with one session, never a userId', async () => {
    const ok = await h.call('POST', '/v1/events', { eventId: 'e-1', sessionId: SESSION, itemId: '3' }, pk(SHOP));
    expect(ok.status).toBe(200);
    expect(ok.json.accepted).toBe(1);
    const asUser = await h.call('POST', '/v1/events', { eventId: 'e-2', userId: 'u1', itemId: '3' }, pk(SHOP));
    expect(asUser.status).toBe(403);
    const mixed = await h.call('POST', '/v1/events', { events: [{ eventId: 'e-3', sessionId: SESSION, itemId: '3' }, { eventId: 'e-4', sessionId: `${SESSION}2`, itemId: '3' }] }, pk(SHOP));
    expect(mixed.status).toBe(403);
    const hidden = await h.call('POST', '/v1/events', { events: [{ eventId: 'e-5', sessionId: SESSION, itemId: '3' }, { eventId: 'e-6', userId: 'u2', itemId: '3' }] }, pk(SHOP));
    expect(hidden.status).toBe(403);
    // u1's history is untouched: a secret-key read still excludes exactly its three items.
    const u1 = await h.call('POST', '/v1/recommend', { userId: 'u1', k: 60 });
    expect(u1.json.items).toHaveLength(57);
  });

  it('reads items (GET) from a same-origin page that sends only a Referer', async () => {
    const r = await h.call('GET', '/v1/items/5', undefined, { authorization: `Bearer ${PK}`, referer: 'http://localhost/demo' });
    expect(r.status).toBe(200);
    expect(r.json.title).toBe(f.titles[4]);
  });

  it('refuses writes, erasure, Gorse routes and routes added later (default deny)', async () => {
    for (const [method, path] of [['DELETE', '/v1/users/u1'], ['PUT', '/v1/items'], ['PUT', '/v1/items/1'], ['DELETE', '/v1/items/1'], ['DELETE', '/v1/later/1'], ['GET', '/api/item/1'], ['GET', '/api/recommend/u1']] as const) {
      const r = await h.call(method, path, undefined, pk(SHOP));
      expect(r.status, `${method} ${path}`).toBe(403);
      // Gorse routes answer errors as text (what Gorse clients show); the code is in a header there.
      expect(path.startsWith('/api/') ? r.headers.get('x-error-code') : r.json.error).toBe('forbidden_for_publishable_key');
    }
    // The same added route works with a secret key: the refusal is the policy, not a missing route.
    expect((await h.call('DELETE', '/v1/later/u1')).json).toEqual({ erased: 'u1' });
    // ... and the real erasure route (issue 11) answers a secret key.
    expect((await h.call('DELETE', '/v1/users/u1')).json).toMatchObject({ userId: 'u1', removed: { history: true } });
  });

  it('refuses other origins and requests without an origin, with no CORS grant', async () => {
    const evil = await h.call('POST', '/v1/recommend', { sessionId: SESSION }, pk('https://evil.example'));
    expect(evil.status).toBe(403);
    expect(evil.json.error).toBe('origin_not_allowed');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const none = await h.call('POST', '/v1/recommend', { sessionId: SESSION }, pk(null));
    expect(none.status).toBe(403);
    expect(h.workerCalls()).toBe(0);
  });
});

describe('secret keys stay server-only', () => {
  it('are refused from another origin’s page and never get a CORS grant', async () => {
    const r = await h.call('POST', '/v1/recommend', { userId: 'u1' }, { origin: SHOP });
    expect(r.status).toBe(403);
    expect(r.json.error).toBe('secret_key_in_browser');
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    expect(h.workerCalls()).toBe(0);
  });

  it('work from servers (no Origin) and same-origin pages such as /docs, without CORS headers', async () => {
    expect((await h.call('POST', '/v1/recommend', { userId: 'u1' })).status).toBe(200);
    const same = await h.call('POST', '/v1/recommend', { userId: 'u1' }, { origin: 'http://localhost' });
    expect(same.status).toBe(200);
    expect(same.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('are also read from X-API-Key (Gorse clients)', async () => {
    const r = await h.call('POST', '/v1/recommend', { userId: 'u1' }, { authorization: '', 'x-api-key': API_KEY });
    expect(r.status).toBe(401); // an Authorization header, even empty, is what counts when present
    const res = await h.app.request('/v1/items/1', { headers: { 'x-api-key': API_KEY } });
    expect(res.status).toBe(200);
  });
});

describe('rate limit per publishable key and client address', () => {
  it('limits one address without starving another, and the 429 is readable cross-origin', async () => {
    h = makeHarness(store, f, { config: { publishableKeys: [{ key: PK, origins: [SHOP] }], publishableRateLimit: { requests: 2, windowSec: 60 }, clientAddressHeader: 'x-forwarded-for' } });
    const from = (ip: string) => h.call('GET', '/v1/items/1', undefined, pk(SHOP, { 'x-forwarded-for': `${ip}, 10.0.0.1` }));
    expect((await from('198.51.100.1')).status).toBe(200);
    expect((await from('198.51.100.1')).status).toBe(200);
    const third = await from('198.51.100.1');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(third.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect((await from('198.51.100.2')).status).toBe(200);
    // Secret keys are not limited per address (only per key).
    for (let i = 0; i < 4; i++) expect((await h.call('GET', '/v1/items/1', undefined, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
  });
});

describe('constant-time key matching', () => {
  it('finds the matching digest among all, whatever the key lengths', async () => {
    const match = keyMatcher(['secret-key-1', 'a-much-longer-secret-key-2'], [{ key: PK, origins: [SHOP] }]);
    expect(await match('secret-key-1')).toEqual({ keyId: 'key0', kind: 'secret' });
    expect(await match('a-much-longer-secret-key-2')).toEqual({ keyId: 'key1', kind: 'secret' });
    expect(await match(PK)).toEqual({ keyId: 'pk0', kind: 'publishable', origins: [SHOP] });
    for (const wrong of ['', 'secret-key-', 'secret-key-12', 'secret-key-2', PK.slice(0, -1)]) expect(await match(wrong)).toBeNull();
  });

  it('findDigest compares every byte (a difference in the last byte only is a mismatch)', () => {
    const a = new Uint8Array(32).fill(7);
    const b = a.slice();
    b[31] = 8;
    expect(findDigest(a, [{ digest: b }, { digest: a }])).toBe(1);
    expect(findDigest(a, [{ digest: b }])).toBe(-1);
    expect(findDigest(a, [])).toBe(-1);
  });
});
