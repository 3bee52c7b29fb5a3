// `llmrec serve`: the GPU worker and the edge, locally, on the embedded SQLite store by default
// (request path end to end on one machine). Keeps serving until Ctrl-C / SIGTERM, then shuts down gracefully.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readItems } from '@llmrec/data/read.ts';
import { parsePublishableKeys, type PublishableKey } from '@llmrec/edge/config.ts';
import { fileItemImages } from '@llmrec/edge/web/item-images-node.ts';
import type { ItemImageSource } from '@llmrec/edge/web/item-images.ts';
import { openStore } from '@llmrec/edge/kv/open-store.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { CliError, int, optStr, type Command } from '../command.ts';
import { resolveBundleDir, startLocalStack, type LocalStack } from '../serving/local-stack.ts';

export const command: Command = {
  name: 'serve',
  summary: 'start the GPU worker and the edge locally',
  usage: [
    'llmrec serve [--port 8787] [--dataset ml-100k] [--store sqlite:.llmrec/kv.sqlite] [--artifacts DIR] [--device auto|cpu|cuda]',
    'the catalog must be published first: llmrec publish --dataset ml-100k (llmrec demo does everything)',
    'API key: $LLMREC_API_KEY (a development key is printed when unset)',
    'publishable keys (browsers, /demo): $LLMREC_PUBLISHABLE_KEYS as JSON, e.g. [{"key":"pk_...","origins":["https://shop.example","self"]}];',
    '  unset: a development key usable from the edge\'s own origin (self) is generated and printed',
  ].join('\n'),
  options: {
    port: { type: 'string', short: 'p', description: 'edge port (default 8787)' },
    'worker-port': { type: 'string', description: 'worker port (default 8788)' },
    host: { type: 'string', description: 'bind address (default 127.0.0.1)' },
    dataset: { type: 'string', short: 'd', description: 'dataset whose artifacts to serve (default ml-100k)' },
    store: { type: 'string', short: 's', description: 'store spec (default $LLMREC_STORE or sqlite:$LLMREC_HOME/kv.sqlite)' },
    artifacts: { type: 'string', description: 'folder with serving-bundle.json (default: trained, else baseline)' },
    device: { type: 'string', description: 'execution provider: auto (cuda if present) | cpu | cuda' },
    log: { type: 'string', description: 'per-request logs: json | off (default json)' },
  },
  async run({ values }) {
    const stack = await startFromArgs(values);
    printBanner(stack);
    await waitForSignal();
    process.stderr.write('serve: shutting down (draining in-flight requests)\n');
    await stack.close();
    return 0;
  },
};

export async function startFromArgs(values: Record<string, unknown>, opts: { log?: 'json' | 'off' } = {}): Promise<LocalStack & { catalogVersion: string; bundleSource: string; publishableKey?: string; publishableKeyGenerated: boolean }> {
  const home = resolve(process.env.LLMREC_HOME ?? '.llmrec');
  const dataset = optStr(values, 'dataset') ?? 'ml-100k';
  const device = (optStr(values, 'device') ?? process.env.LLMREC_DEVICE ?? 'auto') as 'auto' | 'cpu' | 'cuda';
  if (!['auto', 'cpu', 'cuda'].includes(device)) throw new CliError(`--device must be auto, cpu or cuda`);
  const log = (optStr(values, 'log') ?? opts.log ?? 'json') as 'json' | 'off';
  const store = await openStore(optStr(values, 'store'), { ...(process.env as Record<string, string>), LLMREC_HOME: home });
  const pointer = await store.get(keys.published());
  if (!pointer) {
    await store.close?.();
    throw new CliError(`nothing published in the store (${store.kind}); run: llmrec publish --dataset ${dataset}  (or: llmrec demo)`);
  }
  const { dir, source } = resolveBundleDir({ home, dataset, artifacts: optStr(values, 'artifacts'), log: (m) => process.stderr.write(`serve: ${m}\n`) });
  try {
    // Exclude-seen covers the whole stored history (publish --history-len), not just the encoder's window.
    const { publishableKeys, generated } = publishableKeysFromEnv(process.env);
    const itemImages = datasetItemImages(join(home, 'datasets', dataset));
    const stack = await startLocalStack({ store, bundleDir: dir, port: int(values, 'port', 8787, 0, 65535), workerPort: int(values, 'worker-port', 8788, 0, 65535), host: optStr(values, 'host'), device, log, itemImages, edge: { historyMaxLen: 1000, publishableKeys } });
    return {
      ...stack,
      publishableKey: publishableKeys[0]?.key,
      publishableKeyGenerated: generated,
      catalogVersion: (JSON.parse(pointer) as { version: string }).version,
      bundleSource: source,
      close: async () => {
        await stack.close();
        await store.close?.();
      },
    };
  } catch (err) {
    await store.close?.();
    throw new CliError(`could not start: ${(err as Error).message}`);
  }
}

/**
 * Publishable keys from LLMREC_PUBLISHABLE_KEYS (JSON, validated with the edge's schema), or one development
 * key for the edge's own origin so /demo works out of the box.
 */
export function publishableKeysFromEnv(env: Record<string, string | undefined>): { publishableKeys: PublishableKey[]; generated: boolean } {
  if (env.LLMREC_PUBLISHABLE_KEYS) return { publishableKeys: parsePublishableKeys(env.LLMREC_PUBLISHABLE_KEYS), generated: false };
  return { publishableKeys: [{ key: `pk_dev_${randomBytes(12).toString('hex')}`, origins: ['self'] }], generated: true };
}

/** Posters of the prepared dataset (items.jsonl image paths), served by the Node edge; none when unprepared. */
export function datasetItemImages(datasetDir: string): ItemImageSource | undefined {
  if (!existsSync(join(datasetDir, 'items.jsonl'))) return undefined;
  const paths = new Map<string, string>();
  for (const it of readItems(datasetDir)) if (it.modalities.image) paths.set(it.id, it.modalities.image);
  return paths.size ? fileItemImages(paths) : undefined;
}

export function printBanner(s: LocalStack & { catalogVersion: string; bundleSource: string; publishableKey?: string; publishableKeyGenerated?: boolean }): void {
  const lines = [
    `edge    ${s.edge.url}   (API docs: ${s.edge.url}/docs, OpenAPI: ${s.edge.url}/openapi.json)`,
    `worker  ${s.worker.url}   (execution provider: ${s.worker.model.executionProvider}, scorer: ${s.worker.model.scorer}, model ${s.worker.model.version} from the ${s.bundleSource} bundle)`,
    `catalog ${s.catalogVersion}`,
    s.apiKeyGenerated ? `API key (development, generated because LLMREC_API_KEY is unset): ${s.apiKey}` : 'API key: from LLMREC_API_KEY',
    s.publishableKeyGenerated ? `publishable key (development, this origin only): ${s.publishableKey}` : 'publishable keys: from LLMREC_PUBLISHABLE_KEYS',
    `demo    ${s.edge.url}/demo   (the <llmrec-recommendations> widget for a browser session)`,
    `try:    curl -s ${s.edge.url}/v1/recommend -H 'authorization: Bearer ${s.apiKeyGenerated ? s.apiKey : '$LLMREC_API_KEY'}' -H 'content-type: application/json' -d '{"userId":"1","k":5}'`,
  ];
  process.stderr.write(lines.join('\n') + '\n');
}

export function waitForSignal(): Promise<void> {
  return new Promise((r) => {
    process.once('SIGINT', () => r());
    process.once('SIGTERM', () => r());
  });
}
