// The standalone worker process (`llmrec worker`, the image's default command) mounts the item API as `llmrec
// serve` does (gpu-worker/src/catalog/open-catalog.ts): its live catalog syncs from the store LLMREC_STORE names,
// item writes are embedded by the serving bundle's content tower with the encoders package's real text encoder
// (USE-lite, converted once into the test cache), hidden items are never served, and explanations cover the new
// item. An edge in this process forwards the writes to the spawned worker over HTTP; both share one SQLite file.
// LLMREC_CATALOG=off leaves the routes out.
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '@llmrec/edge/app.ts';
import { createSqliteStore } from '@llmrec/edge/kv/sqlite-store.ts';
import { httpWorkerClient } from '@llmrec/edge/worker-client.ts';
import { linearTowerOnnx, towerBundleEntry, writeEmptyFeatures } from '@llmrec/gpu-worker/catalog/fixture-tower.ts';
import { TEST_HOME } from '@llmrec/gpu-worker/encoders/real-inputs.test-helper.ts';
import { WORKER_SECRET_HEADER } from '@llmrec/shared/api/wire.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { getTyped } from '@llmrec/shared/kv/typed.ts';
import { LiveItem } from '@llmrec/shared/kv/values.ts';
import { mulberry32 } from '@llmrec/shared/rng.ts';
import { makeFixture, publishFixture, publishFixtureLatents } from './support/catalog-fixture.ts';
import { API_KEY, testConfig } from './support/harness.ts';
import { freePort, spawnWorker, writeFixtureBundle, type Child } from './support/processes.ts';

const f = makeFixture();
const SECRET = 'catalog-worker-secret-0123456789';
const TEXT = 512; // USE-lite's width: the tower reads what the real encoder gives
const IMAGE = 1280; // MobileNetV2's
const tmp = mkdtempSync(join(tmpdir(), 'llmrec-worker-catalog-'));
const dbPath = join(tmp, 'kv.sqlite');
let worker: Child;
const cleanups: (() => Promise<unknown> | void)[] = [];

/** The fixture bundle plus a content tower (linear, contract I/O) and offline feature tables (no published item has content). */
function bundleWithTower(dir: string): void {
  writeFixtureBundle(dir, f);
  const rnd = mulberry32(3);
  const w = (d: number) => Float32Array.from({ length: d * f.dim }, () => (rnd() - 0.5) * 0.2);
  const tower = linearTowerOnnx({ text: { w: w(TEXT), dim: TEXT }, image: { w: w(IMAGE), dim: IMAGE } }, f.dim);
  writeFileSync(join(dir, 'content-tower.onnx'), tower);
  const manifest = JSON.parse(readFileSync(join(dir, 'serving-bundle.json'), 'utf8'));
  manifest.contentTower = towerBundleEntry('content-tower.onnx', tower, { text: TEXT, image: IMAGE }, f.dim);
  writeFileSync(join(dir, 'serving-bundle.json'), JSON.stringify(manifest));
  writeEmptyFeatures(join(dir, 'features'), 'fixture', f.ids.length, { text: TEXT, image: IMAGE });
}

const env = (over: Record<string, string> = {}) => ({ LLMREC_ARTIFACTS: tmp, LLMREC_WORKER_SECRET: SECRET, LLMREC_STORE: `sqlite:${dbPath}`, LLMREC_HOME: TEST_HOME, LLMREC_FEATURES: join(tmp, 'features'), LLMREC_DEVICE: 'cpu', LLMREC_LOG: 'off', LLMREC_ADAPTERS: 'off', ...over });

beforeAll(async () => {
  bundleWithTower(tmp);
  const store = createSqliteStore(dbPath);
  await publishFixture(store, f);
  await publishFixtureLatents(store, f);
  await store.close();
  const port = await freePort();
  worker = await spawnWorker({ ...env(), LLMREC_WORKER_PORT: String(port) }, port, 60_000);
  cleanups.push(() => worker.kill('SIGTERM'));
}, 120_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(tmp, { recursive: true, force: true });
});

describe('llmrec worker mounts the item API (live catalog from LLMREC_STORE, the bundle content tower)', () => {
  it('PUT through an edge -> the worker process embeds the item with the real text encoder; recommendable, explained; DELETE -> never again', async () => {
    const store = createSqliteStore(dbPath);
    cleanups.push(() => store.close());
    const config = testConfig({ workerUrl: worker.url, workerSecret: SECRET, workerTimeoutMs: 10_000, catalog: { liveTtlMs: 0 } });
    const app = createApp({ store, worker: httpWorkerClient({ url: worker.url, secret: SECRET }), config });
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await app.request(path, { method, headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, json: (await res.json()) as any };
    };
    const put = await call('PUT', '/v1/items', { items: [{ id: 'w1', title: 'The Lighthouse Keeper', description: 'An old keeper and his apprentice are stranded on a storm-battered island.', genres: ['Drama'] }] });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect(put.json.items).toEqual([{ id: 'w1', idx: f.ids.length, status: 'created' }]);
    const rec = await call('POST', '/v1/recommend', { userId: 'u1', candidates: ['2', 'w1', '9'], k: 3, explain: true });
    expect(rec.status, JSON.stringify(rec.json)).toBe(200);
    expect(rec.json.degraded).toBe(false);
    const w1 = rec.json.items.find((i: { id: string }) => i.id === 'w1');
    expect(w1, JSON.stringify(rec.json.items)).toBeDefined();
    expect(Number.isFinite(w1.score)).toBe(true);
    expect(w1.explanation.degraded).toBeUndefined();
    expect(w1.explanation.evidence.content.map((c: { modality: string }) => c.modality)).toEqual(['text']);
    // The worker process wrote the embedding it computed (the text encoder's id is recorded with it).
    const rec1 = await getTyped(store, LiveItem, keys.liveItem(f.version, 'w1'));
    expect(rec1?.embeddedWith).toMatchObject({ text: 'use-lite' });
    expect(Object.keys(rec1!.features)).toEqual(['text']);

    expect((await call('DELETE', '/v1/items/w1')).status).toBe(200);
    const after = await call('POST', '/v1/recommend', { userId: 'u1', candidates: ['2', 'w1', '9'], k: 3 });
    expect(after.json.items.map((i: { id: string }) => i.id)).not.toContain('w1');
    const full = await call('POST', '/v1/recommend', { userId: 'u1', k: 60 });
    expect(full.json.items.map((i: { id: string }) => i.id)).not.toContain('w1');
  }, 120_000);

  it('LLMREC_CATALOG=off: no item routes on the worker (and no store opened with adapters off)', async () => {
    const port = await freePort();
    const off = await spawnWorker({ ...env({ LLMREC_CATALOG: 'off', LLMREC_STORE: 'sqlite:/nonexistent-dir/never.sqlite' }), LLMREC_WORKER_PORT: String(port) }, port, 60_000);
    cleanups.push(() => off.kill('SIGTERM'));
    const res = await fetch(`${off.url}/v1/items`, { method: 'PUT', headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: SECRET }, body: JSON.stringify({ v: 1, requestId: 'r', items: [] }) });
    expect(res.status).toBe(404);
  }, 120_000);
});
