// The worker process (`llmrec worker`, the image's default command) resolves its store from LLMREC_STORE
// exactly as the edge and the adapter job do (edge/src/kv/open-store.ts), for every spec form: sqlite, memory,
// upstash, vercel-kv, redis-rest (the Redis REST ones against real redis-servers behind the local REST
// endpoint), and the default sqlite:$LLMREC_HOME/kv.sqlite. Each picks up an adapter version published into
// that store by a client opened the same way, without a restart, and reports it on /readyz and in answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@llmrec/edge/kv/open-store.ts';
import { startWorkerFromEnv } from '@llmrec/gpu-worker/from-env.ts';
import { layoutShapes, publishAdapter } from '@llmrec/shared/adapter/adapter-store.ts';
import { dynamicLayout, initDynamic } from '@llmrec/shared/adapter/dynamic-model.ts';
import { float32ToBase64 } from '@llmrec/shared/base64.ts';
import { encodeStats } from '@llmrec/shared/adapter/snapshot.ts';
import { WindowStats } from '@llmrec/shared/adapter/window-stats.ts';
import { WORKER_SECRET_HEADER } from '@llmrec/shared/api/wire.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import type { StoreEnv } from '@llmrec/shared/kv/store-spec.ts';
import { startPrivateRedis, type RedisHandle } from '../test-support/redis-server.ts';
import { startUpstashRestServer, type UpstashRestServer } from '../test-support/upstash-rest-server.ts';
import { makeFixture } from './support/catalog-fixture.ts';
import { freePort, spawnWorker, writeFixtureBundle, type Child } from './support/processes.ts';

const f = makeFixture();
const SECRET = 'adapters-secret-0123456789';
const tmp = mkdtempSync(join(tmpdir(), 'llmrec-worker-adapters-'));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
});
beforeAll(() => writeFixtureBundle(tmp, f));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const baseEnv = { LLMREC_WORKER_SECRET: SECRET, LLMREC_ARTIFACTS: tmp, LLMREC_DEVICE: 'cpu', LLMREC_LOG: 'off' };

async function publishV1(store: KvStore) {
  const layout = dynamicLayout({ dim: f.dim, hidden: 16 });
  await publishAdapter(store, { version: 1, weightsB64: float32ToBase64(initDynamic(layout, 1)), shapes: layoutShapes(layout), stats: encodeStats(new WindowStats(f.ids.length), false), trainedOnEvents: 0, metrics: {}, parent: null });
}

async function readyVersion(url: string): Promise<number | null> {
  return ((await (await fetch(`${url}/readyz`)).json()) as { adapterVersion: number | null }).adapterVersion;
}

async function waitForVersion(url: string, v: number): Promise<number | null> {
  let got: number | null = null;
  for (let i = 0; i < 100 && got !== v; i++) {
    await sleep(100);
    got = await readyVersion(url);
  }
  return got;
}

async function scoreModel(url: string): Promise<string> {
  const res = await fetch(`${url}/v1/score`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: SECRET },
    body: JSON.stringify({ version: 1, requestId: 'r1', k: 3, exclude: [0], prompt: { version: 1, user: { id: 'u1', anonymous: false }, history: [{ idx: 0, title: f.titles[0] }], evidence: [], candidates: null } }),
  });
  const body = (await res.json()) as { model: string; items: { idx: number }[] };
  expect(body.items.map((i) => f.clusterOf(i.idx))).toEqual([0, 0, 0]);
  return body.model;
}

/** A real redis-server + the Upstash REST endpoint in front of it, private to one case. */
async function restBackend(): Promise<UpstashRestServer> {
  const redis: RedisHandle = await startPrivateRedis();
  const rest = await startUpstashRestServer({ redisPort: redis.port });
  cleanups.push(() => redis.stop(), () => rest.close());
  return rest;
}

describe('the worker process resolves LLMREC_STORE as the edge and the job do', () => {
  const cases: { name: string; env: () => Promise<Record<string, string>> }[] = [
    { name: 'sqlite:<path>', env: async () => ({ LLMREC_STORE: `sqlite:${join(tmp, 'explicit.sqlite')}` }) },
    { name: 'default (no LLMREC_STORE): sqlite:$LLMREC_HOME/kv.sqlite', env: async () => ({ LLMREC_HOME: join(tmp, 'home'), LLMREC_STORE: '' }) },
    { name: 'upstash (URL and token from UPSTASH_REDIS_REST_*)', env: async () => { const r = await restBackend(); return { LLMREC_STORE: 'upstash', UPSTASH_REDIS_REST_URL: r.url, UPSTASH_REDIS_REST_TOKEN: r.token }; } },
    { name: 'redis-rest:<url>', env: async () => { const r = await restBackend(); return { LLMREC_STORE: `redis-rest:${r.url}`, UPSTASH_REDIS_REST_TOKEN: r.token }; } },
    { name: 'vercel-kv (KV_REST_API_*)', env: async () => { const r = await restBackend(); return { LLMREC_STORE: 'vercel-kv', KV_REST_API_URL: r.url, KV_REST_API_TOKEN: r.token }; } },
  ];
  for (const c of cases) {
    it(`${c.name}: serves the version published into that store without restart`, async () => {
      const storeEnv = await c.env();
      const env = { ...baseEnv, ...storeEnv };
      const port = await freePort();
      const worker: Child = await spawnWorker({ ...env, LLMREC_WORKER_PORT: String(port) }, port);
      cleanups.push(() => worker.kill('SIGTERM'));
      expect(await readyVersion(worker.url)).toBeNull();
      // The publisher opens its store the way `llmrec job` / `llmrec publish` do, from the same variables.
      const store = await openStore(undefined, { ...process.env, ...storeEnv, LLMREC_STORE: storeEnv.LLMREC_STORE || undefined } as StoreEnv);
      try {
        await publishV1(store);
      } finally {
        await store.close?.();
      }
      expect(await waitForVersion(worker.url, 1)).toBe(1);
      expect(await scoreModel(worker.url)).toBe(`${f.version}+adapter-v1`);
      await worker.kill('SIGTERM');
      expect(worker.proc.exitCode).toBe(0); // SIGTERM drains and exits cleanly (the image's stop signal)
    }, 60_000);
  }

  it('memory: the worker opens its own in-process store (what LLMREC_STORE=memory means for one process)', async () => {
    const w = await startWorkerFromEnv({ ...baseEnv, LLMREC_STORE: 'memory', LLMREC_WORKER_PORT: '0' }, { openStore: (e) => openStore(undefined, e as StoreEnv), say: () => {} });
    try {
      expect(w.store?.kind).toBe('memory');
      await publishV1(w.store!);
      expect(await waitForVersion(w.url, 1)).toBe(1);
      expect(await scoreModel(w.url)).toBe(`${f.version}+adapter-v1`);
    } finally {
      await w.close();
    }
  });

  it('LLMREC_ADAPTERS=off scores statically (with LLMREC_CATALOG=off too, no store is opened); a cloudflare-kv spec is refused with the reason', async () => {
    const off = await startWorkerFromEnv({ ...baseEnv, LLMREC_ADAPTERS: 'off', LLMREC_CATALOG: 'off', LLMREC_STORE: 'memory', LLMREC_WORKER_PORT: '0' }, { openStore: () => Promise.reject(new Error('must not open')) });
    try {
      expect(off.store).toBeNull();
      expect(await scoreModel(off.url)).toBe(f.version);
    } finally {
      await off.close();
    }
    // Adapters off, the item API on: the store is opened for the live catalog, and scoring stays static.
    const cat = await startWorkerFromEnv({ ...baseEnv, LLMREC_ADAPTERS: 'off', LLMREC_STORE: 'memory', LLMREC_WORKER_PORT: '0' }, { openStore: (e) => openStore(undefined, e as StoreEnv), say: () => {} });
    try {
      expect(cat.store?.kind).toBe('memory');
      await publishV1(cat.store!);
      await sleep(1200);
      expect(await readyVersion(cat.url)).toBeNull();
      expect(await scoreModel(cat.url)).toBe(f.version);
    } finally {
      await cat.close();
    }
    await expect(startWorkerFromEnv({ ...baseEnv, LLMREC_STORE: 'cloudflare-kv', LLMREC_WORKER_PORT: '0' }, { openStore: (e) => openStore(undefined, e as StoreEnv) })).rejects.toThrow(/only available inside Workers/);
  });
});
