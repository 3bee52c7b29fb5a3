// The GPU worker assembled from its environment (request path, step 4), as `llmrec worker` runs it — the
// image's default command (cli/src/commands/worker.ts is the process entry; Dockerfile): configuration read
// once and validated (LLMREC_ARTIFACTS, LLMREC_WORKER_SECRET, LLMREC_WORKER_HOST/PORT, LLMREC_DEVICE, ...), the
// serving bundle loaded with hash checks on the execution provider chosen at start, the optional frozen LLM
// (LLMREC_LLM_*), the online adapters (Eq. 1) polled from the store LLMREC_STORE names — resolved by the
// same opener the edge and the adapter job use, handed in by the caller (the worker never imports the edge) —
// and the live catalog of the item API over the same store (PUT /v1/items embedded by the bundle's content
// tower, hidden items never served; LLMREC_CATALOG=off leaves it out), as `llmrec serve` mounts it.
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { resolve } from 'node:path';
import { loadServingModel } from './artifacts.ts';
import { bundleContentFromEnv, contentAttribution } from './attribution/content-attribution.ts';
import { openColdScoring } from './catalog/cold-scoring.ts';
import { openWorkerCatalog, type OpenedCatalog } from './catalog/open-catalog.ts';
import { workerConfigFromEnv } from './config.ts';
import { createDynamicScoring } from './dynamic-scoring.ts';
import { llmEnv, loadLlmFromEnv } from './llm-from-env.ts';
import { startWorker, type RunningWorker } from './server.ts';

type Env = Record<string, string | undefined>;

export interface WorkerFromEnvDeps {
  /** Opens the store LLMREC_STORE names (default sqlite:$LLMREC_HOME/kv.sqlite): edge/src/kv/open-store.ts. */
  openStore: (env: Env) => Promise<KvStore>;
  say?: (m: string) => void;
}

export async function startWorkerFromEnv(env: Env, deps: WorkerFromEnvDeps): Promise<RunningWorker & { store: KvStore | null }> {
  const cfg = workerConfigFromEnv(env);
  const say = deps.say ?? ((m: string) => console.error(`worker: ${m}`));
  llmEnv(env); // LLM variables checked before the (slow) model load: a bad value fails at once with its name
  const model = await loadServingModel(cfg.artifactsDir, { device: cfg.device, ...(cfg.threads ? { threads: cfg.threads } : {}) });
  let store: KvStore | null = null;
  let catalog: OpenedCatalog | null = null;
  try {
    const log = cfg.log === 'json' ? (l: Record<string, unknown>) => console.log(JSON.stringify({ svc: 'worker', ...l })) : undefined;
    const llm = await loadLlmFromEnv(env, { device: cfg.device, encodeUser: (h) => model.encodeUsers([h]), say });
    if (cfg.adapters === 'on' || cfg.catalog === 'on') store = await deps.openStore(env);
    const dynamic = store && cfg.adapters === 'on' ? createDynamicScoring(store, model, { say }) : undefined;
    if (dynamic) say(`online adapters: polling the ${store!.kind} store for versions (LLMREC_ADAPTERS=off to score statically)`);
    const home = resolve(cfg.home);
    if (store && cfg.catalog === 'on') {
      catalog = await openWorkerCatalog({ store, model, bundleDir: cfg.artifactsDir, home, imageHosts: cfg.imageHosts, device: cfg.device, threads: cfg.threads || 1, say });
      say(`item API: live catalog synced from the ${store.kind} store; ${catalog.tower ? `new items embedded by the content tower (${catalog.tower.inputs.map((i) => i.modality).join(' + ')})` : 'no content tower in the bundle: items can be hidden, not created'} (LLMREC_CATALOG=off to leave it out)`);
    }
    // Explanations attribute scores to item content through the bundle's content tower when it has one.
    const bundled = await bundleContentFromEnv(cfg.artifactsDir, { ...env, LLMREC_HOME: home }, catalog ? catalog.tower : undefined);
    const content = bundled && contentAttribution(bundled.tower, bundled.tables, model, catalog?.live);
    // Items without CF signal add the user's content-profile term (LLMREC_COLD_CONTENT_WEIGHT; 0 = off).
    const cold = bundled && cfg.coldContentWeight > 0 ? await openColdScoring(bundled.tower, bundled.tables, model, cfg.coldContentWeight) : undefined;
    if (cold) say(`cold items: ${cold.publishedCold.length} published items without training interactions, and items written through the item API, add the content-profile term (weight ${cfg.coldContentWeight}, LLMREC_COLD_CONTENT_WEIGHT)`);
    const w = await startWorker({ model, secret: cfg.secret, port: cfg.port, host: cfg.host, maxBatch: cfg.maxBatch, shutdownGraceMs: cfg.shutdownGraceMs, log, llm, dynamic, content, cold, ...(catalog ? { catalog: { live: catalog.live, writer: catalog.writer } } : {}) });
    const opened = store;
    const cat = catalog;
    return {
      ...w,
      store: opened,
      async close() {
        await w.close();
        await cat?.close();
        await opened?.close?.();
      },
    };
  } catch (err) {
    await catalog?.close();
    await store?.close?.();
    await model.close();
    throw err;
  }
}
