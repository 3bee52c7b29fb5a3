// `llmrec worker`: the GPU worker as a long-running process, configured from the environment — the image's
// default command (Dockerfile) and what the fault tests and benchmarks start. Thin entry point over
// gpu-worker/src/from-env.ts; the store for online adapters is opened exactly as the edge and `llmrec job`
// open theirs (LLMREC_STORE through edge/src/kv/open-store.ts).
import { openStore } from '@llmrec/edge/kv/open-store.ts';
import { startWorkerFromEnv } from '@llmrec/gpu-worker/from-env.ts';
import type { StoreEnv } from '@llmrec/shared/kv/store-spec.ts';
import { CliError, type Command } from '../command.ts';
import { waitForSignal } from './serve.ts';

export const command: Command = {
  name: 'worker',
  summary: 'run the GPU worker (scoring, online adapters, item writes, optional LLM) from the environment',
  usage: [
    'LLMREC_ARTIFACTS=DIR [LLMREC_WORKER_SECRET=...] [LLMREC_WORKER_HOST=127.0.0.1] [LLMREC_WORKER_PORT=8788] llmrec worker',
    'Online adapters are read from LLMREC_STORE (sqlite:<path> | memory | upstash[:<url>] | vercel-kv[:<url>] |',
    'redis-rest:<url>; default sqlite:$LLMREC_HOME/kv.sqlite), as the edge and `llmrec job` read it; LLMREC_ADAPTERS=off',
    'scores statically. The item API (PUT /v1/items through the edge) uses the same store: the live catalog is synced from it',
    'and new items are embedded by the bundle\'s content tower (LLMREC_IMAGE_HOSTS: hosts image URLs may name; LLMREC_CATALOG=off',
    'leaves it out). A non-loopback LLMREC_WORKER_HOST requires LLMREC_WORKER_SECRET. SIGTERM drains in-flight requests.',
  ].join('\n'),
  options: {},
  async run() {
    let w;
    try {
      w = await startWorkerFromEnv(process.env, { openStore: (env) => openStore(undefined, env as StoreEnv) });
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    process.stderr.write(`worker listening on ${w.url} (execution provider ${w.model.executionProvider}, scorer ${w.model.scorer}, model ${w.model.version}${w.store ? `, adapters from ${w.store.kind}` : ''})\n`);
    await waitForSignal();
    process.stderr.write('worker: draining\n');
    await w.close();
    return 0;
  },
};
