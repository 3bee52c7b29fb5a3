// Test-only Worker (run by `wrangler dev` on workerd): exposes the Cloudflare KV backend's KvStore operations
// over HTTP so the conformance suite can drive the real binding. POST /op {op, args, prefix} -> {result}|{error}.
import { createCloudflareKvStore, type KvNamespaceLike } from '../../shared/src/kv/cloudflare-kv-store.ts';

interface Env {
  KV: KvNamespaceLike;
}

const OPS = new Set(['get', 'mget', 'set', 'del', 'setMany', 'listPush', 'listRange', 'ping']);

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === '/health') return Response.json({ ok: true });
    if (req.method !== 'POST' || url.pathname !== '/op') return Response.json({ error: 'not found' }, { status: 404 });
    const body = (await req.json()) as { op: string; args: unknown[]; prefix?: string };
    if (!OPS.has(body.op)) return Response.json({ error: `unknown op ${body.op}` }, { status: 400 });
    const store = createCloudflareKvStore(env.KV, { prefix: body.prefix ?? '' });
    try {
      const fn = (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[body.op];
      const result = await fn.apply(store, body.args);
      return Response.json({ result: result === undefined ? null : result });
    } catch (e) {
      return Response.json({ error: (e as Error).message }, { status: 500 });
    }
  },
};
