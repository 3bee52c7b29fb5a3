// Opens the KvStore a Node process (serve, publish, the adapter job) is configured for: the one entry point
// from a store spec / environment to a backend. Node only (it may load the SQLite backend); the Workers entry
// builds its store from bindings instead (createCloudflareKvStore / createUpstashStore).
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { parseStoreSpec, StoreSpecError, type StoreConfig, type StoreEnv } from '@llmrec/shared/kv/store-spec.ts';
import { createUpstashStore, createVercelKvStore } from './redis-rest.ts';

export interface OpenStoreOptions {
  /** Per-request timeout of the Redis REST backends (default 2 s; bulk work like publish wants more). */
  timeoutMs?: number;
}

export async function openStoreFromConfig(cfg: StoreConfig, opts: OpenStoreOptions = {}): Promise<KvStore> {
  switch (cfg.kind) {
    case 'memory':
      return createMemoryStore();
    case 'sqlite': {
      const { createSqliteStore } = await import('./sqlite-store.ts');
      return createSqliteStore(cfg.path);
    }
    case 'upstash':
      return createUpstashStore(cfg, { timeoutMs: opts.timeoutMs });
    case 'vercel-kv':
      return createVercelKvStore(cfg, { timeoutMs: opts.timeoutMs });
    case 'cloudflare-kv':
      throw new StoreSpecError('cloudflare-kv is only available inside Workers (it is a binding, not a URL)');
  }
}

/** Opens the store named by `spec`, else LLMREC_STORE, else the embedded default sqlite:$LLMREC_HOME/kv.sqlite. */
export async function openStore(spec?: string, env: StoreEnv = process.env as StoreEnv, opts: OpenStoreOptions = {}): Promise<KvStore> {
  return openStoreFromConfig(parseStoreSpec(spec, env), opts);
}
