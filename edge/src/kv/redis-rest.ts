// Factories for the Redis REST backends: Upstash Redis (@upstash/redis) and Vercel KV (@vercel/kv), both
// fetch-based (usable from the Workers entry too). The client is created with automatic JSON
// deserialisation off: the KV layer stores strings and parses them with zod itself (typed.ts).
import { Redis } from '@upstash/redis';
import { createClient } from '@vercel/kv';
import { createRedisStore, type RedisStore, type RedisStoreOptions } from '../../../shared/src/kv/redis-store.ts';

export interface RestCredentials {
  url: string;
  token: string;
}

/** Upstash Redis; credentials usually from UPSTASH_REDIS_REST_URL / UPSTASH_REDIS_REST_TOKEN. */
export function createUpstashStore(cred: RestCredentials, opts: Omit<RedisStoreOptions, 'kind'> = {}): RedisStore {
  const client = new Redis({ url: cred.url, token: cred.token, automaticDeserialization: false, enableTelemetry: false, retry: { retries: 1, backoff: () => 50 } });
  return createRedisStore(client, { ...opts, kind: 'upstash' });
}

/** Vercel KV; credentials usually from KV_REST_API_URL / KV_REST_API_TOKEN. */
export function createVercelKvStore(cred: RestCredentials, opts: Omit<RedisStoreOptions, 'kind'> = {}): RedisStore {
  const client = createClient({ url: cred.url, token: cred.token, automaticDeserialization: false, enableTelemetry: false, retry: { retries: 1, backoff: () => 50 } });
  return createRedisStore(client, { ...opts, kind: 'vercel-kv' });
}
