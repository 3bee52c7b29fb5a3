// The typed client against a real Node edge (fixture catalog, real worker app, real rate limiter) and, for
// retry timing, a scripted HTTP server that answers exactly the statuses and Retry-After values under test.
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test-support/free-port.ts';
import { startFixtureEdge, type FixtureEdge } from '../../tests/support/fixture-edge.ts';
import { API_KEY } from '../../tests/support/harness.ts';
import { createClient, explain, getItem, LlmrecError, newSessionId, recommend, retryAfterSeconds, sendEvents } from './index.ts';

let edge: FixtureEdge;
beforeAll(async () => {
  edge = await startFixtureEdge();
});
afterAll(() => edge?.close());

describe('against the edge', () => {
  it('recommends for users and sessions, surfacing degraded and source', async () => {
    const c = createClient({ baseUrl: edge.url, apiKey: API_KEY });
    const r = await recommend(c, { userId: 'u1', k: 4 });
    expect(r).toMatchObject({ degraded: false, source: 'worker', userId: 'u1' });
    expect(r.items).toHaveLength(4);
    const s = await recommend(c, { sessionId: newSessionId(), k: 3 });
    expect(s).toMatchObject({ degraded: false, source: 'popular' });
  });

  it('generates event ids, so a resent batch is acknowledged as duplicates', async () => {
    const c = createClient({ baseUrl: `${edge.url}/`, apiKey: API_KEY });
    const sessionId = newSessionId();
    const first = await sendEvents(c, [{ sessionId, itemId: '2', type: 'click' }, { sessionId, itemId: '5' }]);
    expect(first).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(first.eventIds).toHaveLength(2);
    expect(new Set(first.eventIds).size).toBe(2);
    for (const id of first.eventIds) expect(id).toMatch(/^e_[A-Za-z0-9_-]{22}$/);
    const again = await sendEvents(c, [{ sessionId, itemId: '2', type: 'click', eventId: first.eventIds[0] }, { sessionId, itemId: '5', eventId: first.eventIds[1] }]);
    expect(again).toMatchObject({ accepted: 0, duplicates: 2 });
    const one = await sendEvents(c, { sessionId, itemId: '8' });
    expect(one.accepted).toBe(1);
    const after = await recommend(c, { sessionId, k: 5 });
    expect(after.source).toBe('worker');
    expect(after.items.map((i) => i.id)).not.toContain('8');
  });

  it('reads items and explanations; errors carry status, code, problems and request id', async () => {
    const c = createClient({ baseUrl: edge.url, apiKey: API_KEY });
    expect((await getItem(c, '7')).title).toBe(edge.fixture.titles[6]);
    const e = await explain(c, { userId: 'u1', itemId: '10' });
    expect(e.explanations[0]?.item.id).toBe('10');
    const err = await recommend(c, { userId: 'u1', k: 0 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(LlmrecError);
    expect(err).toMatchObject({ status: 400, code: 'bad_request', problems: [{ path: 'k' }] });
    expect((err as LlmrecError).requestId).toMatch(/.+/);
    await expect(recommend(createClient({ baseUrl: edge.url, apiKey: 'nope-0123456789' }), { userId: 'u1' })).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('waits out a real 429 (Retry-After from the edge’s rate limiter) and succeeds', async () => {
    const limited = await startFixtureEdge({ config: { rateLimit: { requests: 1, windowSec: 1 } } });
    try {
      const c = createClient({ baseUrl: limited.url, apiKey: API_KEY, maxDelayMs: 3000 });
      // The limiter is a sliding window over clock-aligned 1 s windows: a first request late in a window barely
      // counts against the next one, so a second request just after a boundary would pass. Start early in a window.
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
      await recommend(c, { userId: 'u1', k: 2 });
      const t0 = Date.now();
      const r = await recommend(c, { userId: 'u1', k: 2 });
      expect(r.items).toHaveLength(2);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // Retry-After: 1
      const noRetry = createClient({ baseUrl: limited.url, apiKey: API_KEY, retries: 0 });
      await expect(recommend(noRetry, { userId: 'u1', k: 2 })).rejects.toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 1 });
    } finally {
      await limited.close();
    }
  });
});

describe('retries (scripted server)', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  /** Serves the scripted answers in order (the last one repeats); returns the base URL and the hit count. */
  async function script(answers: { status: number; headers?: Record<string, string> }[]) {
    let hits = 0;
    server = createServer((req, res) => {
      const a = answers[Math.min(hits++, answers.length - 1)]!;
      if (a.status === 0) return req.socket.destroy(); // a dropped connection: fetch fails with a network error
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(JSON.stringify(a.status < 300 ? { requestId: 'r', userId: null, items: [], degraded: true, source: 'popular', model: 'm', reason: 'worker_timeout' } : { error: `e${a.status}`, message: `status ${a.status}` }));
    });
    const port = await freePort();
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', () => r()));
    return { url: `http://127.0.0.1:${port}`, hits: () => hits };
  }

  it('backs off on 503 without Retry-After, then succeeds', async () => {
    const s = await script([{ status: 503 }, { status: 503 }, { status: 200 }]);
    const r = await recommend(createClient({ baseUrl: s.url, apiKey: 'k', backoffMs: 5 }), { recentItems: ['1'] });
    expect(r.degraded).toBe(true);
    expect(s.hits()).toBe(3);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const s = await script([{ status: 429, headers: { 'retry-after': new Date(Date.now() + 1500).toUTCString() } }, { status: 200 }]);
    const t0 = Date.now();
    await recommend(createClient({ baseUrl: s.url, apiKey: 'k' }), { recentItems: ['1'] });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400); // the date has 1 s resolution: at least ~0.5 s of it is left
    expect(s.hits()).toBe(2);
  });

  it('gives up after `retries`, never retries other errors, and does not wait past maxDelayMs', async () => {
    const busy = await script([{ status: 503, headers: { 'retry-after': '0' } }]);
    await expect(recommend(createClient({ baseUrl: busy.url, apiKey: 'k', retries: 2 }), { recentItems: ['1'] })).rejects.toMatchObject({ status: 503 });
    expect(busy.hits()).toBe(3);
    await new Promise<void>((r) => server!.close(() => r()));
    const bad = await script([{ status: 400 }]);
    await expect(recommend(createClient({ baseUrl: bad.url, apiKey: 'k' }), { recentItems: ['1'] })).rejects.toMatchObject({ status: 400 });
    expect(bad.hits()).toBe(1);
    await new Promise<void>((r) => server!.close(() => r()));
    const long = await script([{ status: 429, headers: { 'retry-after': '120' } }]);
    const t0 = Date.now();
    await expect(recommend(createClient({ baseUrl: long.url, apiKey: 'k' }), { recentItems: ['1'] })).rejects.toMatchObject({ status: 429, retryAfter: 120 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(long.hits()).toBe(1);
  });

  it('retries dropped connections, and reports a dead endpoint with status 0', async () => {
    const s = await script([{ status: 0 }, { status: 0 }, { status: 200 }]);
    expect((await recommend(createClient({ baseUrl: s.url, apiKey: 'k', backoffMs: 5 }), { recentItems: ['1'] })).source).toBe('popular');
    expect(s.hits()).toBe(3);
    const port = await freePort(); // nothing listens
    const t0 = Date.now();
    await expect(recommend(createClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', retries: 2, backoffMs: 5 }), { recentItems: ['1'] })).rejects.toMatchObject({ status: 0, code: 'network' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('stops waiting when aborted', async () => {
    const s = await script([{ status: 503, headers: { 'retry-after': '5' } }]);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('stop')), 100);
    const t0 = Date.now();
    await expect(recommend(createClient({ baseUrl: s.url, apiKey: 'k' }), { recentItems: ['1'] }, { signal: ctl.signal })).rejects.toThrow('stop');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('parses Retry-After forms', () => {
    expect(retryAfterSeconds('3')).toBe(3);
    expect(retryAfterSeconds(new Date(10_000).toUTCString(), 4_000)).toBe(6);
    expect(retryAfterSeconds('soon')).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
  });
});
