// Benchmark of the KV layer on the request path's access patterns, per backend: one item's metadata (get),
// the metadata of 100 candidates (mget), a 50-entry history (listRange), one event append, and consuming
// 100 events (read + ack). Backends: memory, embedded SQLite, and Upstash/Vercel KV clients against a real
// redis-server through the local Upstash REST endpoint (local HTTP + Redis: NOT Upstash's service latency).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '@llmrec/edge/kv/sqlite-store.ts';
import { createUpstashStore, createVercelKvStore } from '@llmrec/edge/kv/redis-rest.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { ensureRedis } from '../test-support/redis-server.ts';
import { startUpstashRestServer } from '../test-support/upstash-rest-server.ts';
import { percentile, type BenchSuite, type Metric } from './lib/suite.ts';

const ITEM = JSON.stringify({ v: 1, id: '50', idx: 49, title: 'Star Wars (1977)', genres: ['Action', 'Adventure', 'Romance', 'Sci-Fi', 'War'], year: 1977, attributes: [], hasImage: true, hasAudio: false });

async function timed(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f(i);
    ms.push(performance.now() - t0);
  }
  return ms;
}

const ms = (v: number): Metric => ({ value: Number(v.toFixed(3)), unit: 'ms' });

async function measure(store: KvStore, n: number, tag: string): Promise<Record<string, Metric>> {
  const v = `bench-${tag}-${Date.now()}`;
  const ids = Array.from({ length: 1000 }, (_, i) => String(i + 1));
  await store.setMany(ids.map((id) => [keys.item(v, id), ITEM] as const));
  const hist = keys.history(`bench-${v}`);
  await store.listPush(hist, Array.from({ length: 200 }, (_, i) => JSON.stringify({ v: 1, item: String(i), ts: i, type: 'rating' })), 200);
  const out: Record<string, Metric> = {};
  const add = (name: string, xs: number[]) => {
    out[`${name}_p50`] = ms(percentile(xs, 50));
    out[`${name}_p99`] = ms(percentile(xs, 99));
  };
  await timed(20, (i) => store.get(keys.item(v, ids[i]!))); // warm-up
  add('get_item', await timed(n, (i) => store.get(keys.item(v, ids[i % 1000]!))));
  add('mget_100_items', await timed(Math.ceil(n / 4), (i) => store.mget(ids.slice((i * 100) % 900, ((i * 100) % 900) + 100).map((id) => keys.item(v, id)))));
  add('history_50', await timed(n, () => store.listRange(hist, 0, 49)));
  if (store.events) {
    const ev = store.events;
    add('event_append', await timed(n, (i) => ev.append([{ eventId: `${v}-${i}`, userId: 'u', itemId: '1', type: 'click', ts: i }])));
    const group = `bench-${v}`;
    add('consume_100_events', await timed(Math.max(1, Math.floor(n / 100)), async () => {
      const got = await ev.read(group, 'c', 100);
      await ev.ack(group, got.map((e) => e.seq!));
    }));
  }
  return out;
}

export const suite: BenchSuite = {
  name: 'kv',
  description: 'KV layer per backend: get, mget(100 candidates), 50-entry history, event append, consume 100 events (p50/p99)',
  async run(ctx) {
    const n = ctx.quick ? 100 : 1000;
    const dir = mkdtempSync(join(tmpdir(), 'llmrec-bench-kv-'));
    const redis = await ensureRedis();
    const rest = await startUpstashRestServer({ redisPort: redis.port });
    const metrics: Record<string, Metric> = {};
    try {
      const backends: [string, () => KvStore][] = [
        ['memory', () => createMemoryStore()],
        ['sqlite', () => createSqliteStore(join(dir, 'kv.sqlite'))],
        ['upstash_local_rest', () => createUpstashStore({ url: rest.url, token: rest.token }, { prefix: `bench:${Date.now()}:` })],
        ['vercel_kv_local_rest', () => createVercelKvStore({ url: rest.url, token: rest.token }, { prefix: `bench:${Date.now()}:v:` })],
      ];
      for (const [name, make] of backends) {
        ctx.log(`${name}: ${n} operations per measurement`);
        const store = make();
        try {
          for (const [k, m] of Object.entries(await measure(store, n, name))) metrics[`${name}.${k}`] = m;
        } finally {
          await store.close?.();
        }
      }
    } finally {
      await rest.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return {
      metrics,
      setup: { operationsPerMeasurement: n, itemValueBytes: ITEM.length, historyEntries: 200, redis: `redis-server ${redis.owned ? '(private, started by the bench)' : `on port ${redis.port}`}`, sequential: true },
      notes: [
        'Sequential single-client latencies (one request in flight). The Redis figures go through the local Upstash REST endpoint (Node HTTP + RESP) on this machine, so they include a local HTTP hop but not network latency to Upstash or Vercel.',
        'Machine: the 2-core box shared with other agents; expect noise in p99.',
      ],
    };
  },
};
