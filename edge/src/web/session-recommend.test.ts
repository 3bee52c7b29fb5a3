// Browser sessions through the API (issue 13): a new session gets the popular list (cold start, not
// degraded); its events become its history, so the next ranking follows them (online adaptation); sessions
// live in their own namespace, apart from every userId.
import { beforeEach, describe, expect, it } from 'vitest';
import { sessionUserId } from '@llmrec/shared/api/session.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { makeFixture, publishFixture, publishFixtureLatents } from '../../../tests/support/catalog-fixture.ts';
import { makeHarness, type Harness } from '../../../tests/support/harness.ts';

const f = makeFixture();
const S = 's_session0123456789ab';
let store: KvStore;
let h: Harness;
const ids = (r: { json: { items: { id: string }[] } }) => r.json.items.map((i) => i.id);

beforeEach(async () => {
  store = createMemoryStore();
  await publishFixture(store, f);
  await publishFixtureLatents(store, f);
  h = makeHarness(store, f);
});

describe('POST /v1/recommend with a sessionId', () => {
  it('answers a new session with the popular list: cold start, not degraded', async () => {
    const r = await h.call('POST', '/v1/recommend', { sessionId: S, k: 5 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ sessionId: S, userId: null, degraded: false, source: 'popular' });
    expect(r.json.reason).toBeUndefined();
    expect(ids(r)).toEqual(f.popular.slice(0, 5));
  });

  it('ranks from the session’s events once it has some, and each choice moves the list', async () => {
    const cold = await h.call('POST', '/v1/recommend', { sessionId: S, k: 6 });
    // Item 2 is in cluster 1: the session's ranking must turn to cluster 1 and drop item 2.
    expect((await h.call('POST', '/v1/events', { eventId: 'ev-1', sessionId: S, itemId: '2', type: 'click' })).json.accepted).toBe(1);
    const warm = await h.call('POST', '/v1/recommend', { sessionId: S, k: 6 });
    expect(warm.json).toMatchObject({ source: 'worker', degraded: false, sessionId: S, userId: null });
    expect(ids(warm)).not.toContain('2');
    for (const id of ids(warm)) expect(f.clusterOf(Number(id) - 1)).toBe(1);
    expect(ids(warm)).not.toEqual(ids(cold));
    await h.call('POST', '/v1/events', { eventId: 'ev-2', sessionId: S, itemId: ids(warm)[0]!, type: 'click' });
    const next = await h.call('POST', '/v1/recommend', { sessionId: S, k: 6 });
    expect(ids(next)).not.toContain(ids(warm)[0]);
  });

  it('explains a session’s recommendations from the session’s own history', async () => {
    await h.call('POST', '/v1/events', { events: [{ eventId: 'ev-a', sessionId: S, itemId: '2' }, { eventId: 'ev-b', sessionId: S, itemId: '5' }] });
    const r = await h.call('POST', '/v1/recommend', { sessionId: S, k: 3, explain: true });
    expect(r.status).toBe(200);
    for (const it of r.json.items) {
      expect(it.explanation.item.id).toBe(it.id);
      for (const n of it.explanation.evidence.neighbours) expect(['2', '5']).toContain(n.id);
    }
    expect(r.json.items.some((it: { explanation: { evidence: { neighbours: unknown[] } } }) => it.explanation.evidence.neighbours.length > 0)).toBe(true);
  });

  it('still ranks when the catalog has no latents to explain from (explanations omitted, not an error)', async () => {
    const bare = createMemoryStore();
    await publishFixture(bare, f);
    const hb = makeHarness(bare, f);
    await hb.call('POST', '/v1/events', { eventId: 'ev-l', sessionId: S, itemId: '2' });
    const r = await hb.call('POST', '/v1/recommend', { sessionId: S, k: 3, explain: true });
    expect(r.status).toBe(200);
    expect(r.json.items).toHaveLength(3);
    expect(r.json.items.every((it: { explanation?: unknown }) => it.explanation === undefined)).toBe(true);
    expect((await hb.call('POST', '/v1/explain', { history: ['2'], itemId: '5' })).json.error).toBe('latents_unavailable');
  });

  it('keeps sessions apart from users', async () => {
    await h.call('POST', '/v1/events', { eventId: 'ev-x', sessionId: S, itemId: '2' });
    // Stored under the session namespace, never under a userId equal to the session id.
    expect((await h.call('POST', '/v1/recommend', { userId: S })).status).toBe(404);
    const asInternal = await h.call('POST', '/v1/recommend', { userId: sessionUserId(S), k: 4 });
    expect(ids(asInternal)).toEqual(ids(await h.call('POST', '/v1/recommend', { sessionId: S, k: 4 })));
  });

  it('validates session ids and the one-of rule', async () => {
    const short = await h.call('POST', '/v1/recommend', { sessionId: 'abc' });
    expect(short.status).toBe(400);
    expect(short.json.problems[0].path).toBe('sessionId');
    expect((await h.call('POST', '/v1/recommend', { sessionId: S, userId: 'u1' })).status).toBe(400);
    expect((await h.call('POST', '/v1/events', { eventId: 'e', itemId: '1' })).status).toBe(400);
    expect((await h.call('POST', '/v1/events', { eventId: 'e', itemId: '1', userId: 'u1', sessionId: S })).status).toBe(400);
  });
});
