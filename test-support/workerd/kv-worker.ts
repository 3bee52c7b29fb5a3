// Test-only Worker (run by `wrangler dev` on workerd): exposes a KV backend's KvStore + EventLog operations over
// HTTP so the conformance suite can drive it inside the real Workers runtime. Backends: the Cloudflare KV
// binding, and the Upstash backend (fetch to the local REST endpoint) to prove it runs on Workers too.
// POST /op {backend, op, args, prefix, url?, token?, claimIdleMs?, dedupHorizonMs?} -> {result} | {error}.
import { createCloudflareKvStore, type KvNamespaceLike } from '@llmrec/shared/kv/cloudflare-kv-store.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { createUpstashStore } from '@llmrec/edge/kv/upstash-store.ts';

interface Env {
  KV: KvNamespaceLike;
}

interface OpRequest {
  backend?: 'cloudflare-kv' | 'upstash';
  op: string;
  args: unknown[];
  prefix?: string;
  url?: string;
  token?: string;
  claimIdleMs?: number;
  dedupHorizonMs?: number;
}

const STORE_OPS = new Set(['get', 'mget', 'set', 'del', 'setMany', 'listPush', 'listRange', 'ping']);
const EVENT_OPS: Record<string, string> = { eventsAppend: 'append', eventsRead: 'read', eventsAck: 'ack', eventsTrim: 'trim', eventsLength: 'length', eventsForgetUser: 'forgetUser' };

function storeFor(body: OpRequest, env: Env): KvStore {
  if (body.backend === 'upstash') return createUpstashStore({ url: body.url!, token: body.token! }, { prefix: body.prefix ?? '', claimIdleMs: body.claimIdleMs, dedupHorizonMs: body.dedupHorizonMs });
  return createCloudflareKvStore(env.KV, { prefix: body.prefix ?? '' });
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === '/health') return Response.json({ ok: true });
    if (req.method !== 'POST' || url.pathname !== '/op') return Response.json({ error: 'not found' }, { status: 404 });
    const body = (await req.json()) as OpRequest;
    try {
      const store = storeFor(body, env);
      let target: object;
      let method: string;
      if (STORE_OPS.has(body.op)) [target, method] = [store, body.op];
      else if (EVENT_OPS[body.op] && store.events) [target, method] = [store.events, EVENT_OPS[body.op]!];
      else return Response.json({ error: `unknown op ${body.op}` }, { status: 400 });
      const fn = (target as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
      const result = await fn.apply(target, body.args);
      return Response.json({ result: result === undefined ? null : result });
    } catch (e) {
      return Response.json({ error: (e as Error).message }, { status: 500 });
    }
  },
};
