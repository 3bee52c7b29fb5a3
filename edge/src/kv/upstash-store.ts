// Upstash Redis backend factory (@upstash/redis, fetch-based): safe for the Workers bundle — it must not import
// @vercel/kv, whose module body writes to process.env (absent on Workers without nodejs_compat).
// The client is created with automatic JSON deserialisation off: the KV layer parses values with zod (typed.ts).
import { Redis } from '@upstash/redis';
import { createRedisStore, type RedisStore, type RedisStoreOptions } from '@llmrec/shared/kv/redis-store.ts';

/** Each REST call is aborted after this long (a hung endpoint must become a KvUnavailableError, not a hang). */
export const DEFAULT_REST_TIMEOUT_MS = 2000;

export function requestTimeout(ms = DEFAULT_REST_TIMEOUT_MS): () => AbortSignal {
  return () => AbortSignal.timeout(ms);
}

export interface RestCredentials {
  url: string;
  token: string;
}

/** Upstash Redis; credentials usually from UPSTASH_REDIS_REST_URL / UPSTASH_REDIS_REST_TOKEN. */
export function createUpstashStore(cred: RestCredentials, opts: Omit<RedisStoreOptions, 'kind'> & { timeoutMs?: number } = {}): RedisStore {
  const client = new Redis({ url: cred.url, token: cred.token, automaticDeserialization: false, enableTelemetry: false, retry: { retries: 1, backoff: () => 50 }, signal: requestTimeout(opts.timeoutMs) });
  return createRedisStore(client, { ...opts, kind: 'upstash' });
}
