// The edge as deployed to Cloudflare: `wrangler dev` runs edge/src/entry-workers.ts (top-level wrangler.toml)
// on real workerd, with Upstash over a REAL redis-server (through the local Upstash REST endpoint) and a real
// worker process; the same end-to-end checks as on Node: ranking with titles, events -> next recommend.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUpstashStore } from '@llmrec/edge/kv/redis-rest.ts';
import { createLatentModel } from '@llmrec/gpu-worker/model.ts';
import { startWorker, type RunningWorker } from '@llmrec/gpu-worker/server.ts';
import { startPrivateRedis, type RedisHandle } from '../test-support/redis-server.ts';
import { startUpstashRestServer, type UpstashRestServer } from '../test-support/upstash-rest-server.ts';
import { makeFixture, publishFixture } from './support/catalog-fixture.ts';
import { freePort, repoRoot } from './support/processes.ts';

const KEY = 'workerd-key-0123456789';
const SECRET = 'workerd-secret-0123456789';
const PK = 'pk_workerd_0123456789abcdef';
const SHOP = 'https://shop.example';
const f = makeFixture();
const tmp = mkdtempSync(join(tmpdir(), 'llmrec-workerd-edge-'));
let redis: RedisHandle | undefined;
let rest: UpstashRestServer;
let worker: RunningWorker;
let wrangler: ChildProcess | undefined;
let url = '';
let log = '';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  redis = await startPrivateRedis();
  rest = await startUpstashRestServer({ redisPort: redis.port });
  const store = createUpstashStore({ url: rest.url, token: rest.token });
  await publishFixture(store, f);
  worker = await startWorker({ model: createLatentModel({ version: f.version, itemLatents: f.itemLatents, dim: f.dim }), secret: SECRET });

  const port = await freePort();
  const inspector = await freePort();
  const vars = { LLMREC_API_KEYS: KEY, LLMREC_WORKER_URL: worker.url, LLMREC_WORKER_SECRET: SECRET, UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: rest.token, LLMREC_LOG: 'off', LLMREC_PUBLISHABLE_KEYS: JSON.stringify([{ key: PK, origins: [SHOP, 'self'] }]) };
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--persist-to', join(tmp, 'state'), '--show-interactive-dev-session=false', '--log-level', 'warn'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  wrangler = spawn(join(repoRoot, 'node_modules/.bin/wrangler'), args, {
    cwd: repoRoot,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1', XDG_CONFIG_HOME: join(tmp, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  wrangler.stdout!.on('data', (d) => (log += d));
  wrangler.stderr!.on('data', (d) => (log += d));
  url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited ${wrangler.exitCode}:\n${log.slice(-3000)}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      /* starting */
    }
    await sleep(250);
  }
  throw new Error(`wrangler dev not ready:\n${log.slice(-3000)}`);
}, 120_000);

afterAll(async () => {
  if (wrangler && wrangler.exitCode === null) {
    const exited = new Promise((r) => wrangler!.once('exit', r));
    try {
      process.kill(-wrangler.pid!, 'SIGTERM');
    } catch {
      /* gone */
    }
    await Promise.race([exited, sleep(5000)]);
  }
  await worker?.close();
  await rest?.close();
  await redis?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function post(path: string, body: unknown) {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
}

it('serves the edge on workerd: readyz, ranking with titles, events reflected by the next recommend', async () => {
  const ready = await (await fetch(`${url}/readyz`)).json();
  expect(ready).toMatchObject({ ready: true, store: { kind: 'upstash', ok: true }, catalog: { version: f.version }, worker: { ok: true } });
  const r = await post('/v1/recommend', { userId: 'u1', k: 4 });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  expect(r.json.degraded).toBe(false);
  for (const it of r.json.items) expect(f.clusterOf(Number(it.id) - 1)).toBe(0);
  const watched = ['2', '5', '8', '11', '14'];
  const ev = await post('/v1/events', { events: watched.map((itemId, i) => ({ eventId: `wd-${i}`, userId: 'u3', itemId, ts: 5000 + i })) });
  expect(ev.json).toMatchObject({ accepted: 5, duplicates: 0 });
  const after = await post('/v1/recommend', { userId: 'u3', k: 5 });
  const ids = after.json.items.map((i: { id: string }) => i.id);
  for (const w of watched) expect(ids).not.toContain(w);
  for (const id of ids) expect(f.clusterOf(Number(id) - 1)).toBe(1);
  const bad = await post('/v1/recommend', { userId: 'u1', k: 0 });
  expect(bad.status).toBe(400);
  expect(bad.json.problems[0].path).toBe('k');
}, 60_000);

it('serves publishable keys, CORS and the demo page on workerd (issue 13)', async () => {
  const pre = (origin: string) => fetch(`${url}/v1/recommend`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
  const granted = await pre(SHOP);
  expect(granted.status).toBe(204);
  expect(granted.headers.get('access-control-allow-origin')).toBe(SHOP);
  expect((await pre('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  const asPk = (body: unknown) => fetch(`${url}/v1/recommend`, { method: 'POST', headers: { authorization: `Bearer ${PK}`, origin: SHOP, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const session = await asPk({ sessionId: 's_workerd_0123456789', k: 3 });
  expect(session.status).toBe(200);
  expect(session.headers.get('access-control-allow-origin')).toBe(SHOP);
  expect((await session.json()).source).toBe('popular');
  expect((await asPk({ userId: 'u1' })).status).toBe(403);
  const demo = await fetch(`${url}/demo`);
  expect(demo.status).toBe(200);
  expect(await demo.text()).toContain(`api-key="${PK}"`); // the key listing 'self' (the Worker's own origin)
  const js = await fetch(`${url}/demo/widget.js`);
  expect(js.headers.get('content-type')).toContain('javascript');
  expect(await js.text()).toContain('llmrec-recommendations');
  // No image store on Workers: posters answer 404 and the widget shows the title's initial instead.
  expect((await fetch(`${url}/media/items/1`)).status).toBe(404);
}, 30_000);
