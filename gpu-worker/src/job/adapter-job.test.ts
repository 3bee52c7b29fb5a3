import { describe, expect, it } from 'vitest';
import { adapterKeys, readAdapter, readPointer, rollbackAdapter } from '@llmrec/shared/adapter/adapter-store.ts';
import { mulberry32 } from '@llmrec/shared/adapter/gated-adapter.ts';
import { MeanHistoryBase } from '@llmrec/shared/adapter/mean-history-base.ts';
import { defaultLearnerConfig, OnlineLearner } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import type { EventLog, KvStore, LoggedEvent } from '@llmrec/shared/kv/store.ts';
import { AdapterRegistry } from '../adapter-runtime/adapter-registry.ts';
import { AdapterJob, defaultJobConfig, type JobConfig, type JobHooks } from './adapter-job.ts';

const D = 8;
const N = 30;
const H = 3600_000;

function world() {
  const rnd = mulberry32(11);
  const vec = (n: number) => Float32Array.from({ length: n }, () => rnd() - 0.5);
  const base = new MeanHistoryBase(D, vec(N * D), vec(N * D));
  const events: LoggedEvent[] = [];
  for (let k = 0; k < 160; k++) {
    const w = Math.floor(k / 40); // 4 one-hour windows of 40 events
    events.push({ eventId: `e${k}`, userId: `u${k % 7}`, itemId: `i${(k * 7 + w * 3) % N}`, type: 'click', ts: 1_700_000_000_000 + w * H + (k % 40) * 60_000 });
  }
  return { base, events };
}

const cfg: JobConfig = {
  ...defaultJobConfig, batch: 25,
  learner: { ...defaultLearnerConfig, hidden: 16, train: { ...defaultTrainConfig, batchSize: 16 }, guardrail: false },
};
const itemIndex = (id: string) => (/^i\d+$/.test(id) ? Number(id.slice(1)) : undefined);

async function drain(store: KvStore, base: MeanHistoryBase, hooks?: JobHooks, over: Partial<JobConfig> = {}) {
  const job = await AdapterJob.open({ store, log: store.events!, base, itemIndex, hooks }, { ...cfg, ...over });
  for (let k = 0; k < 20; k++) if ((await job.tick()).read === 0) break;
  return job;
}

describe('adapter job', () => {
  it('publishes one version per closed window, with monotonically increasing versions', async () => {
    const { base, events } = world();
    const store = createMemoryStore();
    await store.events.append(events);
    const job = await drain(store, base);
    expect(job.counted).toBe(120); // the 4th window stays open until a later event (or a trigger) closes it
    expect((await readPointer(store))?.version).toBe(3);
    for (const v of [1, 2, 3]) expect((await readAdapter(store, v))?.record.parent).toBe(v === 1 ? null : v - 1);
  });

  it('one far-future event (ts 8e15) is skipped, acked and reported: windows keep closing by event time, statistics stay in the present', async () => {
    const { base, events } = world();
    const store = createMemoryStore();
    const bad: LoggedEvent = { eventId: 'future', userId: 'u1', itemId: 'i3', type: 'click', ts: 8_000_000_000_000_000 };
    await store.events.append([...events.slice(0, 10), bad, ...events.slice(10)]);
    const said: string[] = [];
    const now = () => events[159]!.ts + 60_000; // the job's wall clock: just after the last real event
    const job = await AdapterJob.open({ store, log: store.events, base, itemIndex, now, say: (m) => said.push(m) }, cfg);
    for (let k = 0; k < 20; k++) if ((await job.tick()).read === 0) break;
    expect(job.counted).toBe(120); // as without the bad event: windows 1-3 closed, the 4th still open
    expect((await readPointer(store))?.version).toBe(3);
    expect(job.learner.stats.now).toBe((events[119]!.ts) / 1000); // the newest counted event, not year 255,000
    expect(job.learner.stats.seen.has('future')).toBe(false);
    expect(said.filter((m) => m.includes('skipped 1 event'))).toEqual([expect.stringMatching(/skipped 1 event more than 900 s ahead of the job clock \(future\)/)]);
    // It was acked with its window (never redelivered): everything before the open 4th window is trimmable.
    expect(await store.events.trim([cfg.group])).toBe(121);
  });

  it('a checkpoint whose window lies in the far future (written before this check) is reset on open', async () => {
    const { base, events } = world();
    const store = createMemoryStore();
    await store.events.append(events.slice(0, 40));
    const first = await drain(store, base, undefined, { maxEvents: 40 });
    expect(first.counted).toBe(40);
    const key = adapterKeys.checkpoint(cfg.group);
    const ck = JSON.parse((await store.get(key))!);
    ck.window = Math.floor(8_000_000_000_000_000 / H);
    await store.set(key, JSON.stringify(ck));
    await store.events.append(events.slice(40));
    const said: string[] = [];
    const job = await AdapterJob.open({ store, log: store.events, base, itemIndex, now: () => events[159]!.ts, say: (m) => said.push(m) }, cfg);
    expect(said.some((m) => /checkpoint window .* is in the future; starting windows from the next event/.test(m))).toBe(true);
    for (let k = 0; k < 20; k++) if ((await job.tick()).read === 0) break;
    expect(job.counted).toBe(120);
  });

  it('starts from warm statistics (features read at the newest counted event, finite losses)', async () => {
    const { base, events } = world();
    const store = createMemoryStore();
    await store.events.append(events);
    const job = await AdapterJob.open({ store: store, log: store.events, base, itemIndex }, cfg);
    for (let k = 0; k < 30; k++) job.learner.stats.apply({ eventId: `warm${k}`, user: `w${k % 5}`, item: k % N, ts: events[0]!.ts / 1000 - 3600 + k * 60 });
    let published = 0;
    for (let k = 0; k < 20; k++) {
      const r = await job.tick();
      for (const w of r.windows) {
        expect(Number.isFinite(w.loss)).toBe(true);
        if (w.published) published++;
      }
      if (r.read === 0) break;
    }
    expect(published).toBe(3);
  });

  for (const crashAt of ['afterLearn', 'afterPublish', 'afterCheckpoint'] as const) {
    it(`killed ${crashAt} mid-run resumes from its cursor without counting any event twice`, async () => {
      const { base, events } = world();
      const ref = createMemoryStore();
      await ref.events.append(events);
      const refJob = await drain(ref, base);

      const store = createMemoryStore();
      await store.events.append(events);
      let closes = 0;
      const hooks: JobHooks = {
        [crashAt]: () => {
          if (++closes === 2) throw new Error('killed');
        },
      };
      await expect(drain(store, base, hooks)).rejects.toThrow('killed');
      // Serving never sees a half-written adapter: the pointer always names a complete version.
      const ptr = await readPointer(store);
      if (ptr) expect(await readAdapter(store, ptr.version)).not.toBeNull();
      const job = await drain(store, base);
      expect(job.counted).toBe(refJob.counted);
      expect(Array.from(job.learner.stats.itemTotal)).toEqual(Array.from(refJob.learner.stats.itemTotal));
      const v = (await readPointer(store))!.version;
      expect(v).toBeGreaterThanOrEqual(3);
      const reg = new AdapterRegistry(store, base);
      expect(await reg.refresh()).toBe(true);
      expect(reg.version).toBe(v);
    });
  }

  it('trims the acked events every trimEvery windows; every event is still counted once, also across a crash', async () => {
    const { base, events } = world();
    const ref = createMemoryStore();
    await ref.events.append(events);
    const refJob = await drain(ref, base, undefined, { trimEvery: 0 });
    expect(await ref.events.length()).toBe(160);

    const store = createMemoryStore();
    await store.events.append(events);
    const job = await drain(store, base, undefined, { trimEvery: 2 });
    expect(await store.events.length()).toBe(80); // windows 1-2 trimmed after the 2nd close; the 3rd close waits
    expect(job.counted).toBe(refJob.counted);
    expect(Array.from(job.learner.stats.itemTotal)).toEqual(Array.from(refJob.learner.stats.itemTotal));

    const crashed = createMemoryStore();
    await crashed.events.append(events);
    let closes = 0;
    const kill: JobHooks = { afterCheckpoint: () => { if (++closes === 2) throw new Error('killed'); } };
    await expect(drain(crashed, base, kill, { trimEvery: 1 })).rejects.toThrow('killed');
    expect(await crashed.events.length()).toBe(120); // window 1 trimmed; window 2 checkpointed, not acked
    const resumed = await drain(crashed, base, undefined, { trimEvery: 1 });
    expect(await crashed.events.length()).toBe(40); // only the open 4th window is left
    expect(resumed.counted).toBe(refJob.counted);
    expect(Array.from(resumed.learner.stats.itemTotal)).toEqual(Array.from(refJob.learner.stats.itemTotal));
    // A late retry of a trimmed event is still a duplicate at ingest.
    expect(await crashed.events.append([events[0]!])).toEqual({ added: 0, duplicates: 1 });
  });

  it('a failing trim is reported and never fails the window', async () => {
    const { base, events } = world();
    const store = createMemoryStore();
    await store.events.append(events);
    const log: EventLog = Object.assign(Object.create(store.events) as EventLog, { trim: async () => { throw new Error('XTRIM refused'); } });
    const said: string[] = [];
    const job = await AdapterJob.open({ store: store, log, base, itemIndex, say: (m) => said.push(m) }, { ...cfg, trimEvery: 1 });
    for (let k = 0; k < 20; k++) if ((await job.tick()).read === 0) break;
    expect(job.counted).toBe(120);
    expect((await readPointer(store))?.version).toBe(3);
    expect(said.filter((m) => m.includes('trim failed') && m.includes('XTRIM refused'))).toHaveLength(3);
    expect(await store.events.length()).toBe(160);
  });

  it('a crash between the versioned writes and the pointer flip leaves serving on the previous version', async () => {
    const { base, events } = world();
    const mem = createMemoryStore();
    await mem.events.append(events);
    let flips = 0;
    const store: KvStore = Object.assign(Object.create(mem) as KvStore, {
      set: async (k: string, v: string, o?: { ttlSeconds?: number }) => {
        if (k.endsWith('adapter:current') && ++flips === 2) throw new Error('killed before flip');
        return mem.set(k, v, o);
      },
    });
    const reg = new AdapterRegistry(mem, base);
    await expect(drain(store, base)).rejects.toThrow('killed before flip');
    await reg.refresh();
    expect(reg.version).toBe(1);
    expect(reg.lastError).toBeNull();
  });

  it('rollback republishes an older version as a newer one; registry and job pick it up', async () => {
    const { base, events } = world();
    const store = createMemoryStore();
    await store.events.append(events.slice(0, 120));
    const job = await drain(store, base);
    const reg = new AdapterRegistry(store, base);
    await reg.refresh();
    expect(reg.version).toBe(2);
    const r = await rollbackAdapter(store, 1);
    expect(r).toEqual({ from: 2, to: 1, restored: 3 });
    expect((await readAdapter(store, 3))!.record.weights).toBe((await readAdapter(store, 1))!.record.weights);
    expect(await reg.refresh()).toBe(true);
    expect(reg.version).toBe(3);
    await store.events.append(events.slice(120));
    await store.events.append([{ ...events[0]!, eventId: 'late', ts: events[159]!.ts + 2 * H }]);
    for (let k = 0; k < 10; k++) if ((await job.tick()).read === 0) break;
    // The open window (2) closes into v4, trained from the rolled-back weights; window 3 into v5.
    expect((await readPointer(store))!.version).toBe(5);
    expect((await readAdapter(store, 4))!.record.parent).toBe(3);
  });
});

describe('adapter job across a base change (adapters are tied to their base)', () => {
  const tagged = (b: MeanHistoryBase, id: string) => Object.assign(b, { id });
  const otherBase = (dim: number, id: string, seed: number) => {
    const rnd = mulberry32(seed);
    const vec = (n: number) => Float32Array.from({ length: n }, () => rnd() - 0.5);
    return tagged(new MeanHistoryBase(dim, vec(N * dim), vec(N * dim)), id);
  };
  async function run(store: KvStore, base: MeanHistoryBase, said: string[]) {
    const job = await AdapterJob.open({ store, log: store.events!, base, itemIndex, say: (m) => said.push(m) }, cfg);
    for (let k = 0; k < 20; k++) if ((await job.tick()).read === 0) break;
    return job;
  }

  for (const [what, dim] of [['same dim, another bundle version', D], ['another dim', 6]] as const) {
    it(`${what}: the reopened job starts fresh adapters, counts every event once, publishes versions tagged with the new base`, async () => {
      const { base, events } = world();
      const A = tagged(base, 'bundle-A');
      const ref = createMemoryStore();
      await ref.events.append(events);
      const refJob = await drain(ref, A);

      const store = createMemoryStore();
      await store.events.append(events.slice(0, 120)); // windows 1-2 close on A; window 3 stays open (unacked)
      const said: string[] = [];
      await run(store, A, said);
      expect((await readPointer(store))?.version).toBe(2);
      expect((await readAdapter(store, 2))!.record.base).toBe('bundle-A');

      const B = otherBase(dim, 'bundle-B', 99);
      const opened = await AdapterJob.open({ store: store, log: store.events, base: B, itemIndex }, cfg);
      expect(Array.from(opened.learner.serving)).toEqual(Array.from(new OnlineLearner(B, cfg.learner).serving)); // identity init, nothing of A
      await store.events.append(events.slice(120));
      const job = await run(store, B, said);
      expect(said.some((m) => m.includes('trained for base bundle-A, the job now runs on bundle-B') && m.includes('starting fresh adapters'))).toBe(true);
      expect(job.counted).toBe(refJob.counted); // window 3 redelivered, windows 1-2 kept from the checkpoint: 120
      expect(Array.from(job.learner.stats.itemTotal)).toEqual(Array.from(refJob.learner.stats.itemTotal));
      const rec = (await readAdapter(store, 3))!.record;
      expect(rec).toMatchObject({ base: 'bundle-B', parent: null });
      expect(rec.shapes.adapter?.[0]).toBe(dim);

      // A worker on B never served A's versions and serves B's; a worker still on A keeps A's version.
      const onB = new AdapterRegistry(store, B);
      expect(await onB.refresh()).toBe(true);
      expect(onB.version).toBe(3);
      const onA = new AdapterRegistry(store, A);
      expect(await onA.refresh()).toBe(false);
      expect(onA.version).toBeNull();
      expect(onA.lastError).toMatch(/trained for base bundle-B, this worker serves bundle-A/);
    });
  }

  it('a rollback to another base\'s version is not adopted (no throw); the next version goes above the pointer', async () => {
    const { base, events } = world();
    const A = tagged(base, 'bundle-A');
    const store = createMemoryStore();
    await store.events.append(events.slice(0, 80)); // window 1 closes into v1 (A)
    const said: string[] = [];
    await run(store, A, said);
    const B = otherBase(6, 'bundle-B', 5);
    await store.events.append(events.slice(80, 120)); // window 2 closes into v2 (B)
    const job = await run(store, B, said);
    expect((await readAdapter(store, 2))!.record.base).toBe('bundle-B');
    const r = await rollbackAdapter(store, 1);
    expect((await readAdapter(store, r.restored))!.record.base).toBe('bundle-A'); // rollback copies the base
    await store.events.append(events.slice(120));
    for (let k = 0; k < 10; k++) if ((await job.tick()).read === 0) break;
    expect(said.filter((m) => m.includes(`not adopting adapter v${r.restored}`) && m.includes('trained for base bundle-A'))).toHaveLength(1);
    expect((await readPointer(store))!.version).toBe(r.restored + 1);
    expect((await readAdapter(store, r.restored + 1))!.record).toMatchObject({ base: 'bundle-B', parent: 2 });
  });

  it('a checkpoint without base id (older job) is restored when the layout fits, else dropped for fresh adapters', async () => {
    const { base, events } = world();
    const store = createMemoryStore();
    await store.events.append(events.slice(0, 120));
    const A = tagged(base, 'bundle-A');
    const first = await run(store, A, []);
    const key = adapterKeys.checkpoint(cfg.group);
    const ck = JSON.parse((await store.get(key))!);
    expect(ck.learner.base).toBe('bundle-A');
    delete ck.learner.base;
    await store.set(key, JSON.stringify(ck));
    const said: string[] = [];
    const same = await AdapterJob.open({ store: store, log: store.events, base: A, itemIndex, say: (m) => said.push(m) }, cfg);
    expect(said.at(-1)).toMatch(/checkpoint predates base ids; restored because its layout fits base bundle-A/);
    expect(Array.from(same.learner.serving)).toEqual(Array.from(first.learner.serving));
    expect(same.learner.version).toBe(2);
    const other = await AdapterJob.open({ store: store, log: store.events, base: otherBase(6, 'bundle-B', 3), itemIndex, say: (m) => said.push(m) }, cfg);
    expect(said.at(-1)).toMatch(/checkpoint has \d+ adapter parameters, base bundle-B \(dim 6, hidden 16\) needs \d+: starting fresh adapters/);
    expect(other.counted).toBe(80);
  });
});
