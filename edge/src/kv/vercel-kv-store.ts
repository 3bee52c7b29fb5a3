// Vercel KV backend factory (@vercel/kv = @upstash/redis with Vercel defaults, incl. auto-pipelining over the
// REST /pipeline endpoint). Node / Vercel functions only: @vercel/kv touches process.env when imported.
import { createClient } from '@vercel/kv';
import { createRedisStore, type RedisStore, type RedisStoreOptions } from '@llmrec/shared/kv/redis-store.ts';
import { requestTimeout, type RestCredentials } from './upstash-store.ts';

/** Vercel KV; credentials usually from KV_REST_API_URL / KV_REST_API_TOKEN. */
export function createVercelKvStore(cred: RestCredentials, opts: Omit<RedisStoreOptions, 'kind'> & { timeoutMs?: number } = {}): RedisStore {
  const client = createClient({ url: cred.url, token: cred.token, automaticDeserialization: false, enableTelemetry: false, retry: { retries: 1, backoff: () => 50 }, signal: requestTimeout(opts.timeoutMs) });
  return createRedisStore(client, { ...opts, kind: 'vercel-kv' });
}
