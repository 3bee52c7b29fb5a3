// The client's network address, for per-address rate limits of publishable keys: a configured proxy header
// when the edge sits behind one (its first entry: x-forwarded-for lists the client first), else the socket
// address on Node (@hono/node-server puts the IncomingMessage in c.env), else Cloudflare's cf-connecting-ip
// (set by Cloudflare on every request to a Worker; never trusted on Node, where a client could send it).
import type { Context } from 'hono';

export function clientAddress(c: Context, header?: string): string {
  if (header) {
    const v = c.req.header(header)?.split(',')[0]?.trim();
    return v || 'unknown';
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  if (incoming) return incoming.socket?.remoteAddress ?? 'unknown';
  return c.req.header('cf-connecting-ip') ?? 'unknown';
}
