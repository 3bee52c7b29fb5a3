// Fault tests with real processes and real stores:
//  1. the worker process is SIGKILLed under load -> the edge keeps answering 200 (degraded, with a reason)
//     and recovers by itself when the worker comes back;
//  2. the edge process is SIGKILLed while events stream in -> every event acknowledged with 2xx is in the
//     durable log and in the user's history after the restart (embedded SQLite, and Upstash over real Redis).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EdgeConfig } from '@llmrec/edge/config.ts';
import { startEdge } from '@llmrec/edge/entry-node.ts';
import { createUpstashStore } from '@llmrec/edge/kv/redis-rest.ts';
import { createSqliteStore } from '@llmrec/edge/kv/sqlite-store.ts';
import { httpWorkerClient } from '@llmrec/edge/worker-client.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import type { KvStore, LoggedEvent } from '@llmrec/shared/kv/store.ts';
import { startPrivateRedis } from '../test-support/redis-server.ts';
import { startUpstashRestServer } from '../test-support/upstash-rest-server.ts';
import { makeFixture, publishFixture } from './support/catalog-fixture.ts';
import { freePort, spawnService, spawnWorker, writeFixtureBundle, type Child } from './support/processes.ts';

const KEY = 'fault-key-0123456789';
const SECRET = 'fault-secret-0123456789';
const f = makeFixture();
const tmp = mkdtempSync(join(tmpdir(), 'llmrec-fault-'));
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(tmp, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(url: string, path: string, body: unknown) {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
}

describe('worker killed during load', () => {
  it('edge answers degraded while the worker is down and recovers when it returns', async () => {
    const store = createSqliteStore(join(tmp, 'worker-fault.sqlite'));
    cleanups.push(() => store.close());
    await publishFixture(store, f);
    const bundle = mkdtempSync(join(tmp, 'bundle-'));
    writeFixtureBundle(bundle, f);
    const wport = await freePort();
    const workerEnv = { LLMREC_WORKER_PORT: String(wport), LLMREC_WORKER_SECRET: SECRET, LLMREC_ARTIFACTS: bundle, LLMREC_DEVICE: 'cpu', LLMREC_LOG: 'off', LLMREC_STORE: `sqlite:${join(tmp, 'worker-fault.sqlite')}` };
    let worker: Child = await spawnWorker(workerEnv, wport);
    cleanups.push(() => worker.kill());
    // Six closed loops on one key send thousands of requests in 5 s (more on a fast machine): the per-key rate
    // limit (default 6000/60 s) is not what this test is about, so it is raised out of the way.
    const config = EdgeConfig.parse({ apiKeys: [KEY], workerUrl: worker.url, workerSecret: SECRET, workerTimeoutMs: 500, log: 'off', rateLimit: { requests: 1_000_000, windowSec: 60 } });
    const edge = await startEdge({ store, config, worker: httpWorkerClient({ url: worker.url, secret: SECRET }) });
    cleanups.push(() => edge.close());

    const results: { t: number; status: number; degraded: boolean; reason?: string }[] = [];
    const t0 = Date.now();
    let stop = false;
    const users = ['u1', 'u2', 'u3'];
    const loops = Array.from({ length: 6 }, async (_, i) => {
      for (let n = 0; !stop; n++) {
        try {
          const r = await post(edge.url, '/v1/recommend', { userId: users[(i + n) % 3], k: 5 });
          results.push({ t: Date.now() - t0, status: r.status, degraded: r.json.degraded === true, reason: r.json.reason });
        } catch (err) {
          results.push({ t: Date.now() - t0, status: 0, degraded: true, reason: String(err) });
        }
      }
    });
    await sleep(800);
    await worker.kill('SIGKILL');
    const killedAt = Date.now() - t0;
    await sleep(1500);
    worker = await spawnWorker(workerEnv, wport);
    const backAt = Date.now() - t0;
    await sleep(2500); // the edge's circuit breaker probes the worker again within 1 s
    stop = true;
    await Promise.all(loops);

    console.log(`worker fault: ${results.length} requests, ${results.filter((r) => r.degraded).length} degraded, killed at ${killedAt} ms, back at ${backAt} ms`);
    expect(results.length).toBeGreaterThan(30);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    const before = results.filter((r) => r.t < killedAt - 50);
    const during = results.filter((r) => r.t > killedAt + 100 && r.t < backAt - 100);
    const after = results.filter((r) => r.t > backAt + 1500);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((r) => !r.degraded)).toBe(true);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((r) => r.degraded)).toBe(true);
    expect(during.some((r) => /unreachable|timeout|worker_error/.test(r.reason ?? ''))).toBe(true);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r) => !r.degraded)).toBe(true);
  });
});

async function readAll(store: KvStore): Promise<LoggedEvent[]> {
  const out: LoggedEvent[] = [];
  for (;;) {
    const batch = await store.events!.read(`verify-${Date.now()}`, 'c', 10_000);
    out.push(...batch);
    if (batch.length < 10_000) return out;
  }
}

const backends: [string, () => Promise<{ env: Record<string, string>; open: () => Promise<KvStore> }>][] = [
  [
    'sqlite',
    async () => {
      const path = join(tmp, `events-${Date.now()}.sqlite`);
      return { env: { LLMREC_STORE: `sqlite:${path}` }, open: async () => createSqliteStore(path) };
    },
  ],
  [
    'upstash (real redis)',
    async () => {
      const redis = await startPrivateRedis({ appendonly: true });
      const rest = await startUpstashRestServer({ redisPort: redis.port });
      cleanups.push(() => redis.stop(), () => rest.close());
      return { env: { LLMREC_STORE: `upstash:${rest.url}`, UPSTASH_REDIS_REST_TOKEN: rest.token }, open: async () => createUpstashStore({ url: rest.url, token: rest.token }) };
    },
  ],
];

describe.each(backends)('acknowledged events survive an edge crash (%s)', (_name, setup) => {
  it('every 2xx-acked event is in the log and the history after a SIGKILL + restart', async () => {
    const { env, open } = await setup();
    const admin = await open();
    await publishFixture(admin, f);
    const port = await freePort();
    const edgeEnv = { ...env, LLMREC_API_KEYS: KEY, LLMREC_WORKER_URL: 'http://127.0.0.1:9', LLMREC_WORKER_SECRET: SECRET, LLMREC_EDGE_PORT: String(port), LLMREC_LOG: 'off', LLMREC_WORKER_TIMEOUT_MS: '200' };
    let edge = await spawnService('edge/src/entry-node.ts', edgeEnv, port);
    cleanups.push(() => edge.kill());

    const acked: { eventId: string; userId: string; itemId: string }[] = [];
    let stop = false;
    const loops = Array.from({ length: 4 }, async (_, i) => {
      for (let n = 0; !stop; n++) {
        const ev = { eventId: `ev-${i}-${n}`, userId: `crash-${i}`, itemId: f.ids[(n * 7 + i) % f.ids.length]!, type: 'view', ts: 1_700_000_000_000 + n };
        try {
          const r = await post(edge.url, '/v1/events', n % 5 === 0 ? { events: [ev] } : ev);
          if (r.status === 200 && r.json.accepted === 1) acked.push(ev);
        } catch {
          stop = true; // the edge is gone
        }
      }
    });
    await sleep(1200);
    await edge.kill('SIGKILL');
    stop = true;
    await Promise.all(loops);
    expect(acked.length).toBeGreaterThan(10);

    edge = await spawnService('edge/src/entry-node.ts', edgeEnv, port);
    const store = await open();
    const logged = new Set((await readAll(store)).map((e) => e.eventId));
    const lost = acked.filter((e) => !logged.has(e.eventId));
    console.log(`edge crash (${_name}): ${acked.length} acked events, ${logged.size} in the log, ${lost.length} lost`);
    expect(lost).toEqual([]);
    for (let i = 0; i < 4; i++) {
      const mine = acked.filter((e) => e.userId === `crash-${i}`);
      if (mine.length === 0) continue;
      const hist = await store.listRange(keys.history(`crash-${i}`), 0, -1);
      const items = new Set(hist.map((h) => JSON.parse(h).item as string));
      for (const e of mine.slice(-20)) expect(items.has(e.itemId)).toBe(true);
      // The restarted edge serves the same history: its (degraded) answer excludes those items.
      const rec = await post(edge.url, '/v1/recommend', { userId: `crash-${i}`, k: 10 });
      expect(rec.status).toBe(200);
      for (const it of rec.json.items) expect(items.has(it.id)).toBe(false);
    }
    await store.close?.();
    await admin.close?.();
  });
});

describe('KV unreachable', () => {
  it('real Upstash client against a dead endpoint: 503 kv_unavailable with Retry-After, readyz 503, health 200', async () => {
    const dead = await freePort();
    const store = createUpstashStore({ url: `http://127.0.0.1:${dead}`, token: 'x' });
    const config = EdgeConfig.parse({ apiKeys: [KEY], workerUrl: 'http://127.0.0.1:9', workerSecret: SECRET, log: 'off' });
    const edge = await startEdge({ store, config, worker: httpWorkerClient({ url: config.workerUrl, secret: SECRET }) });
    cleanups.push(() => edge.close());
    for (const [path, body] of [['/v1/recommend', { userId: 'u1' }], ['/v1/events', { eventId: 'k1', userId: 'u1', itemId: '1' }]] as const) {
      const res = await fetch(`${edge.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json()) as { error: string; message: string };
      expect(res.status).toBe(503);
      expect(json.error).toBe('kv_unavailable');
      expect(res.headers.get('retry-after')).toBe('5');
      expect(json.message).not.toMatch(/\n\s+at /);
    }
    expect((await fetch(`${edge.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${edge.url}/healthz`)).status).toBe(200);
  });
});
