// Test-only Worker (run by `wrangler dev` on workerd): uses the typed client (@llmrec/client, bundled by
// wrangler's esbuild) inside the Workers runtime against an edge whose URL and key come in the query:
// GET /run?edge=...&key=... -> {recommend, events, resent, item} | {error}. GET /health for readiness.
import { createClient, getItem, LlmrecError, newSessionId, recommend, sendEvents } from '@llmrec/client';

export default {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === '/health') return new Response('ok');
    try {
      const client = createClient({ baseUrl: url.searchParams.get('edge') ?? '', apiKey: url.searchParams.get('key') ?? '', backoffMs: 10 });
      const sessionId = newSessionId();
      const events = await sendEvents(client, { sessionId, itemId: '2', type: 'click' });
      const resent = await sendEvents(client, { sessionId, itemId: '2', type: 'click', eventId: events.eventIds[0] });
      const rec = await recommend(client, { sessionId, k: 4 });
      const item = await getItem(client, '7');
      const bad = await recommend(client, { userId: 'u1', k: 0 }).catch((e: unknown) => (e instanceof LlmrecError ? { status: e.status, code: e.code } : { other: String(e) }));
      return Response.json({ recommend: rec, events, resent, item, bad });
    } catch (err) {
      return Response.json({ error: String(err) }, { status: 500 });
    }
  },
};
