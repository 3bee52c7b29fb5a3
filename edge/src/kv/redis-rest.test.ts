// Runs the KV conformance suite against Upstash Redis and Vercel KV clients talking to a REAL redis-server
// through the local Upstash REST endpoint (test-support/upstash-rest-server.ts). Nothing is mocked.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKvConformance } from '../../../test-support/kv-conformance.ts';
import { startRedisRest, type UpstashRestServer } from '../../../test-support/upstash-rest-server.ts';
import { keys as kvKeys } from '@llmrec/shared/kv/keys.ts';
import { KvUnavailableError } from '@llmrec/shared/kv/store.ts';
import { createUpstashStore, createVercelKvStore } from './redis-rest.ts';

let rest: UpstashRestServer;
beforeAll(async () => {
  rest = await startRedisRest();
});
afterAll(async () => {
  await rest?.close();
});

const run = Date.now().toString(36);
for (const [name, make] of [
  ['upstash', createUpstashStore],
  ['vercel-kv', createVercelKvStore],
] as const) {
  runKvConformance(`${name} (real redis via REST)`, {
    open: async (ns, opts) => make({ url: rest.url, token: rest.token }, { prefix: `t:${run}:${ns}:`, ...opts }),
    persistent: true,
    atomicSetMany: true,
    minTtlSeconds: 1,
    hasEventLog: true,
  });
}

describe('Redis REST backends: protocol paths and failures', () => {
  it('used the single, pipeline (Vercel auto-pipelining) and multi-exec endpoints', () => {
    expect(rest.stats.single).toBeGreaterThan(0);
    expect(rest.stats.pipeline).toBeGreaterThan(0);
    expect(rest.stats.multiExec).toBeGreaterThan(0);
  });

  it('an id only in the legacy id SET (before the dedup horizon) is still a duplicate, and the SET is left as is', async () => {
    const prefix = `t:${run}:legacy:`;
    const store = createUpstashStore({ url: rest.url, token: rest.token }, { prefix, dedupHorizonMs: 100 });
    const legacy = `${prefix}${kvKeys.eventIds()}`;
    await store.client.eval("return redis.call('SADD', KEYS[1], ARGV[1])", [legacy], ['old']);
    const e = (eventId: string) => ({ eventId, userId: 'u', itemId: 'i', type: 'click', ts: 1 });
    expect(await store.events.append([e('old'), e('new')])).toEqual({ added: 1, duplicates: 1 });
    const typeOf = (k: string) => store.client.eval("return redis.call('TYPE', KEYS[1])['ok']", [k], []);
    expect(await typeOf(`${prefix}${kvKeys.eventIdsSeen()}`)).toBe('zset');
    const got = await store.events.read('g', 'c', 10);
    await store.events.ack('g', got.map((x) => x.seq!));
    await new Promise((r) => setTimeout(r, 250));
    expect(await store.events.trim(['g'])).toBe(1);
    expect(await store.events.append([e('old')])).toEqual({ added: 0, duplicates: 1 });
    expect(await store.client.eval("return redis.call('SCARD', KEYS[1])", [legacy], [])).toBe(1);
    // 'new' was trimmed and is past the horizon: forgotten, so the zset is empty (and gone).
    expect(await typeOf(`${prefix}${kvKeys.eventIdsSeen()}`)).toBe('none');
    expect(await store.events.append([e('new')])).toEqual({ added: 1, duplicates: 0 });
  });

  it('a 500-event append with its history entries is one REST request (one script)', async () => {
    const store = createUpstashStore({ url: rest.url, token: rest.token }, { prefix: `t:${run}:batch:` });
    const events = Array.from({ length: 500 }, (_, i) => ({ eventId: `b${i}`, userId: `u${i % 40}`, itemId: `i${i}`, type: 'click', ts: 1_700_000_000_000 + i }));
    const before = { ...rest.stats };
    const r = await store.events.append(events, { entries: events.map((e) => ({ key: `hist:${e.userId}`, value: e.eventId })), maxLen: 5 });
    expect(r).toEqual({ added: 500, duplicates: 0 });
    expect(rest.stats.single - before.single + rest.stats.pipeline - before.pipeline + rest.stats.multiExec - before.multiExec).toBe(1);
    expect(await store.listRange('hist:u7', 0, -1)).toEqual(['b487', 'b447', 'b407', 'b367', 'b327']);
  });

  it('a history key holding another type fails the append before anything is written', async () => {
    const store = createUpstashStore({ url: rest.url, token: rest.token }, { prefix: `t:${run}:wrongtype:` });
    await store.set('hist:u0', 'a plain string');
    const events = [{ eventId: 'w1', userId: 'u1', itemId: 'i', type: 'click', ts: 1 }, { eventId: 'w0', userId: 'u0', itemId: 'i', type: 'click', ts: 2 }];
    await expect(store.events.append(events, { entries: events.map((e) => ({ key: `hist:${e.userId}`, value: e.eventId })), maxLen: 5 })).rejects.toThrow(/WRONGTYPE history key/);
    expect(await store.events.length()).toBe(0);
    expect(await store.listRange('hist:u1', 0, -1)).toEqual([]);
    // Nothing was remembered either: once the key is fixed, the same batch is new.
    await store.del('hist:u0');
    expect(await store.events.append(events, { entries: events.map((e) => ({ key: `hist:${e.userId}`, value: e.eventId })), maxLen: 5 })).toEqual({ added: 2, duplicates: 0 });
  });

  it('a wrong token or an unreachable endpoint is an error, not null', async () => {
    const bad = createUpstashStore({ url: rest.url, token: 'wrong' });
    await expect(bad.get('x')).rejects.toThrow(/Unauthorized/);
    const down = createUpstashStore({ url: 'http://127.0.0.1:9', token: 't' });
    await expect(down.ping()).rejects.toBeInstanceOf(KvUnavailableError);
  });

  it('a hung endpoint (accepts, never answers) times out as KvUnavailableError', async () => {
    const sockets: Socket[] = [];
    const hung = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    try {
      const { port } = hung.address() as AddressInfo;
      for (const make of [createUpstashStore, createVercelKvStore]) {
        const s = make({ url: `http://127.0.0.1:${port}`, token: 't' }, { timeoutMs: 300 });
        const t0 = Date.now();
        await expect(s.get('x')).rejects.toBeInstanceOf(KvUnavailableError);
        expect(Date.now() - t0).toBeLessThan(5000);
      }
    } finally {
      sockets.forEach((s) => s.destroy());
      hung.close();
    }
  });
});
