// CORS for publishable keys (issue 13). A preflight carries no key, so it is granted when its Origin is one a
// publishable key may be used from and publishable keys may call that method on that path (the default-deny
// table in publishable-policy.ts); anything else gets no grant. Actual responses carry
// Access-Control-Allow-Origin only for such origins and never for secret keys (they stay server-only);
// error responses (401, 403, 429) get it too, so a page can read why it was refused and when to retry.
import type { Context, MiddlewareHandler } from 'hono';
import type { PublishableKey } from '../config.ts';
import { ApiError } from '../errors.ts';
import { callerOf, originAllowed, selfOrigin } from './auth.ts';
import { publishableRule } from './publishable-policy.ts';

const ALLOW_HEADERS = ['authorization', 'content-type', 'x-request-id'];
const EXPOSE_HEADERS = 'retry-after, x-request-id, ratelimit-limit, ratelimit-remaining, server-timing';
const MAX_AGE_SEC = '600';

export function browserCors(publishable: readonly PublishableKey[]): MiddlewareHandler {
  const origins = [...new Set(publishable.flatMap((p) => p.origins))];
  const allowed = (c: Context, origin: string) => originAllowed(origins, origin, selfOrigin(c));
  return async (c, next) => {
    const origin = c.req.header('origin');
    const wanted = c.req.header('access-control-request-method');
    if (c.req.method === 'OPTIONS' && origin !== undefined && wanted !== undefined) {
      const headers = (c.req.header('access-control-request-headers') ?? '').toLowerCase().split(',').map((h) => h.trim()).filter(Boolean);
      const ok = allowed(c, origin) && publishableRule(wanted.toUpperCase(), c.req.path) !== undefined && headers.every((h) => ALLOW_HEADERS.includes(h));
      c.header('vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
      if (!ok) throw new ApiError(403, 'cors_refused', `no cross-origin access to ${wanted} ${c.req.path} from ${origin} (publishable keys: configured origins and session routes only)`);
      c.header('access-control-allow-origin', origin);
      c.header('access-control-allow-methods', wanted.toUpperCase());
      c.header('access-control-allow-headers', ALLOW_HEADERS.join(', '));
      c.header('access-control-max-age', MAX_AGE_SEC);
      return c.body(null, 204);
    }
    await next();
    if (origin === undefined) return;
    c.res.headers.append('vary', 'Origin');
    if (callerOf(c)?.kind === 'secret' || !allowed(c, origin)) return;
    c.res.headers.set('access-control-allow-origin', origin);
    c.res.headers.set('access-control-expose-headers', EXPOSE_HEADERS);
  };
}
