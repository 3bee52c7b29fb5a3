// A trained adapter through the real worker (Eq. 1 on the serving path): the adapter job trains on events
// around a real serving bundle (ONNX user encoder) and publishes; the worker — HTTP server, micro-batcher, the
// same ONNX encoder, AdapterRegistry polling the store — then answers with exactly the scores a DynamicScorer
// built from the published record predicts for that z_u, and those differ from the static z_u . z_i ranking.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAdapter, readPointer } from '@llmrec/shared/adapter/adapter-store.ts';
import { dynamicLayout, DynamicScorer, initDynamic } from '@llmrec/shared/adapter/dynamic-model.ts';
import { defaultLearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { base64ToFloat32 } from '@llmrec/shared/base64.ts';
import { decodeStats } from '@llmrec/shared/adapter/snapshot.ts';
import { WIRE_VERSION, WORKER_SECRET_HEADER, type ScoreRequest, type ScoreResponse } from '@llmrec/shared/api/wire.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import type { LoggedEvent } from '@llmrec/shared/kv/store.ts';
import { makeFixture } from '../../tests/support/catalog-fixture.ts';
import { writeFixtureBundle } from '../../tests/support/processes.ts';
import { loadServingModel } from './artifacts.ts';
import { createDynamicScoring } from './dynamic-scoring.ts';
import { AdapterJob, defaultJobConfig } from './job/adapter-job.ts';
import { loadBundleBase } from './job/bundle-base.ts';
import type { LatentModel } from './model.ts';
import { startWorker } from './server.ts';

const f = makeFixture({ items: 60, dim: 12 });
const dir = mkdtempSync(join(tmpdir(), 'llmrec-dyn-scoring-'));
const SECRET = 'dyn-secret-0123456789';
const H = 3600_000;
const T0 = 1_700_000_000_000;
const models: LatentModel[] = [];
beforeAll(() => writeFixtureBundle(dir, f));
afterAll(async () => {
  for (const m of models) await m.close();
  rmSync(dir, { recursive: true, force: true });
});

// 6 one-hour windows: users drift towards cluster-1 items (popularity shift the frozen base cannot see).
const events: LoggedEvent[] = [];
for (let k = 0; k < 240; k++) {
  const w = Math.floor(k / 40);
  const hot = k % 3 !== 0 ? 1 + 3 * ((k * 5) % 7) : (k * 7 + w) % f.ids.length; // mostly items 1, 4, ..., 19 (cluster 1)
  events.push({ eventId: `e${k}`, userId: `u${k % 9}`, itemId: f.ids[hot]!, type: 'click', ts: T0 + w * H + (k % 40) * 60_000 });
}
const NOW = T0 + 6 * H + 5 * 60_000; // request time: 5 minutes after the last window closed

function request(user: string, history: number[]): ScoreRequest {
  return {
    version: WIRE_VERSION,
    requestId: `r-${user}`,
    prompt: { version: 1, user: { id: user, anonymous: false }, history: history.map((idx) => ({ idx, title: f.titles[idx]! })), evidence: [], candidates: null },
    k: f.ids.length,
    exclude: [],
  };
}

describe('a job-trained adapter served by the worker', () => {
  it('the worker returns exactly the DynamicScorer scores of the published record, and they differ from static', async () => {
    // 1. The adapter job trains on the bundle and publishes (guardrail off: every window publishes).
    const store = createMemoryStore();
    await store.events.append(events);
    const { base, model: jobModel } = await loadBundleBase(dir, { threads: 1 });
    models.push(jobModel);
    const index = new Map(f.ids.map((id, i) => [id, i]));
    const job = await AdapterJob.open(
      { store, log: store.events, base, itemIndex: (id) => index.get(id) },
      { ...defaultJobConfig, batch: 50, trimEvery: 0, learner: { ...defaultLearnerConfig, hidden: 16, guardrail: false, train: { ...defaultTrainConfig, batchSize: 16, lr: 1e-2 } } },
    );
    for (let k = 0; k < 30; k++) if ((await job.tick()).read === 0) break;
    const ptr = (await readPointer(store))!;
    expect(ptr.version).toBeGreaterThanOrEqual(4);
    const got = (await readAdapter(store, ptr.version))!;
    const layout = dynamicLayout({ dim: f.dim, hidden: 16 });
    const params = base64ToFloat32(got.record.weights!);
    const stats = decodeStats(got.stats);
    // Trained: far from the initial (identity: last adapter layer zero) weights.
    const init = initDynamic(layout, defaultTrainConfig.seed);
    const drift = params.reduce((a, x, i) => a + Math.abs(x - init[i]!), 0);
    expect(drift).toBeGreaterThan(1);

    // 2. The real worker on the same bundle, polling the store; its clock pinned so the prediction can use the same t.
    const model = await loadServingModel(dir, { device: 'cpu', threads: 1 }); // released by w.close()
    const dynamic = createDynamicScoring(store, model, { pollMs: 10, clock: () => NOW, say: () => {} });
    const w = await startWorker({ model, secret: SECRET, dynamic });
    try {
      for (let k = 0; k < 300 && dynamic.version() !== ptr.version; k++) await new Promise((r) => setTimeout(r, 10));
      expect(dynamic.version()).toBe(ptr.version);

      // The prediction: a DynamicScorer over the worker's base (its latents, z_u from its encoder), as the registry builds it.
      const scorer = new DynamicScorer({ id: model.version, dim: model.dim, nItems: model.items, itemLatents: model.itemLatents, userLatent: () => { throw new Error('unused'); } }, params, layout, stats, stats.now);
      const users: [string, number[]][] = [['u1', [1, 4, 7]], ['u2', [0, 3]], ['u4', [2, 5, 8, 11]], ['new-user', [10]]];
      // Concurrent: one micro-batch (one encoder run) for all four users.
      const answers = await Promise.all(users.map(async ([u, h]) => {
        const res = await fetch(`${w.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: SECRET }, body: JSON.stringify(request(u, h)) });
        expect(res.status).toBe(200);
        return (await res.json()) as ScoreResponse;
      }));
      let moved = 0;
      let reordered = 0;
      for (const [r, [u, h]] of users.entries()) {
        const ans = answers[r]!;
        expect(ans.model).toBe(`${f.version}+adapter-v${ptr.version}`);
        const zu = await model.encodeUsers([h]);
        const predicted = new Float32Array(model.items);
        scorer.scoreLatent(u, zu, h, NOW / 1000, predicted);
        const staticScores = new Float32Array(model.items);
        scorer.scoreLatent(u, zu, h, NOW / 1000, staticScores, 'static');
        expect(ans.items).toHaveLength(model.items);
        for (const it of ans.items) expect(it.score).toBe(predicted[it.idx]);
        const order = Array.from(predicted.keys()).sort((a, b) => predicted[b]! - predicted[a]! || a - b);
        expect(ans.items.map((i) => i.idx)).toEqual(order);
        moved = Math.max(moved, ...ans.items.map((it) => Math.abs(it.score - staticScores[it.idx]!)));
        const staticOrder = Array.from(staticScores.keys()).sort((a, b) => staticScores[b]! - staticScores[a]! || a - b);
        if (staticOrder.slice(0, 10).join() !== order.slice(0, 10).join()) reordered++;
      }
      // The adapter matters: scores move and the top 10 changes for at least one user.
      expect(moved).toBeGreaterThan(0.01);
      expect(reordered).toBeGreaterThan(0);
    } finally {
      await w.close();
    }
  }, 60_000);
});
