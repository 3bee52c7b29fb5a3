// `llmrec job`: the background adapter job (online dynamic alignment) as a long-running process — the second
// command of the worker image, and a local process in the demo. Thin entry point over gpu-worker/src/job/.
// By default the frozen base is the serving bundle the worker scores with (chosen as `llmrec serve` chooses it),
// so published adapters fit the worker's dim and latent space; `--base fallback` keeps the TS bag-of-items base.
import { resolve } from 'node:path';
import { datasetDir, llmrecHome, readDataset, readItems, type Dataset } from '@llmrec/data/index.ts';
import { openStore } from '@llmrec/edge/kv/open-store.ts';
import { baseForDataset } from '@llmrec/eval/streaming/base-for-dataset.ts';
import { AdapterJob, defaultJobConfig, type JobBase } from '@llmrec/gpu-worker/job/adapter-job.ts';
import { loadBundleBase } from '@llmrec/gpu-worker/job/bundle-base.ts';
import { type Command, CliError, flag, int, num, optStr, UsageError } from '../command.ts';
import { resolveBundleDir } from '../serving/local-stack.ts';

export const command: Command = {
  name: 'job',
  summary: 'run the background adapter job (online dynamic alignment)',
  usage: [
    'llmrec job --dataset ml-100k [--store sqlite:.llmrec/kv.sqlite] [--window 3600] [--interval 5] [--max-events 200]',
    'llmrec job --dataset ml-100k --once        (drain the event log, close the open window, exit)',
    'llmrec job --dataset ml-100k --artifacts DIR   (train around the bundle the worker serves from DIR)',
    'Consumes the event log through its consumer group, updates the adapters every window (event time), publishes',
    'guardrailed versions to KV (pointer flipped last) and acks events only after a checkpoint. Safe to kill.',
  ].join('\n'),
  options: {
    dataset: { type: 'string', short: 'd', description: 'prepared dataset whose items the events name (default ml-100k)' },
    store: { type: 'string', description: 'KV store spec (default $LLMREC_STORE or sqlite:$LLMREC_HOME/kv.sqlite)' },
    group: { type: 'string', description: 'consumer group (default adapter-job)' },
    consumer: { type: 'string', description: 'consumer name (default job-1)' },
    window: { type: 'string', description: 'event-time window in seconds (default 3600)' },
    interval: { type: 'string', description: 'also update after this many wall-clock seconds with events waiting (default off)' },
    'max-events': { type: 'string', description: 'also update once this many events wait (default off)' },
    poll: { type: 'string', description: 'idle poll interval in ms (default 200)' },
    'trim-every': { type: 'string', description: 'trim the events this group acked every N windows (default 10, 0 = never; use 0 when another group reads the same log)' },
    'trim-also': { type: 'string', description: 'comma-separated other groups whose unread events trimming keeps (e.g. llmrec-export, for llmrec export)' },
    'no-guardrail': { type: 'boolean', description: 'publish every window without the held-out comparison' },
    once: { type: 'boolean', description: 'drain the log, update on what is left, and exit' },
    base: { type: 'string', description: 'frozen base: bundle (the served serving bundle, default) or fallback (TS bag-of-items base)' },
    artifacts: { type: 'string', description: 'folder with serving-bundle.json for --base bundle (default: as llmrec serve picks it: trained, else baseline)' },
    'base-epochs': { type: 'string', description: 'epochs of the fallback base when it is not cached yet (default 10)' },
  },
  async run({ values }) {
    const home = resolve(llmrecHome());
    const name = optStr(values, 'dataset') ?? 'ml-100k';
    let ds;
    try {
      ds = readDataset(datasetDir(name, home));
    } catch (e) {
      throw new CliError(`${(e as Error).message}`);
    }
    const say = (m: string) => process.stderr.write(`[job] ${m}\n`);
    const kind = optStr(values, 'base') ?? 'bundle';
    if (kind !== 'bundle' && kind !== 'fallback') throw new UsageError(`--base must be bundle or fallback, got ${kind}`);
    if (kind === 'fallback' && optStr(values, 'artifacts')) throw new UsageError('--artifacts is for --base bundle');
    const { base, itemIndex, close } = kind === 'bundle'
      ? await bundleBase(ds, home, optStr(values, 'artifacts'), say)
      : { ...baseForDataset(ds, home, { epochs: int(values, 'base-epochs', 10, 1) }, say), close: async () => {} };
    try {
      return await runJob(values, base, itemIndex, say);
    } finally {
      await close();
    }
  },
};

/**
 * The serving bundle as the job's base, resolved exactly as the local stack resolves what it serves
 * (also the adapter benchmark's default base, bench/adapter.ts).
 */
export async function bundleBase(ds: Dataset, home: string, artifacts: string | undefined, say: (m: string) => void) {
  const { dir, source } = resolveBundleDir({ home, dataset: ds.meta.name, artifacts, log: say });
  let loaded;
  try {
    loaded = await loadBundleBase(dir, { threads: 1 });
  } catch (e) {
    throw new CliError(`cannot load the serving bundle in ${dir}: ${(e as Error).message}`);
  }
  const { base, model } = loaded;
  if (base.nItems !== ds.nItems) {
    await model.close();
    throw new CliError(`serving bundle ${model.version} in ${dir} has ${base.nItems} items, dataset ${ds.meta.name} has ${ds.nItems}: give the bundle of this dataset with --artifacts`);
  }
  say(`base: serving bundle ${model.version} (${source}, ${dir}): dim ${base.dim}, ${base.nItems} items, user encoder ${model.scorer} on ${model.executionProvider}`);
  const index = new Map(readItems(ds.dir).map((r, i) => [r.id, i]));
  return { base, model, dir, source, itemIndex: (id: string) => index.get(id), close: () => model.close() };
}

async function runJob(values: Record<string, unknown>, base: JobBase, itemIndex: (id: string) => number | undefined, say: (m: string) => void): Promise<number> {
  const store = await openStore(optStr(values, 'store'));
  try {
    if (!store.events) throw new CliError(`store ${store.kind} has no event log (use sqlite, memory or a Redis backend)`);
    const once = flag(values, 'once');
    const cfg = {
      ...defaultJobConfig,
      group: optStr(values, 'group') ?? defaultJobConfig.group,
      consumer: optStr(values, 'consumer') ?? defaultJobConfig.consumer,
      windowMs: num(values, 'window', 3600) * 1000,
      intervalMs: once ? 1 : num(values, 'interval', 0) * 1000,
      maxEvents: int(values, 'max-events', 0, 0),
      trimEvery: int(values, 'trim-every', defaultJobConfig.trimEvery, 0),
      trimAlso: (optStr(values, 'trim-also') ?? '').split(',').map((g) => g.trim()).filter(Boolean),
      learner: { ...defaultJobConfig.learner, guardrail: !flag(values, 'no-guardrail') },
    };
    const job = await AdapterJob.open({ store, log: store.events, base, itemIndex, say }, cfg);
    say(`consuming ${store.kind} event log as ${cfg.group}/${cfg.consumer}; window ${cfg.windowMs / 1000}s`);
    const report = (r: Awaited<ReturnType<AdapterJob['tick']>>) => {
      for (const w of r.windows) say(`window: ${w.events} events, ${w.steps} steps, loss ${w.loss.toFixed(4)}, ${w.published ? `published v${w.publishedVersion}` : 'guardrail kept the serving version'}`);
    };
    if (once) {
      for (;;) {
        const r = await job.tick();
        report(r);
        if (r.read === 0) break;
      }
      say(`done: ${job.counted} events counted, serving version ${job.learner.version}`);
      return 0;
    }
    const ac = new AbortController();
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
    const poll = int(values, 'poll', 200, 1);
    while (!ac.signal.aborted) {
      const r = await job.tick();
      report(r);
      if (r.observed === 0) await new Promise((res) => setTimeout(res, poll));
    }
    return 0;
  } finally {
    await store.close?.();
  }
}
