// Rate limiting middleware: per API key for every caller, and for publishable keys also per key AND client
// address (issue 13: a key shipped in web pages is shared by every visitor; one visitor must not exhaust
// it). Limiters come from the KV layer's factory (edge/src/kv/ratelimit.ts: @upstash/ratelimit on Redis
// backends, in-process on the embedded store).
import type { Context, MiddlewareHandler } from 'hono';
import type { RateLimiter, RateLimitResult } from '../kv/ratelimit.ts';
import { KvUnavailableError } from '@llmrec/shared/kv/store.ts';
import { ApiError } from '../errors.ts';
import { waitUntil } from '../wait-until.ts';
import { callerOf } from './auth.ts';
import { clientAddress } from './client-address.ts';

export interface PerAddressLimit {
  limiter: RateLimiter;
  /** Proxy header naming the client address (config.clientAddressHeader). */
  header?: string;
}

export function rateLimit(limiter: RateLimiter, clock: () => number = Date.now, perAddress?: PerAddressLimit): MiddlewareHandler {
  const check = async (c: Context, l: RateLimiter, id: string, what: string) => {
    let r: RateLimitResult;
    try {
      r = await l.limit(id);
    } catch (err) {
      // The shared limiter lives in the store: when it cannot be reached, neither can the data (503, not 500).
      throw err instanceof KvUnavailableError ? err : new KvUnavailableError(`rate limiter: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
    waitUntil(c, r.pending);
    c.header('ratelimit-limit', String(r.limit));
    c.header('ratelimit-remaining', String(r.remaining));
    if (!r.success) {
      const retry = Math.max(1, Math.ceil((r.reset - clock()) / 1000));
      throw new ApiError(429, 'rate_limited', `rate limit of ${r.limit} requests exceeded ${what}; retry in ${retry} s`, undefined, { 'retry-after': String(retry) });
    }
  };
  return async (c, next) => {
    const caller = callerOf(c);
    const id = caller?.keyId ?? 'anonymous';
    if (caller?.kind === 'publishable' && perAddress) {
      await check(c, perAddress.limiter, `${id}@${clientAddress(c, perAddress.header)}`, 'for this publishable key from this address');
    }
    await check(c, limiter, id, 'for this API key');
    await next();
  };
}
