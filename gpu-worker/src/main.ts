// Process entry of the GPU worker (the Docker image's default command): configuration from the environment
// (LLMREC_ARTIFACTS, LLMREC_WORKER_SECRET, LLMREC_WORKER_PORT, LLMREC_DEVICE, ...), serving bundle loaded with
// hash checks on the execution provider chosen at start, graceful shutdown on SIGTERM/SIGINT. Optional: the
// frozen LLM routes (LLMREC_LLM_*) and online adapters polled from Upstash (UPSTASH_REDIS_REST_URL/TOKEN).
import { pathToFileURL } from 'node:url';
import { loadServingModel } from './artifacts.ts';
import { contentAttributionFromEnv } from './attribution/content-attribution.ts';
import { workerConfigFromEnv } from './config.ts';
import { llmEnv, loadLlmFromEnv } from './llm-from-env.ts';
import { startWorker, type RunningWorker } from './server.ts';

export async function startWorkerFromEnv(env: Record<string, string | undefined> = process.env): Promise<RunningWorker> {
  const cfg = workerConfigFromEnv(env);
  llmEnv(env); // LLM variables checked before the (slow) model load: a bad value fails at once with its name
  const model = await loadServingModel(cfg.artifactsDir, { device: cfg.device, ...(cfg.threads ? { threads: cfg.threads } : {}) });
  const log = cfg.log === 'json' ? (l: Record<string, unknown>) => console.log(JSON.stringify({ svc: 'worker', ...l })) : undefined;
  // Optional frozen LLM (soft prompts): LLMREC_LLM_MODEL + LLMREC_LLM_PROJECTORS (+ LLMREC_LLM_WEIGHT).
  const llm = await loadLlmFromEnv(env, { device: cfg.device, encodeUser: (h) => model.encodeUsers([h]), say: (m) => console.error(`worker: ${m}`) });
  // Online adapters (Eq. 1): with Upstash credentials the worker polls the adapter pointer the job publishes.
  let dynamic;
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    const [{ Redis }, { createRedisStore }, { createDynamicScoring }] = await Promise.all([import('@upstash/redis'), import('@llmrec/shared/kv/redis-store.ts'), import('./dynamic-scoring.ts')]);
    const client = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN, automaticDeserialization: false, enableTelemetry: false });
    dynamic = createDynamicScoring(createRedisStore(client as never, { kind: 'upstash' }), model, { say: (m) => console.error(`worker: ${m}`) });
  }
  // Explanations attribute scores to item content through the bundle's content tower when it has one.
  const content = await contentAttributionFromEnv(cfg.artifactsDir, model, env);
  return startWorker({ model, secret: cfg.secret, port: cfg.port, host: cfg.host, maxBatch: cfg.maxBatch, shutdownGraceMs: cfg.shutdownGraceMs, log, llm, dynamic, content });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  startWorkerFromEnv().then(
    (w) => {
      console.error(`worker listening on ${w.url} (execution provider ${w.model.executionProvider}, scorer ${w.model.scorer}, model ${w.model.version})`);
      const stop = async (sig: string) => {
        console.error(`worker: ${sig}, draining`);
        await w.close();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
    },
    (err: Error) => {
      console.error(`worker: ${err.message}`);
      process.exit(1);
    },
  );
}
