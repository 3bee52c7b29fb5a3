// What clients see when something breaks (issue 14.7): stable reason codes and messages, never a host, port,
// errno or backend error text; the details go to the request's log line with its request id. /readyz is cheap
// (one computation per second, shared by concurrent callers) and says only ready / not ready without an API key.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DegradedReason } from '@llmrec/shared/api/http.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { makeFixture, publishFixture } from '../../tests/support/catalog-fixture.ts';
import { API_KEY, makeHarness, testConfig } from '../../tests/support/harness.ts';
import { createApp } from './app.ts';
import { keepAliveFetch } from './node-http-fetch.ts';
import { httpWorkerClient } from './worker-client.ts';

const f = makeFixture();
/** Anything that looks like an address, a port, an errno or a raw socket message. */
const LEAK = /\d{1,3}(?:\.\d{1,3}){3}|localhost|[\w\]]:\d{2,5}\b|\bE[A-Z]{4,}\b|fetch failed|socket|6379/;

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function appWith(store: KvStore, worker: ReturnType<typeof httpWorkerClient>, lines: Record<string, unknown>[], clock?: () => number) {
  return createApp({ store, worker, config: testConfig({ workerTimeoutMs: 1000 }), log: (l) => lines.push(l), ...(clock ? { clock } : {}) });
}

const call = async (app: ReturnType<typeof createApp>, method: string, path: string, body?: unknown, key: string | null = API_KEY) => {
  const res = await app.request(path, { method, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, text: await res.text() };
};

describe('degraded reasons are stable codes', () => {
  for (const [name, fetchImpl] of [['global fetch', undefined], ['keep-alive node:http fetch', keepAliveFetch()]] as const) {
    it(`worker down (${name}, a real refused connection): reason "unreachable", the socket error only in the log line`, async () => {
      const store = createMemoryStore();
      await publishFixture(store, f);
      const lines: Record<string, unknown>[] = [];
      const port = await closedPort();
      const app = await appWith(store, httpWorkerClient({ url: `http://127.0.0.1:${port}`, secret: 'worker-secret-0123456789', ...(fetchImpl ? { fetch: fetchImpl } : {}) }), lines);
      const r = await call(app, 'POST', '/v1/recommend', { userId: 'u2', k: 3 });
      expect(r.status).toBe(200);
      const body = JSON.parse(r.text);
      expect(body).toMatchObject({ degraded: true, reason: 'unreachable' });
      expect(DegradedReason.options).toContain(body.reason);
      expect(r.text).not.toMatch(LEAK);
      const line = lines.find((l) => l.requestId === body.requestId)!;
      expect(line).toMatchObject({ degraded: true, reason: 'unreachable' });
      expect(String(line.detail)).toMatch(new RegExp(`ECONNREFUSED|${port}|fetch failed`));
    });
  }

  it('timeout, and the circuit breaker open after repeated failures: "timeout", "circuit_open"', async () => {
    const store = createMemoryStore();
    await publishFixture(store, f);
    const h = makeHarness(store, f);
    h.setWorker('slow');
    const slow = await h.call('POST', '/v1/recommend', { userId: 'u1', k: 2 });
    expect(slow.json.reason).toBe('timeout');
    h.setWorker('down');
    const reasons = [];
    for (let k = 0; k < 4; k++) reasons.push((await h.call('POST', '/v1/recommend', { userId: 'u1', k: 2 })).json.reason);
    expect(reasons.slice(0, 2)).toEqual(['unreachable', 'unreachable']);
    expect(reasons.slice(2)).toEqual(['circuit_open', 'circuit_open']);
  });
});

describe('503 bodies', () => {
  it('a KV outage answers kv_unavailable with a fixed message; the backend error goes to the log with the request id', async () => {
    const store = createMemoryStore();
    await publishFixture(store, f);
    const broken = new Proxy(store, {
      get(t, p, r) {
        const v = Reflect.get(t, p, r);
        if (typeof v === 'function' && p !== 'kind') return () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:6379'));
        return v;
      },
    });
    const lines: Record<string, unknown>[] = [];
    const h = makeHarness(broken, f, { deps: { log: (l) => lines.push(l) } });
    for (const [method, path, body] of [['POST', '/v1/recommend', { userId: 'u1' }], ['POST', '/v1/events', { eventId: 'x', userId: 'u1', itemId: '1' }], ['GET', '/v1/items/1', undefined]] as const) {
      const r = await h.call(method, path, body);
      expect(r.status).toBe(503);
      expect(r.json).toMatchObject({ error: 'kv_unavailable', message: 'the key-value store is unreachable; retry later' });
      expect(JSON.stringify(r.json)).not.toMatch(LEAK);
      const line = lines.find((l) => l.requestId === r.json.requestId)!;
      expect(String(line.detail)).toMatch(/ECONNREFUSED 10\.0\.0\.7:6379/);
    }
  });
});

describe('/readyz', () => {
  async function setup(store: KvStore = createMemoryStore()) {
    await publishFixture(createMemoryStore(), f);
    let t = 1_000_000;
    const lines: Record<string, unknown>[] = [];
    const h = makeHarness(store, f, { deps: { clock: () => t, log: (l) => lines.push(l) } });
    return { h, lines, advance: (ms: number) => (t += ms) };
  }

  it('without a valid key: only { ready }; with one: the components (codes, never error text)', async () => {
    const store = createMemoryStore();
    await publishFixture(store, f);
    const { h } = await setup(store);
    const anon = await h.call('GET', '/readyz', undefined, { authorization: '' });
    expect(anon.status).toBe(200);
    expect(anon.json).toEqual({ ready: true });
    const wrong = await h.call('GET', '/readyz', undefined, { authorization: 'Bearer not-a-key-000000' });
    expect(wrong.json).toEqual({ ready: true });
    const op = await h.call('GET', '/readyz');
    expect(op.json).toMatchObject({ ready: true, store: { kind: 'memory', ok: true }, catalog: { version: f.version, items: f.ids.length }, worker: { ok: true, executionProvider: 'cpu', model: f.version } });
  });

  it('store and worker down: 503 { ready: false } without a key; with a key codes only; details in the log', async () => {
    const store = createMemoryStore();
    await publishFixture(store, f);
    const broken = new Proxy(store, {
      get(t, p, r) {
        const v = Reflect.get(t, p, r);
        if (p === 'ping') return () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:6379'));
        return v;
      },
    });
    const { h, lines } = await setup(broken);
    h.setWorker('down');
    const anon = await h.call('GET', '/readyz', undefined, { authorization: '' });
    expect(anon.status).toBe(503);
    expect(anon.json).toEqual({ ready: false });
    const op = await h.call('GET', '/readyz');
    expect(op.status).toBe(503);
    expect(op.json).toMatchObject({ ready: false, store: { ok: false, error: 'kv_unavailable' }, worker: { ok: false, error: 'unreachable' } });
    expect(JSON.stringify(op.json)).not.toMatch(LEAK);
    const details = lines.map((l) => String(l.detail ?? '')).join('\n');
    expect(details).toMatch(/ECONNREFUSED 10\.0\.0\.7:6379/);
  });

  it('is computed at most once a second (concurrent callers share it), so a flood costs no KV or worker calls', async () => {
    const store = createMemoryStore();
    await publishFixture(store, f);
    let pings = 0;
    const counted = new Proxy(store, {
      get(t, p, r) {
        const v = Reflect.get(t, p, r);
        if (p === 'ping') return () => (pings++, store.ping());
        return v;
      },
    });
    const { h, advance } = await setup(counted);
    const before = h.workerCalls();
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => h.call('GET', '/readyz', undefined, i % 2 ? {} : { authorization: '' })));
    expect(all.every((r) => r.status === 200)).toBe(true);
    expect([pings, h.workerCalls() - before]).toEqual([1, 1]);
    advance(900);
    await h.call('GET', '/readyz');
    expect([pings, h.workerCalls() - before]).toEqual([1, 1]);
    advance(200);
    await h.call('GET', '/readyz');
    expect([pings, h.workerCalls() - before]).toEqual([2, 2]);
  });
});
