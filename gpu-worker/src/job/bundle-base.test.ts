// The job's bundle base over a real serving bundle (fixture latents + the ONNX sum encoder, real onnxruntime
// sessions): z_u served from the prepared cache equals the encoder's, and the adapter job trained on it
// publishes versions of the bundle's dim that a worker's AdapterRegistry on the same bundle loads; the versions
// are tagged with the bundle's version, which the worker's dynamic scoring agrees on, and a job reopened on
// another bundle (same dim or not) starts fresh adapters instead of throwing or reusing the old ones.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutShapes, publishAdapter, readAdapter, readPointer } from '@llmrec/shared/adapter/adapter-store.ts';
import { dynamicLayout, initDynamic } from '@llmrec/shared/adapter/dynamic-model.ts';
import { defaultLearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { base64ToFloat32, float32ToBase64 } from '@llmrec/shared/base64.ts';
import { encodeStats } from '@llmrec/shared/adapter/snapshot.ts';
import { WindowStats } from '@llmrec/shared/adapter/window-stats.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import type { KvStore, LoggedEvent } from '@llmrec/shared/kv/store.ts';
import { makeFixture } from '../../../tests/support/catalog-fixture.ts';
import { writeFixtureBundle } from '../../../tests/support/processes.ts';
import { AdapterRegistry } from '../adapter-runtime/adapter-registry.ts';
import { loadServingModel } from '../artifacts.ts';
import { createDynamicScoring } from '../dynamic-scoring.ts';
import type { LatentModel } from '../model.ts';
import { AdapterJob, defaultJobConfig, type JobConfig, type JobHooks } from './adapter-job.ts';
import { EncoderBase, loadBundleBase } from './bundle-base.ts';

const f = makeFixture({ items: 60, dim: 12 }); // dim != 64: the fallback base's dim would not fit
const dir = mkdtempSync(join(tmpdir(), 'llmrec-bundle-base-'));
const models: LatentModel[] = [];
const H = 3600_000;

// Two more bundles of the same catalog: a retrain of the same dim (another version) and one of another dim.
const sameDim = { dir: mkdtempSync(join(tmpdir(), 'llmrec-bundle-b-')), f: makeFixture({ items: 60, dim: 12, version: 'v-test-2' }) };
const otherDim = { dir: mkdtempSync(join(tmpdir(), 'llmrec-bundle-c-')), f: makeFixture({ items: 60, dim: 8, version: 'v-test-3' }) };

async function open(batch?: number, from = dir): Promise<{ base: EncoderBase; model: LatentModel }> {
  const r = await loadBundleBase(from, { threads: 1, batch });
  models.push(r.model);
  return r;
}

beforeAll(() => {
  writeFixtureBundle(dir, f);
  for (const b of [sameDim, otherDim]) writeFixtureBundle(b.dir, b.f);
});
afterAll(async () => {
  for (const m of models) await m.close();
  for (const d of [dir, sameDim.dir, otherDim.dir]) rmSync(d, { recursive: true, force: true });
});

const row = (z: Float32Array, r: number) => Array.from(z.subarray(r * f.dim, (r + 1) * f.dim));
const latent = (base: EncoderBase, h: number[]) => {
  const out = new Float32Array(base.dim);
  base.userLatent(h, out);
  return Array.from(out);
};

describe('EncoderBase', () => {
  it('serves exactly the encoder rows of the prepared histories, in batches', async () => {
    const { base, model } = await open(2);
    expect([base.dim, base.nItems]).toEqual([f.dim, f.ids.length]);
    const hs = [[0, 3, 6], [1], [], [5, 5, 2, 59], [0, 3, 6], [7, 8]];
    expect(await base.prepare(hs)).toEqual({ histories: 5, encoded: 5 });
    const all = await model.encodeUsers(hs);
    hs.forEach((h, r) => expect(latent(base, h)).toEqual(row(all, r)));
    for (const h of hs) expect(latent(base, h)).toEqual(row(await model.encodeUsers([h]), 0));
    expect(latent(base, [])).toEqual(new Array(f.dim).fill(0));
  });

  it('refuses a history it was not asked to prepare, and keeps only the last set asked for', async () => {
    const { base } = await open();
    expect(() => latent(base, [0])).toThrow(/no z_u prepared for a history of 1 items/);
    await base.prepare([[0, 3], [1]]);
    const z = latent(base, [0, 3]);
    expect(await base.prepare([[0, 3], [4]])).toEqual({ histories: 2, encoded: 1 }); // [0, 3] reused
    expect(latent(base, [0, 3])).toEqual(z);
    expect(base.size).toBe(2);
    expect(() => latent(base, [1])).toThrow(/no z_u prepared/);
    await base.prepare([]);
    expect(base.size).toBe(0);
  });
});

describe('adapter job on the served bundle', () => {
  const events: LoggedEvent[] = [];
  for (let k = 0; k < 160; k++) {
    const w = Math.floor(k / 40); // 4 one-hour windows of 40 events
    events.push({ eventId: `e${k}`, userId: `u${k % 7}`, itemId: f.ids[(k * 7 + w * 3) % f.ids.length]!, type: 'click', ts: 1_700_000_000_000 + w * H + (k % 40) * 60_000 });
  }
  const index = new Map(f.ids.map((id, i) => [id, i]));
  const itemIndex = (id: string) => index.get(id);
  const cfg = (guardrail: boolean): JobConfig => ({
    ...defaultJobConfig, batch: 25, trimEvery: 0,
    learner: { ...defaultLearnerConfig, hidden: 16, guardrail, train: { ...defaultTrainConfig, batchSize: 16 } },
  });
  async function drain(store: KvStore, base: EncoderBase, c: JobConfig, hooks?: JobHooks) {
    const job = await AdapterJob.open({ store, log: store.events!, base, itemIndex, hooks }, c);
    for (let k = 0; k < 20; k++) if ((await job.tick()).read === 0) break;
    return job;
  }

  for (const guardrail of [false, true]) {
    it(`publishes versions of the bundle's dim that the worker's registry loads (guardrail ${guardrail ? 'on' : 'off'})`, async () => {
      const { base, model } = await open();
      const store = createMemoryStore();
      await store.events.append(events);
      const job = await drain(store, base, cfg(guardrail));
      expect(job.counted).toBe(120);
      const ptr = await readPointer(store);
      expect(ptr?.version ?? 0).toBeGreaterThanOrEqual(guardrail ? 1 : 3);
      const rec = (await readAdapter(store, ptr!.version))!.record;
      expect(rec.shapes.adapter?.[0]).toBe(f.dim);
      expect(base64ToFloat32(rec.weights!).length).toBe(dynamicLayout({ dim: f.dim, hidden: 16 }).size);
      // The replay buffer is part of the prepared working set, nothing else: bounded by replay + held + window.
      expect(base.size).toBeLessThanOrEqual(defaultTrainConfig.replay + defaultLearnerConfig.guardSlice + 40);

      // A worker on the same bundle: its own base (createDynamicScoring's shape), z_u from the encoder.
      const worker = await open();
      const reg = new AdapterRegistry(store, worker.base);
      expect(await reg.refresh()).toBe(true);
      expect(reg.lastError).toBeNull();
      expect(reg.version).toBe(ptr!.version);
      const h = [0, 3, 6];
      const zu = await model.encodeUsers([h]);
      const out = new Float32Array(f.ids.length);
      expect(reg.scoreLatent('u1', zu, h, events[159]!.ts / 1000, out)).toBe(ptr!.version);
      expect(out.every(Number.isFinite)).toBe(true);
    });
  }

  it('resumes from a checkpoint with an empty cache (replay and held-out histories are prepared again)', async () => {
    const ref = createMemoryStore();
    await ref.events.append(events);
    const refJob = await drain(ref, (await open()).base, cfg(true));

    const store = createMemoryStore();
    await store.events.append(events);
    let closes = 0;
    const kill: JobHooks = { afterCheckpoint: () => { if (++closes === 2) throw new Error('killed'); } };
    await expect(drain(store, (await open()).base, cfg(true), kill)).rejects.toThrow('killed');
    const job = await drain(store, (await open()).base, cfg(true));
    expect(job.counted).toBe(refJob.counted);
    expect(Array.from(job.learner.stats.itemTotal)).toEqual(Array.from(refJob.learner.stats.itemTotal));
    expect(job.learner.trainer.replayBuf.length).toBeGreaterThan(0);
  });
});

describe('adapters tied to the served bundle', () => {
  const events: LoggedEvent[] = [];
  for (let k = 0; k < 160; k++) {
    const w = Math.floor(k / 40);
    events.push({ eventId: `e${k}`, userId: `u${k % 7}`, itemId: f.ids[(k * 7 + w * 3) % f.ids.length]!, type: 'click', ts: 1_700_000_000_000 + w * H + (k % 40) * 60_000 });
  }
  const index = new Map(f.ids.map((id, i) => [id, i]));
  const cfg: JobConfig = {
    ...defaultJobConfig, batch: 25, trimEvery: 0,
    learner: { ...defaultLearnerConfig, hidden: 16, guardrail: false, train: { ...defaultTrainConfig, batchSize: 16 } },
  };
  async function drain(store: KvStore, base: EncoderBase, said: string[] = []) {
    const job = await AdapterJob.open({ store, log: store.events!, base, itemIndex: (id) => index.get(id), say: (m) => said.push(m) }, cfg);
    for (let k = 0; k < 20; k++) if ((await job.tick()).read === 0) break;
    return job;
  }

  it("the job's base id is the bundle version, the same id the worker's dynamic scoring has for that folder", async () => {
    const { base } = await open();
    const worker = await loadServingModel(dir, { device: 'cpu', threads: 1 });
    models.push(worker);
    expect(base.id).toBe(f.version);
    expect(worker.version).toBe(base.id);
    const store = createMemoryStore();
    await store.events.append(events);
    await drain(store, base);
    const ptr = (await readPointer(store))!;
    expect((await readAdapter(store, ptr.version))!.record.base).toBe('v-test-1');
    const said: string[] = [];
    const dyn = createDynamicScoring(store, worker, { pollMs: 10, say: (m) => said.push(m) });
    try {
      for (let k = 0; k < 200 && dyn.version() === null; k++) await new Promise((r) => setTimeout(r, 10));
      expect(dyn.version()).toBe(ptr.version); // the worker accepts the job's tag for the same folder
      const L = dynamicLayout({ dim: f.dim, hidden: 16 });
      await publishAdapter(store, { version: ptr.version + 1, weightsB64: float32ToBase64(initDynamic(L, 1)), shapes: layoutShapes(L), stats: encodeStats(new WindowStats(f.ids.length), false), trainedOnEvents: 0, metrics: {}, parent: null, base: 'v-test-2' });
      for (let k = 0; k < 200 && !said.some((m) => m.includes('trained for base v-test-2')); k++) await new Promise((r) => setTimeout(r, 10));
      expect(said.filter((m) => m.includes('trained for base v-test-2, this worker serves v-test-1'))).toHaveLength(1);
      expect(dyn.version()).toBe(ptr.version);
    } finally {
      dyn.stop();
    }
  });

  for (const next of [sameDim, otherDim]) {
    it(`a job reopened on bundle ${next.f.version} (dim ${next.f.dim}) after bundle v-test-1 starts fresh and publishes versions tagged ${next.f.version}`, async () => {
      const ref = createMemoryStore();
      await ref.events.append(events);
      const refJob = await drain(ref, (await open()).base);

      const store = createMemoryStore();
      await store.events.append(events.slice(0, 120)); // windows 1-2 close on A, window 3 stays unacked
      await drain(store, (await open()).base);
      expect((await readPointer(store))!.version).toBe(2);
      await store.events.append(events.slice(120));
      const said: string[] = [];
      const nextBase = (await open(undefined, next.dir)).base;
      const job = await drain(store, nextBase, said);
      expect(said[0]).toMatch(new RegExp(`trained for base v-test-1, the job now runs on ${next.f.version}: starting fresh adapters`));
      expect(job.counted).toBe(refJob.counted);
      expect(Array.from(job.learner.stats.itemTotal)).toEqual(Array.from(refJob.learner.stats.itemTotal));
      const rec = (await readAdapter(store, 3))!.record;
      expect(rec).toMatchObject({ base: next.f.version, parent: null });
      expect(rec.shapes.adapter?.[0]).toBe(next.f.dim);
      const reg = new AdapterRegistry(store, (await open(undefined, next.dir)).base);
      expect(await reg.refresh()).toBe(true);
      expect(reg.version).toBe(3);
    });
  }
});
