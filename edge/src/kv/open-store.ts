// Opens the KvStore a Node process (serve, publish, the adapter job) is configured for: the one entry point
// from a store spec / environment to a backend. Node only (it may load the SQLite backend); the Workers entry
// builds its store from bindings instead (createCloudflareKvStore / createUpstashStore).
import { createMemoryStore } from '../../../shared/src/kv/memory-store.ts';
import type { KvStore } from '../../../shared/src/kv/store.ts';
import { parseStoreSpec, StoreSpecError, type StoreConfig, type StoreEnv } from '../../../shared/src/kv/store-spec.ts';
import { createUpstashStore, createVercelKvStore } from './redis-rest.ts';

export async function openStoreFromConfig(cfg: StoreConfig): Promise<KvStore> {
  switch (cfg.kind) {
    case 'memory':
      return createMemoryStore();
    case 'sqlite': {
      const { createSqliteStore } = await import('./sqlite-store.ts');
      return createSqliteStore(cfg.path);
    }
    case 'upstash':
      return createUpstashStore(cfg);
    case 'vercel-kv':
      return createVercelKvStore(cfg);
    case 'cloudflare-kv':
      throw new StoreSpecError('cloudflare-kv is only available inside Workers (it is a binding, not a URL)');
  }
}

/** Opens the store named by `spec`, else LLMREC_STORE, else the embedded default sqlite:$LLMREC_HOME/kv.sqlite. */
export async function openStore(spec?: string, env: StoreEnv = process.env as StoreEnv): Promise<KvStore> {
  return openStoreFromConfig(parseStoreSpec(spec, env));
}
