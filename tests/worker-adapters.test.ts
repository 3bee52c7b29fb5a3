// The worker process (the image's default command) picks up online adapter versions from Upstash (real Redis
// behind the local REST endpoint) without a restart, and reports the version on /readyz and in answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createUpstashStore } from '@llmrec/edge/kv/redis-rest.ts';
import { layoutShapes, publishAdapter } from '@llmrec/shared/adapter/adapter-store.ts';
import { dynamicLayout, initDynamic } from '@llmrec/shared/adapter/dynamic-model.ts';
import { encodeStats, f32ToB64 } from '@llmrec/shared/adapter/snapshot.ts';
import { WindowStats } from '@llmrec/shared/adapter/window-stats.ts';
import { WORKER_SECRET_HEADER } from '@llmrec/shared/api/wire.ts';
import { startPrivateRedis, type RedisHandle } from '../test-support/redis-server.ts';
import { startUpstashRestServer, type UpstashRestServer } from '../test-support/upstash-rest-server.ts';
import { makeFixture } from './support/catalog-fixture.ts';
import { freePort, spawnService, writeFixtureBundle, type Child } from './support/processes.ts';

const f = makeFixture();
const SECRET = 'adapters-secret-0123456789';
const tmp = mkdtempSync(join(tmpdir(), 'llmrec-worker-adapters-'));
let redis: RedisHandle | undefined;
let rest: UpstashRestServer | undefined;
let worker: Child | undefined;
afterAll(async () => {
  await worker?.kill('SIGTERM');
  await rest?.close();
  await redis?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('worker process polls Upstash for adapter versions and serves them without restart', async () => {
  redis = await startPrivateRedis();
  rest = await startUpstashRestServer({ redisPort: redis.port });
  writeFixtureBundle(tmp, f);
  const port = await freePort();
  worker = await spawnService('gpu-worker/src/main.ts', { LLMREC_WORKER_PORT: String(port), LLMREC_WORKER_SECRET: SECRET, LLMREC_ARTIFACTS: tmp, LLMREC_DEVICE: 'cpu', LLMREC_LOG: 'off', UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: rest.token }, port);
  const ready = async () => (await (await fetch(`${worker!.url}/readyz`)).json()) as { adapterVersion: number | null; scorer: string };
  expect(await ready()).toMatchObject({ adapterVersion: null, scorer: 'user-encoder-onnx' });

  const layout = dynamicLayout({ dim: f.dim, hidden: 16 });
  const store = createUpstashStore({ url: rest.url, token: rest.token });
  await publishAdapter(store, { version: 1, weightsB64: f32ToB64(initDynamic(layout, 1)), shapes: layoutShapes(layout), stats: encodeStats(new WindowStats(f.ids.length), false), trainedOnEvents: 0, metrics: {}, parent: null });
  let v: number | null = null;
  for (let i = 0; i < 50 && v === null; i++) {
    await sleep(100);
    v = (await ready()).adapterVersion;
  }
  expect(v).toBe(1);
  const res = await fetch(`${worker.url}/v1/score`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: SECRET },
    body: JSON.stringify({ version: 1, requestId: 'r1', k: 3, exclude: [0], prompt: { version: 1, user: { id: 'u1', anonymous: false }, history: [{ idx: 0, title: f.titles[0] }], evidence: [], candidates: null } }),
  });
  const body = (await res.json()) as { model: string; items: { idx: number }[] };
  expect(body.model).toBe(`${f.version}+adapter-v1`);
  expect(body.items.map((i) => f.clusterOf(i.idx))).toEqual([0, 0, 0]);
}, 60_000);
