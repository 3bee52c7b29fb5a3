// Runs the whole serving path in one local process for `llmrec serve`, the demo and the benchmarks: the GPU
// worker (serving bundle on the chosen execution provider) and the edge (Node entry) over one KvStore.
// The API key comes from LLMREC_API_KEY (a development key is generated when unset); the edge<->worker
// secret is generated per run unless LLMREC_WORKER_SECRET is set.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EdgeConfig, type EdgeConfigInput } from '@llmrec/edge/config.ts';
import { startEdge, type RunningEdge } from '@llmrec/edge/entry-node.ts';
import { keepAliveFetch } from '@llmrec/edge/node-http-fetch.ts';
import { httpWorkerClient } from '@llmrec/edge/worker-client.ts';
import type { ItemImageSource } from '@llmrec/edge/web/item-images.ts';
import { loadServingModel } from '@llmrec/gpu-worker/artifacts.ts';
import type { Device } from '@llmrec/gpu-worker/onnx/index.ts';
import { createDynamicScoring } from '@llmrec/gpu-worker/dynamic-scoring.ts';
import { bundleContentFromEnv, contentAttribution } from '@llmrec/gpu-worker/attribution/content-attribution.ts';
import { openColdScoring } from '@llmrec/gpu-worker/catalog/cold-scoring.ts';
import { coldContentWeightFromEnv } from '@llmrec/gpu-worker/config.ts';
import { loadLlmFromEnv } from '@llmrec/gpu-worker/llm-from-env.ts';
import { startWorker, type RunningWorker } from '@llmrec/gpu-worker/server.ts';
import type { ItemEncoders } from '@llmrec/gpu-worker/catalog/item-encoders.ts';
import { openWorkerCatalog } from '@llmrec/gpu-worker/catalog/open-catalog.ts';
import { imageHostsFromEnv } from '@llmrec/gpu-worker/config.ts';
import { SERVING_BUNDLE_FILE } from '@llmrec/shared/api/serving-bundle.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { buildBaselineBundle } from './baseline-artifacts.ts';

export interface LocalStackOptions {
  store: KvStore;
  /** Folder with serving-bundle.json. */
  bundleDir: string;
  port?: number;
  workerPort?: number;
  host?: string;
  device?: Device;
  apiKey?: string;
  log?: 'json' | 'off';
  edge?: Partial<EdgeConfigInput>;
  /** Item images (posters) the edge serves at /media/items/{id} (web package: from the prepared dataset). */
  itemImages?: ItemImageSource;
  /** Poll the store for online adapter versions (the adapter job's output) and score with them (default true). */
  adapters?: boolean;
  /**
   * Content encoders for the item API (PUT /v1/items): the "encoders" package's frozen encoders once merged
   * (gpu-worker/src/encoders); without them items can be hidden but not created. The content tower comes from
   * the serving bundle (`contentTower`).
   */
  encoders?: ItemEncoders;
  /** Offline content features for explanations' content attribution (default LLMREC_FEATURES, else $LLMREC_HOME/features/<dataset>). */
  /** Content-profile weight for items without CF signal (default LLMREC_COLD_CONTENT_WEIGHT, else 8; 0 = off). */
  coldContentWeight?: number;
  featuresDir?: string;
}

export interface LocalStack {
  edge: RunningEdge;
  worker: RunningWorker;
  apiKey: string;
  apiKeyGenerated: boolean;
  close(): Promise<void>;
}

export async function startLocalStack(o: LocalStackOptions): Promise<LocalStack> {
  const envKey = process.env.LLMREC_API_KEY || undefined;
  const apiKey = o.apiKey ?? envKey ?? `dev-${randomBytes(12).toString('hex')}`;
  const secret = process.env.LLMREC_WORKER_SECRET ?? randomBytes(24).toString('hex');
  const model = await loadServingModel(o.bundleDir, { device: o.device ?? 'auto', threads: 1 });
  const dynamic = o.adapters === false ? undefined : createDynamicScoring(o.store, model, { say: (m) => process.stderr.write(`worker: ${m}\n`) });
  const llm = await loadLlmFromEnv(process.env, { device: o.device ?? 'auto', encodeUser: (h) => model.encodeUsers([h]), say: (m) => process.stderr.write(`worker: ${m}\n`) });
  // The live catalog (item API): synced from the store, items embedded by the bundle's content tower, with the
  // encoders package's frozen encoders for the modalities the tower reads (opened at the first item write).
  const imageHosts = imageHostsFromEnv(process.env);
  const say = (m: string) => process.stderr.write(`worker: ${m}\n`);
  const catalog = await openWorkerCatalog({ store: o.store, model, bundleDir: o.bundleDir, home: resolve(process.env.LLMREC_HOME ?? '.llmrec'), imageHosts, device: o.device ?? 'auto', threads: 1, say, ...(o.encoders ? { encoders: o.encoders } : {}) });
  // Explanations attribute item scores to content through the same tower (features from LLMREC_FEATURES or $LLMREC_HOME).
  const bundled = await bundleContentFromEnv(o.bundleDir, { ...process.env, ...(o.featuresDir ? { LLMREC_FEATURES: o.featuresDir } : {}) }, catalog.tower);
  const content = bundled && contentAttribution(bundled.tower, bundled.tables, model, catalog.live);
  // Items without CF signal (API-created, or published without training interactions) add the content-profile term.
  const coldWeight = o.coldContentWeight ?? coldContentWeightFromEnv(process.env);
  const cold = bundled && coldWeight > 0 ? await openColdScoring(bundled.tower, bundled.tables, model, coldWeight) : undefined;
  const worker = await startWorker({ model, secret, port: o.workerPort ?? 0, host: o.host, dynamic, llm, content, cold, catalog: { live: catalog.live, writer: catalog.writer }, log: o.log === 'json' ? (l) => console.log(JSON.stringify({ svc: 'worker', ...l })) : undefined });
  let edge: RunningEdge;
  try {
    const llmRerank = llm ? Number(process.env.LLMREC_LLM_RERANK ?? 20) : 0;
    const parsed = EdgeConfig.safeParse({ apiKeys: [apiKey], workerUrl: worker.url, workerSecret: secret, log: o.log ?? 'json', llmRerank, catalog: { imageHosts }, ...o.edge });
    if (!parsed.success) throw new Error(`invalid edge configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const config = parsed.data;
    edge = await startEdge({ store: o.store, config, worker: httpWorkerClient({ url: worker.url, secret, fetch: keepAliveFetch() }), itemImages: o.itemImages }, { port: o.port ?? 8787, host: o.host });
  } catch (err) {
    await worker.close();
    await catalog.close();
    throw err;
  }
  return {
    edge,
    worker,
    apiKey,
    apiKeyGenerated: o.apiKey === undefined && envKey === undefined,
    async close() {
      await edge.close();
      await worker.close();
      await catalog.close();
    },
  };
}

/**
 * The serving bundle for a dataset: `--artifacts` when given; else the trained bundle under
 * $LLMREC_HOME/artifacts/<dataset>/serving when the training pipeline wrote one; else the baseline bundle
 * (built on first use from the prepared dataset; LLMREC_BASELINE_EPOCHS shortens its training, e.g. in tests).
 */
export function resolveBundleDir(opts: { home: string; dataset: string; artifacts?: string; log: (m: string) => void }): { dir: string; source: string } {
  if (opts.artifacts) return { dir: opts.artifacts, source: 'given' };
  const trained = join(opts.home, 'artifacts', opts.dataset, 'serving');
  if (existsSync(join(trained, SERVING_BUNDLE_FILE))) return { dir: trained, source: 'training' };
  const out = join(opts.home, 'artifacts', opts.dataset, 'baseline-serving');
  const epochs = process.env.LLMREC_BASELINE_EPOCHS ? Number(process.env.LLMREC_BASELINE_EPOCHS) : undefined;
  buildBaselineBundle({ datasetDir: join(opts.home, 'datasets', opts.dataset), outDir: out, log: opts.log, ...(epochs ? { epochs } : {}) });
  return { dir: out, source: 'baseline' };
}
