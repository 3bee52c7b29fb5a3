// The adapter job on a dim-128 base writes multi-MB values (record, statistics, checkpoint); through an
// Upstash endpoint that rejects requests over 1 MiB (as Upstash's common plans do, real redis-server behind
// it) they still publish, read back and resume, because shared/src/kv/chunked.ts stores them in parts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUpstashStore } from '@llmrec/edge/kv/redis-rest.ts';
import { AdapterJob, defaultJobConfig, type JobConfig } from '@llmrec/gpu-worker/job/adapter-job.ts';
import { adapterKeys, readAdapter, readPointer } from '@llmrec/shared/adapter/adapter-store.ts';
import { mulberry32 } from '@llmrec/shared/adapter/gated-adapter.ts';
import { MeanHistoryBase } from '@llmrec/shared/adapter/mean-history-base.ts';
import { defaultLearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { getChunked, parseHead } from '@llmrec/shared/kv/chunked.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { startRedisRest, type UpstashRestServer } from '../test-support/upstash-rest-server.ts';

const MiB = 1 << 20;
const D = 128;
const N = 60;
let rest: UpstashRestServer;
beforeAll(async () => {
  rest = await startRedisRest({ maxRequestBytes: MiB });
});
afterAll(async () => {
  await rest?.close();
});

it('a dim-128 adapter job publishes, checkpoints and resumes through a 1 MiB request limit', async () => {
  const store = createUpstashStore({ url: rest.url, token: rest.token }, { prefix: `limits:${Date.now().toString(36)}:` });
  const huge = 'x'.repeat(MiB + 10);
  await expect(store.set('too-large', huge)).rejects.toThrow(/max request size/);
  expect(rest.stats.tooLarge).toBe(1);

  const rnd = mulberry32(5);
  const vec = (n: number) => Float32Array.from({ length: n }, () => rnd() - 0.5);
  const base = new MeanHistoryBase(D, vec(N * D), vec(N * D));
  const H = 3600_000;
  await store.events.append(Array.from({ length: 90 }, (_, k) => ({
    eventId: `e${k}`, userId: `u${k % 9}`, itemId: `i${(k * 7) % N}`, type: 'click', ts: 1_700_000_000_000 + Math.floor(k / 30) * H + (k % 30) * 60_000,
  })));
  const cfg: JobConfig = { ...defaultJobConfig, learner: { ...defaultLearnerConfig, train: { ...defaultTrainConfig, batchSize: 16 }, guardrail: false } };
  const itemIndex = (id: string) => Number(id.slice(1));
  const job = await AdapterJob.open({ store, log: store.events, base, itemIndex }, cfg);
  for (let k = 0; k < 20; k++) if ((await job.tick()).read === 0) break;
  expect(rest.stats.tooLarge).toBe(1); // nothing the job sent went over the limit

  const v = (await readPointer(store))!.version;
  expect(v).toBe(2);
  const sizes = Object.fromEntries(await Promise.all(([['record', keys.adapter(v)], ['stats', adapterKeys.stats(v)], ['checkpoint', adapterKeys.checkpoint(cfg.group)]] as const)
    .map(async ([name, key]) => [name, { bytes: (await getChunked(store, key))!.length, head: parseHead(await store.get(key)) }] as const)));
  expect(sizes.checkpoint!.bytes).toBeGreaterThan(2 * MiB);
  expect(sizes.checkpoint!.head!.parts).toBeGreaterThan(2);
  expect(sizes.record!.head).not.toBeNull(); // 128-dim adapter weights: over one 512 KiB part
  const got = await readAdapter(store, v);
  expect(got?.record.version).toBe(v);
  expect(got!.record.weights!.length).toBeGreaterThan(512 * 1024);

  // A restart resumes from the chunked checkpoint: nothing counted twice, the next version goes up.
  const again = await AdapterJob.open({ store, log: store.events, base, itemIndex }, cfg);
  expect(again.counted).toBe(job.counted);
  expect(again.learner.version).toBe(v);
  await store.events.append([{ eventId: 'late', userId: 'u1', itemId: 'i3', type: 'click', ts: 1_700_000_000_000 + 5 * H }]);
  for (let k = 0; k < 5; k++) if ((await again.tick()).read === 0) break;
  expect((await readPointer(store))!.version).toBe(v + 1);
  expect(rest.stats.tooLarge).toBe(1);
}, 120_000);
