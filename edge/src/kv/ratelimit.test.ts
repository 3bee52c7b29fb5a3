// Rate limiters: the in-process one (deterministic clock) and @upstash/ratelimit against a REAL redis-server
// through the local Upstash REST endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisRest, type UpstashRestServer } from '../../../test-support/upstash-rest-server.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
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

  it('weights the previous window by its overlap (sliding window), counting only admitted requests', async () => {
    let t = 9_000; // window [0, 10 s)
    const rl = new InProcessRateLimiter({ requests: 10, windowSeconds: 10, now: () => t });
    const first = [];
    for (let i = 0; i < 15; i++) first.push(await rl.limit('k'));
    expect(first.map((r) => r.success)).toEqual([...Array(10).fill(true), ...Array(5).fill(false)]);
    expect(first.map((r) => r.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0]);
    expect(first.every((r) => r.limit === 10 && r.reset === 10_000)).toBe(true);
    const admitted = async (n: number) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push(await rl.limit('k'));
      return out;
    };
    // Half-way through the next window the previous one still weighs 10 * 0.5 = 5 (the 5 refused requests do not count).
    t = 15_000;
    const mid = await admitted(7);
    expect(mid.map((r) => r.success)).toEqual([true, true, true, true, true, false, false]);
    expect(mid.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
    expect(mid[0]!.reset).toBe(20_000);
    // A quarter into the window after that: previous (5 admitted) weighs floor(5 * 0.75) = 3.
    t = 22_500;
    expect((await admitted(8)).filter((r) => r.success)).toHaveLength(7);
    // Two windows later nothing is carried over.
    t = 45_000;
    expect((await admitted(11)).filter((r) => r.success)).toHaveLength(10);
  });

  it('keeps memory bounded: over maxTracked identifiers, those of windows before the previous one are dropped', async () => {
    let t = 0;
    const rl = new InProcessRateLimiter({ requests: 1, windowSeconds: 10, now: () => t, maxTracked: 5 });
    for (const id of ['a', 'b', 'c']) await rl.limit(id); // window 0
    t = 10_000;
    await rl.limit('d'); // window 1 (the previous one, once window 2 starts)
    t = 20_000;
    await rl.limit('e');
    expect(rl.size).toBe(5); // at the bound: nothing dropped yet
    await rl.limit('f');
    expect(rl.size).toBe(3); // a, b, c are gone; d (previous window) is kept: its request still weighs fully
    expect((await rl.limit('d')).success).toBe(false);
    expect(rl.size).toBe(3);
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
    // A day-long window: a sliding window that straddles a boundary lets the previous window's weighted count through, so a
    // 60 s window made this flaky on a loaded machine (one test in 60 crossed a minute boundary).
    const a = createRateLimiter(store, { requests: 5, windowSeconds: 86_400 });
    const b = createRateLimiter(createUpstashStore({ url: rest.url, token: rest.token }), { requests: 5, windowSeconds: 86_400 });
    expect(a.kind).toBe('redis');
    const id = `key-${Date.now()}-${Math.random()}`;
    const results = [];
    for (let i = 0; i < 4; i++) {
      const [ra, rb] = [await a.limit(id), await b.limit(id)];
      await Promise.all([ra.pending, rb.pending]);
      results.push(ra.success, rb.success);
    }
    expect(results.filter(Boolean).length).toBe(5);
    expect(results.slice(0, 5).every(Boolean)).toBe(true);
    // The window counters live under the limiter's key prefix (keys.ts), not in the catalog's namespace.
    const written = (await store.client.eval("return redis.call('KEYS', '*' .. ARGV[1] .. '*')", [], [id])) as string[];
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((k) => k.startsWith(`${keys.rateLimitPrefix()}:${id}:`))).toBe(true);
  });
});
