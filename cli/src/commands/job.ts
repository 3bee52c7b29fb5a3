// `llmrec job`: the background adapter job (online dynamic alignment) as a long-running process — the second
// command of the worker image, and a local process in the demo. Thin entry point over gpu-worker/src/job/.
import { resolve } from 'node:path';
import { datasetDir, llmrecHome, readDataset } from '../../../data/src/index.ts';
import { openStore } from '../../../edge/src/kv/open-store.ts';
import { baseForDataset } from '../../../eval/src/streaming/base-for-dataset.ts';
import { AdapterJob, defaultJobConfig } from '../../../gpu-worker/src/job/adapter-job.ts';
import { type Command, CliError, flag, int, num, optStr } from '../command.ts';

export const command: Command = {
  name: 'job',
  summary: 'run the background adapter job (online dynamic alignment)',
  usage: [
    'llmrec job --dataset ml-100k [--store sqlite:.llmrec/kv.sqlite] [--window 3600] [--interval 5] [--max-events 200]',
    'llmrec job --dataset ml-100k --once        (drain the event log, close the open window, exit)',
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
    'no-guardrail': { type: 'boolean', description: 'publish every window without the held-out comparison' },
    once: { type: 'boolean', description: 'drain the log, update on what is left, and exit' },
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
    const { base, itemIndex } = baseForDataset(ds, home, { epochs: int(values, 'base-epochs', 10, 1) }, say);
    const store = await openStore(optStr(values, 'store'));
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
      await store.close?.();
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
    await store.close?.();
    return 0;
  },
};
