// Cloudflare Workers entry point of the edge (thin: bindings -> createApp). The store is Upstash Redis when
// UPSTASH_REDIS_REST_URL/TOKEN are set (it has the durable event log: Redis Streams), else the `KV` binding
// (Cloudflare KV has no event log: POST /v1/events answers 503 there; see docs/deploy.md for the Queues
// option). The app is built once per isolate and reused across requests.
import type { KVNamespace, ExecutionContext } from '@cloudflare/workers-types';
import { createCloudflareKvStore } from '@llmrec/shared/kv/cloudflare-kv-store.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { createApp, type EdgeApp } from './app.ts';
import { edgeConfigFromEnv } from './config.ts';
import { createUpstashStore } from './kv/redis-rest.ts';
import { httpWorkerClient } from './worker-client.ts';

export interface WorkersEnv {
  KV?: KVNamespace;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  LLMREC_API_KEYS?: string;
  LLMREC_WORKER_URL?: string;
  LLMREC_WORKER_SECRET?: string;
  LLMREC_WORKER_TIMEOUT_MS?: string;
  LLMREC_RATE_LIMIT?: string;
  LLMREC_LOG?: string;
  [k: string]: unknown;
}

let cached: { env: WorkersEnv; app: EdgeApp } | { env: WorkersEnv; error: string } | null = null;

function build(env: WorkersEnv): { app: EdgeApp } | { error: string } {
  try {
    const strings = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const config = edgeConfigFromEnv(strings);
    let store: KvStore;
    if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) store = createUpstashStore({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
    else if (env.KV) store = createCloudflareKvStore(env.KV as never);
    else throw new Error('no store: bind a KV namespace as `KV` or set UPSTASH_REDIS_REST_URL/TOKEN');
    return { app: createApp({ store, config, worker: httpWorkerClient({ url: config.workerUrl, secret: config.workerSecret }) }) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export default {
  async fetch(request: Request, env: WorkersEnv, ctx: ExecutionContext): Promise<Response> {
    if (!cached || cached.env !== env) cached = { env, ...build(env) };
    if ('error' in cached) {
      // The configuration problem is for the operator (Workers logs: `wrangler tail`), not for every caller.
      console.error(JSON.stringify({ level: 'error', error: 'misconfigured', detail: cached.error }));
      return new Response(JSON.stringify({ error: 'misconfigured', message: 'the edge is misconfigured; the operator finds the reason in the Worker logs' }), { status: 503, headers: { 'content-type': 'application/json' } });
    }
    return cached.app.fetch(request, env, ctx);
  },
};
