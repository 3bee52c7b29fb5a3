// The worker: real ONNX user encoder (built in memory) vs the mean-history stand-in, shared-secret auth,
// wire validation, micro-batching of concurrent requests, graceful shutdown of the HTTP server.
import { describe, expect, it } from 'vitest';
import { REQUEST_ID_HEADER, WORKER_SECRET_HEADER, type ScoreRequest, type ScoreResponse } from '@llmrec/shared/api/wire.ts';
import { makeFixture } from '../../tests/support/catalog-fixture.ts';
import { sumEncoderOnnx } from './onnx/sum-encoder-onnx.ts';
import { createWorkerApp } from './app.ts';
import { createLatentModel, type LatentModel } from './model.ts';
import { createSession } from './onnx/index.ts';
import { startWorker } from './server.ts';

const f = makeFixture();
const SECRET = 'secret-0123456789';

async function onnxModel(): Promise<LatentModel> {
  const session = await createSession(sumEncoderOnnx(f.itemLatents, f.dim), { device: 'auto', threads: 1 });
  return createLatentModel({ version: 'onnx-test', itemLatents: f.itemLatents, dim: f.dim, encoder: { session, input: 'history', output: 'user_latent', maxlen: 50 } });
}

function scoreReq(history: number[], opts: { k?: number; candidates?: number[] | null; exclude?: number[] } = {}): ScoreRequest {
  return {
    version: 1,
    requestId: `r-${history.join('-')}`,
    prompt: {
      version: 1,
      user: { id: null, anonymous: true },
      history: history.map((idx) => ({ idx, title: f.titles[idx]! })),
      evidence: [],
      candidates: opts.candidates === undefined || opts.candidates === null ? null : opts.candidates.map((idx) => ({ idx, title: f.titles[idx]! })),
    },
    k: opts.k ?? 5,
    exclude: opts.exclude ?? history,
  };
}

async function post(app: { request: (p: string, i: RequestInit) => Response | Promise<Response> }, body: unknown, secret = SECRET) {
  const res = await app.request('/v1/score', { method: 'POST', headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: secret, [REQUEST_ID_HEADER]: 'rid' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as ScoreResponse & { problems?: unknown[] } };
}

describe('gpu worker', () => {
  it('ranks by z_u . z_i with the ONNX user encoder, same order as the mean-history stand-in', async () => {
    const onnx = await onnxModel();
    const mean = createLatentModel({ version: 'mean', itemLatents: f.itemLatents, dim: f.dim });
    const a = createWorkerApp({ model: onnx, secret: SECRET }).app;
    const b = createWorkerApp({ model: mean, secret: SECRET }).app;
    for (const hist of [[0, 3, 6], [1], [2, 5, 1, 4]]) {
      const ra = await post(a, scoreReq(hist, { k: 10 }));
      const rb = await post(b, scoreReq(hist, { k: 10 }));
      expect(ra.status).toBe(200);
      expect(ra.json.items.map((i) => i.idx)).toEqual(rb.json.items.map((i) => i.idx));
      // sum = mean * |history|
      ra.json.items.forEach((it, j) => expect(it.score).toBeCloseTo(rb.json.items[j]!.score * hist.length, 4));
      for (const it of ra.json.items) expect(hist).not.toContain(it.idx);
    }
    const ready = await (await a.request('/readyz')).json();
    expect(ready).toMatchObject({ ready: true, executionProvider: 'cpu', scorer: 'user-encoder-onnx', items: f.ids.length, dim: f.dim });
    await onnx.close();
  });

  it('restricts to candidates and honours k', async () => {
    const { app } = createWorkerApp({ model: createLatentModel({ version: 'm', itemLatents: f.itemLatents, dim: f.dim }), secret: SECRET });
    const r = await post(app, scoreReq([0], { candidates: [1, 2, 3, 9, 12], k: 3, exclude: [] }));
    // 3, 9, 12 are cluster 0 like item 0 and tie on score: ties go to the lower index.
    expect(r.json.items.map((i) => i.idx)).toEqual([3, 9, 12]);
  });

  it('refuses requests without the shared secret and malformed wire requests', async () => {
    const { app } = createWorkerApp({ model: createLatentModel({ version: 'm', itemLatents: f.itemLatents, dim: f.dim }), secret: SECRET });
    expect((await post(app, scoreReq([0]), 'wrong-secret-123')).status).toBe(401);
    expect((await post(app, { ...scoreReq([0]), k: 0 })).status).toBe(400);
    const out = await post(app, scoreReq([0, 999]));
    expect(out.status).toBe(400);
  });

  it('micro-batches concurrent requests into one encoder run and answers each correctly', async () => {
    const model = await onnxModel();
    const { app, batcher } = createWorkerApp({ model, secret: SECRET, maxBatch: 16 });
    const hists = Array.from({ length: 24 }, (_, i) => [i % f.ids.length, (i * 5) % f.ids.length]);
    const solo: unknown[] = [];
    for (const h of hists) solo.push((await post(app, scoreReq(h))).json.items);
    const before = batcher.stats.batches;
    const together = await Promise.all(hists.map((h) => post(app, scoreReq(h))));
    together.forEach((r, i) => expect(r.json.items).toEqual(solo[i]));
    expect(batcher.stats.batches - before).toBeLessThan(hists.length);
    expect(batcher.stats.maxBatch).toBeGreaterThan(1);
    expect(batcher.stats.maxBatch).toBeLessThanOrEqual(16);
    expect(Math.max(...together.map((r) => r.json.timings.batchSize))).toBeGreaterThan(1);
    await model.close();
  });

  it('graceful shutdown: in-flight requests finish, then the port closes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const base = createLatentModel({ version: 'slow', itemLatents: f.itemLatents, dim: f.dim });
    const slow: LatentModel = { ...base, encodeUsers: async (h) => (await gate, base.encodeUsers(h)) };
    const w = await startWorker({ model: slow, secret: SECRET, shutdownGraceMs: 5000 });
    const inflight = fetch(`${w.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: SECRET }, body: JSON.stringify(scoreReq([0])) });
    await new Promise((r) => setTimeout(r, 100));
    const closing = w.close();
    setTimeout(release, 100);
    const res = await inflight;
    expect(res.status).toBe(200);
    await closing;
    await expect(fetch(`${w.url}/healthz`)).rejects.toThrow();
  });
});

describe('online adapters (Eq. 1) in the worker', () => {
  it('picks up a published adapter version without restart; an identity adapter keeps the static ranking', async () => {
    const { createMemoryStore } = await import('@llmrec/shared/kv/memory-store.ts');
    const { publishAdapter, layoutShapes } = await import('@llmrec/shared/adapter/adapter-store.ts');
    const { dynamicLayout, initDynamic } = await import('@llmrec/shared/adapter/dynamic-model.ts');
    const { WindowStats } = await import('@llmrec/shared/adapter/window-stats.ts');
    const { encodeStats } = await import('@llmrec/shared/adapter/snapshot.ts');
    const { float32ToBase64 } = await import('@llmrec/shared/base64.ts');
    const { createDynamicScoring } = await import('./dynamic-scoring.ts');
    const store = createMemoryStore();
    const model = createLatentModel({ version: 'm', itemLatents: f.itemLatents, dim: f.dim });
    const dynamic = createDynamicScoring(store, model, { pollMs: 20 });
    const { app } = createWorkerApp({ model, secret: SECRET, dynamic });
    const before = await post(app, scoreReq([0, 3], { k: 8 }));
    expect(before.json.model).toBe('m');
    const layout = dynamicLayout({ dim: f.dim, hidden: 16 });
    await publishAdapter(store, { version: 1, weightsB64: float32ToBase64(initDynamic(layout, 1)), shapes: layoutShapes(layout), stats: encodeStats(new WindowStats(f.ids.length), false), trainedOnEvents: 0, metrics: {}, parent: null });
    for (let i = 0; i < 50 && dynamic.version() === null; i++) await new Promise((r) => setTimeout(r, 20));
    expect(dynamic.version()).toBe(1);
    const after = await post(app, scoreReq([0, 3], { k: 8 }));
    expect(after.json.model).toBe('m+adapter-v1');
    expect(after.json.items.map((i) => i.idx)).toEqual(before.json.items.map((i) => i.idx));
    dynamic.stop();
  });
});
