// Bearer API keys for the public API (every route but health and docs). Keys are compared in constant time;
// the caller is identified downstream (rate limiting, logs) by a key id, never by the key itself.
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.ts';

function sameString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function apiKeyAuth(keys: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    const h = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) throw new ApiError(401, 'unauthorized', 'missing bearer API key (Authorization: Bearer <key>)', undefined, { 'www-authenticate': 'Bearer' });
    let keyId = -1;
    keys.forEach((k, i) => {
      if (sameString(k, m[1]!)) keyId = i;
    });
    if (keyId < 0) throw new ApiError(401, 'unauthorized', 'unknown API key', undefined, { 'www-authenticate': 'Bearer error="invalid_token"' });
    c.set('keyId' as never, `key${keyId}` as never);
    await next();
  };
}
