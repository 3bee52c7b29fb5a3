// Per-API-key rate limiting for the edge middleware: @upstash/ratelimit (sliding window, shared by every edge
// instance) when the store is a Redis REST backend, an in-process sliding window otherwise (embedded SQLite
// and memory stores: one process serves everything). One factory, one result shape.
import { Ratelimit } from '@upstash/ratelimit';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { RedisStore } from '@llmrec/shared/kv/redis-store.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';

export interface RateLimitResult {
  success: boolean;
  limit: number;
  remaining: number;
  /** When the window frees up again, ms since epoch (for Retry-After / X-RateLimit-Reset). */
  reset: number;
  /** Background work (analytics, sync) to hand to ctx.waitUntil on Workers; already settled in-process. */
  pending: Promise<unknown>;
}

export interface RateLimiter {
  readonly kind: 'redis' | 'in-process';
  limit(identifier: string): Promise<RateLimitResult>;
}

export interface RateLimitOptions {
  /** Requests allowed per window per identifier (API key). */
  requests: number;
  windowSeconds: number;
  now?: () => number;
  /** In-process limiter: identifiers kept before windows older than the previous one are dropped (default 100,000). */
  maxTracked?: number;
}

/** Sliding-window counter (the previous window's count weighted by its overlap), like @upstash/ratelimit's. */
export class InProcessRateLimiter implements RateLimiter {
  readonly kind = 'in-process';
  private readonly windows = new Map<string, { start: number; current: number; previous: number }>();
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly maxTracked: number;

  constructor(private readonly opts: RateLimitOptions) {
    this.windowMs = opts.windowSeconds * 1000;
    this.now = opts.now ?? Date.now;
    this.maxTracked = opts.maxTracked ?? 100_000;
  }

  /** Identifiers currently tracked (memory stays bounded by maxTracked plus the callers of the last two windows). */
  get size(): number {
    return this.windows.size;
  }

  async limit(identifier: string): Promise<RateLimitResult> {
    const now = this.now();
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    let w = this.windows.get(identifier);
    if (!w || w.start < start - this.windowMs) w = { start, current: 0, previous: 0 };
    else if (w.start < start) w = { start, current: 0, previous: w.current };
    const weight = 1 - (now - start) / this.windowMs;
    const used = Math.floor(w.previous * weight) + w.current;
    const success = used < this.opts.requests;
    if (success) w.current++;
    this.windows.set(identifier, w);
    if (this.windows.size > this.maxTracked) this.evict(start);
    return { success, limit: this.opts.requests, remaining: Math.max(0, this.opts.requests - used - (success ? 1 : 0)), reset: start + this.windowMs, pending: Promise.resolve() };
  }

  private evict(start: number) {
    for (const [k, w] of this.windows) if (w.start < start - this.windowMs) this.windows.delete(k);
  }
}

export class RedisRateLimiter implements RateLimiter {
  readonly kind = 'redis';
  private readonly rl: Ratelimit;

  constructor(store: RedisStore, opts: RateLimitOptions) {
    this.rl = new Ratelimit({
      redis: store.client,
      limiter: Ratelimit.slidingWindow(opts.requests, `${opts.windowSeconds} s`),
      prefix: keys.rateLimitPrefix(),
      analytics: false,
      // The limiter fails open after this long when Redis is slow; the KV health check reports the outage.
      timeout: 1000,
    });
  }

  async limit(identifier: string): Promise<RateLimitResult> {
    const r = await this.rl.limit(identifier);
    return { success: r.success, limit: r.limit, remaining: r.remaining, reset: r.reset, pending: r.pending };
  }
}

/** The limiter that fits the store: shared Redis window on Upstash / Vercel KV, in-process otherwise. */
export function createRateLimiter(store: KvStore, opts: RateLimitOptions): RateLimiter {
  return store instanceof RedisStore ? new RedisRateLimiter(store, opts) : new InProcessRateLimiter(opts);
}
