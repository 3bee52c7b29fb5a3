// The adapter job's trimming keeps the events another named group (llmrec export's journal) has not read yet:
// without `trimAlso` the job's trim removes them before the export sees them.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@llmrec/shared/adapter/gated-adapter.ts';
import { MeanHistoryBase } from '@llmrec/shared/adapter/mean-history-base.ts';
import { defaultLearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { AdapterJob, defaultJobConfig, type JobConfig } from './adapter-job.ts';

const N = 20;
const cfg: JobConfig = { ...defaultJobConfig, batch: 20, trimEvery: 1, learner: { ...defaultLearnerConfig, hidden: 8, train: { ...defaultTrainConfig, batchSize: 8 }, guardrail: false } };

async function run(trimAlso: string[]) {
  const rnd = mulberry32(1);
  const vec = () => Float32Array.from({ length: N * 8 }, () => rnd() - 0.5);
  const store = createMemoryStore();
  await store.events.append(Array.from({ length: 60 }, (_, k) => ({ eventId: `e${k}`, userId: `u${k % 5}`, itemId: `i${k % N}`, type: 'view', ts: 1_700_000_000_000 + Math.floor(k / 20) * 3600_000 + k })));
  const job = await AdapterJob.open({ store, log: store.events, base: new MeanHistoryBase(8, vec(), vec()), itemIndex: (id) => Number(id.slice(1)) }, { ...cfg, trimAlso });
  for (let k = 0; k < 10; k++) if ((await job.tick()).read === 0) break;
  return store;
}

describe('adapter job trimming with another group', () => {
  it('keeps what the other group has not read; trims once it has', async () => {
    expect(await (await run([])).events.length()).toBeLessThan(60); // trimmed: windows 0 and 1 acked
    const store = await run(['llmrec-export']);
    expect(await store.events.length()).toBe(60); // the export group never read: nothing trimmed
    const got = await store.events.read('llmrec-export', 'export', 100);
    await store.events.ack('llmrec-export', got.map((e) => e.seq!));
    expect(await store.events.trim(['adapter-job', 'llmrec-export'])).toBe(40);
  });
});
