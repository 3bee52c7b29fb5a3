// Measures the KV values the adapter job writes (adapter record, statistics snapshot, job checkpoint) on
// ML-100K with the served base, after a few windows (closed every eventsPerWindow events), and how kv/chunked.ts stores them (parts of 512 KiB).
// Run: npx tsx scripts/adapter-kv-sizes.ts [windows=4] [eventsPerWindow=500]   (LLMREC_HOME, default .llmrec)
// Numbers in docs/adapter.md and docs/storage.md come from this script.
import { bundleBase } from '@llmrec/cli/commands/job.ts';
import { datasetDir, readDataset, readItems, readSplit } from '@llmrec/data/index.ts';
import { streamEvents } from '@llmrec/eval/streaming/stream-events.ts';
import { AdapterJob, defaultJobConfig } from '@llmrec/gpu-worker/job/adapter-job.ts';
import { EncoderBase } from '@llmrec/gpu-worker/job/bundle-base.ts';
import { adapterKeys, readPointer } from '@llmrec/shared/adapter/adapter-store.ts';
import { defaultLearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { getChunked, parseHead } from '@llmrec/shared/kv/chunked.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';

const windows = Number(process.argv[2] ?? 4);
const perWindow = Number(process.argv[3] ?? 500);
const home = process.env.LLMREC_HOME ?? '.llmrec';
const ds = readDataset(datasetDir('ml-100k', home));
const b = await bundleBase(ds, home, undefined, (m) => console.error(m));
try {
  const itemIds = readItems(ds.dir).map((r) => r.id);
  const split = readSplit(ds, 'streaming');
  const events = streamEvents(ds.interactions.user, ds.interactions.item, ds.interactions.ts, split.labels as Int32Array);
  const pre = events.filter((e) => e.window < 0);
  const online = events.filter((e) => e.window >= 0).slice(0, windows * perWindow);
  const store = createMemoryStore();
  const job = await AdapterJob.open({ store, log: store.events!, base: new EncoderBase(b.model), itemIndex: b.itemIndex }, {
    ...defaultJobConfig, windowMs: Number.MAX_SAFE_INTEGER, maxEvents: perWindow, learner: { ...defaultLearnerConfig, guardrail: false },
  });
  // Warm statistics from the pre-stream interactions, as a long-running job would hold them.
  for (const e of pre) job.learner.stats.apply({ eventId: `r${e.row}`, user: String(e.user), item: e.item, ts: e.ts });
  await store.events!.append(online.map((e) => ({ eventId: `o${e.row}`, userId: String(e.user), itemId: itemIds[e.item], type: 'rating', ts: e.ts * 1000 })));
  let closed = 0;
  for (let k = 0; k < 10_000 && closed < windows; k++) {
    const r = await job.tick();
    closed += r.windows.length;
    if (r.read === 0) break;
  }
  const v = (await readPointer(store))!.version;
  const out: Record<string, unknown> = { dataset: 'ml-100k', base: `${b.model.version} (dim ${b.model.dim}, ${b.model.items} items)`, windows: closed, eventsPerWindow: perWindow, warmEvents: pre.length, countedEvents: job.counted };
  for (const [name, key] of [['record', keys.adapter(v)], ['stats', adapterKeys.stats(v)], ['checkpoint', adapterKeys.checkpoint(defaultJobConfig.group)]] as const) {
    const value = (await getChunked(store, key))!;
    const head = parseHead(await store.get(key));
    out[name] = { bytes: new TextEncoder().encode(value).byteLength, parts: head?.parts ?? 0 };
  }
  console.log(JSON.stringify(out, null, 1));
} finally {
  await b.close();
}
