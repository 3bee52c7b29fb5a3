// Per-API-key rate limiting middleware. The limiter comes from the KV layer's factory
// (edge/src/kv/ratelimit.ts: @upstash/ratelimit on Redis backends, in-process on the embedded store).
import type { MiddlewareHandler } from 'hono';
import type { RateLimiter } from '../kv/ratelimit.ts';
import { KvUnavailableError } from '@llmrec/shared/kv/store.ts';
import { ApiError } from '../errors.ts';
import { waitUntil } from '../wait-until.ts';

export function rateLimit(limiter: RateLimiter, clock: () => number = Date.now): MiddlewareHandler {
  return async (c, next) => {
    const id = (c.get('keyId' as never) as string | undefined) ?? 'anonymous';
    let r;
    try {
      r = await limiter.limit(id);
    } catch (err) {
      // The shared limiter lives in the store: when it cannot be reached, neither can the data (503, not 500).
      throw err instanceof KvUnavailableError ? err : new KvUnavailableError(`rate limiter: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
    waitUntil(c, r.pending);
    c.header('ratelimit-limit', String(r.limit));
    c.header('ratelimit-remaining', String(r.remaining));
    if (!r.success) {
      const retry = Math.max(1, Math.ceil((r.reset - clock()) / 1000));
      throw new ApiError(429, 'rate_limited', `rate limit of ${r.limit} requests exceeded for this API key; retry in ${retry} s`, undefined, { 'retry-after': String(retry) });
    }
    await next();
  };
}
