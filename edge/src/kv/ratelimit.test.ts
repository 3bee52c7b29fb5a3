// Rate limiters: the in-process one (deterministic clock) and @upstash/ratelimit against a REAL redis-server
// through the local Upstash REST endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisRest, type UpstashRestServer } from '../../../test-support/upstash-rest-server.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { createRateLimiter, InProcessRateLimiter } from './ratelimit.ts';
import { createUpstashStore } from './redis-rest.ts';

describe('in-process rate limiter', () => {
  it('allows `requests` per window per identifier, then refuses until the window slides', async () => {
    let t = 1_000_000;
    const rl = new InProcessRateLimiter({ requests: 3, windowSeconds: 10, now: () => t });
    const a = [];
    for (let i = 0; i < 4; i++) a.push((await rl.limit('key-a')).success);
    expect(a).toEqual([true, true, true, false]);
    expect((await rl.limit('key-b')).success).toBe(true);
    const refused = await rl.limit('key-a');
    expect(refused.remaining).toBe(0);
    expect(refused.reset).toBeGreaterThan(t);
    t += 20_000; // two windows later everything is forgotten
    expect((await rl.limit('key-a')).success).toBe(true);
  });

  it('is what createRateLimiter returns for a non-Redis store', () => {
    expect(createRateLimiter(createMemoryStore(), { requests: 1, windowSeconds: 1 }).kind).toBe('in-process');
  });
});

describe('Redis rate limiter (@upstash/ratelimit over real redis)', () => {
  let rest: UpstashRestServer;
  beforeAll(async () => {
    rest = await startRedisRest();
  });
  afterAll(async () => {
    await rest?.close();
  });

  it('is shared by two limiter instances (two edge isolates) on the same store', async () => {
    const store = createUpstashStore({ url: rest.url, token: rest.token });
    const a = createRateLimiter(store, { requests: 5, windowSeconds: 60 });
    const b = createRateLimiter(createUpstashStore({ url: rest.url, token: rest.token }), { requests: 5, windowSeconds: 60 });
    expect(a.kind).toBe('redis');
    const id = `key-${Date.now()}-${Math.random()}`;
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await a.limit(id)).success, (await b.limit(id)).success);
    expect(results.filter(Boolean).length).toBe(5);
    expect(results.slice(0, 5).every(Boolean)).toBe(true);
  });
});
