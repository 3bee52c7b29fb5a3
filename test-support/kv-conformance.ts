// THE conformance suite of the KV layer (STYLE: one storage interface, one test suite every backend passes,
// like gorse's storage/cache/database_test.go). Each backend's test file calls runKvConformance with a
// harness; the suite covers the KvStore operations and, where the backend has one, the durable EventLog.
import { afterAll, describe, expect, it } from 'vitest';
import type { EventLogOptions, KvStore, LoggedEvent } from '@llmrec/shared/kv/store.ts';
import { runChunkedConformance } from './kv-chunked-conformance.ts';

export interface KvHarness {
  /** Opens a handle on the storage named `ns`; opening the same ns again sees the same data when `persistent`. */
  open(ns: string, opts?: EventLogOptions): Promise<KvStore>;
  /** Data survives closing the handle and opening a new one (SQLite file, Redis server). */
  persistent: boolean;
  /** setMany is all-or-nothing for concurrent readers (false on Cloudflare KV: pointer-flip pattern instead). */
  atomicSetMany: boolean;
  /** Smallest TTL the backend accepts (Cloudflare KV: 60 s); TTL expiry is only waited for when <= 1. */
  minTtlSeconds: number;
  /** Whether the backend has an event log. */
  hasEventLog: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let counter = 0;
const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

const ev = (id: string, i = 0): LoggedEvent => ({ eventId: id, userId: `u${i % 3}`, itemId: `i${i}`, type: 'click', ts: 1_700_000_000_000 + i });

/** Seqs are opaque per backend ("17" or Redis "1700000000000-3"): compare their numeric parts in order. */
const seqAfter = (a: string, b: string) => {
  const [x, y] = [a.split('-').map(Number), b.split('-').map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
};

export function runKvConformance(name: string, h: KvHarness): void {
  describe(`KV conformance: ${name}`, () => {
    const opened: KvStore[] = [];
    const open = async (ns = uniq('ns'), opts?: EventLogOptions) => {
      const s = await h.open(ns, opts);
      opened.push(s);
      return s;
    };
    afterAll(async () => {
      for (const s of opened) await s.close?.().catch(() => {});
    });

    it('get of a missing key is null; set then get round-trips any string', async () => {
      const s = await open();
      const k = uniq('k');
      expect(await s.get(k)).toBeNull();
      const values = ['plain', '', '{"v":1,"title":"Amélie (2001) — 日本語 ✓"}', 'x'.repeat(100_000), 'line1\nline2\t"q"\\'];
      for (const [i, v] of values.entries()) {
        await s.set(`${k}:${i}`, v);
        expect(await s.get(`${k}:${i}`)).toBe(v);
      }
    });

    it('keys may contain separators, spaces and unicode', async () => {
      const s = await open();
      const base = uniq('k');
      const ks = [`${base}:a:b`, `${base}/x y`, `${base}:é✓`, `${base}%2F`];
      for (const [i, k] of ks.entries()) await s.set(k, String(i));
      expect(await s.mget(ks)).toEqual(['0', '1', '2', '3']);
    });

    it('mget keeps the order asked and gives null for missing keys', async () => {
      const s = await open();
      const k = uniq('k');
      await s.set(`${k}:a`, 'A');
      await s.set(`${k}:c`, 'C');
      expect(await s.mget([`${k}:c`, `${k}:missing`, `${k}:a`, `${k}:c`])).toEqual(['C', null, 'A', 'C']);
      expect(await s.mget([])).toEqual([]);
    });

    it('set overwrites; del removes; del of a missing key is fine', async () => {
      const s = await open();
      const k = uniq('k');
      await s.set(k, 'one');
      await s.set(k, 'two');
      expect(await s.get(k)).toBe('two');
      await s.del(k);
      expect(await s.get(k)).toBeNull();
      await s.del(k);
      await s.del(uniq('never'));
    });

    it('set with a TTL expires the value', async () => {
      const s = await open();
      const k = uniq('ttl');
      await s.set(k, 'soon', { ttlSeconds: Math.max(1, h.minTtlSeconds) });
      await s.set(`${k}:keep`, 'kept');
      expect(await s.get(k)).toBe('soon');
      if (h.minTtlSeconds <= 1) {
        await sleep(2100);
        expect(await s.get(k)).toBeNull();
        expect(await s.mget([k, `${k}:keep`])).toEqual([null, 'kept']);
      }
    });

    it('setMany writes every entry', async () => {
      const s = await open();
      const k = uniq('many');
      const entries = Array.from({ length: 50 }, (_, i) => [`${k}:${i}`, `v${i}`] as const);
      await s.setMany(entries);
      expect(await s.mget(entries.map((e) => e[0]))).toEqual(entries.map((e) => e[1]));
      await s.setMany([]);
    });

    it.runIf(h.atomicSetMany)('setMany is atomic for concurrent readers (never a mix of two versions)', async () => {
      const s = await open();
      const k = uniq('atomic');
      const ks = Array.from({ length: 100 }, (_, i) => `${k}:${i}`);
      await s.setMany(ks.map((key) => [key, 'v0'] as const));
      let writing = true;
      const mixed: string[][] = [];
      const reader = (async () => {
        while (writing) {
          const got = await s.mget(ks);
          if (new Set(got).size !== 1) mixed.push(got as string[]);
        }
      })();
      for (let ver = 1; ver <= 15; ver++) await s.setMany(ks.map((key) => [key, `v${ver}`] as const));
      writing = false;
      await reader;
      expect(mixed).toEqual([]);
      expect(new Set(await s.mget(ks))).toEqual(new Set(['v15']));
    });

    it('listPush keeps newest first and caps the length; listRange slices inclusively', async () => {
      const s = await open();
      const k = uniq('list');
      expect(await s.listRange(k, 0, -1)).toEqual([]);
      await s.listPush(k, ['a', 'b'], 5);
      await s.listPush(k, ['c'], 5);
      expect(await s.listRange(k, 0, -1)).toEqual(['c', 'b', 'a']);
      await s.listPush(k, ['d', 'e', 'f'], 5);
      expect(await s.listRange(k, 0, -1)).toEqual(['f', 'e', 'd', 'c', 'b']);
      expect(await s.listRange(k, 0, 1)).toEqual(['f', 'e']);
      expect(await s.listRange(k, 2, 3)).toEqual(['d', 'c']);
      expect(await s.listRange(k, 4, 10)).toEqual(['b']);
      await s.listPush(k, ['{"v":1,"item":"42"}'], 5);
      expect((await s.listRange(k, 0, 0))[0]).toBe('{"v":1,"item":"42"}');
      await s.del(k);
      expect(await s.listRange(k, 0, -1)).toEqual([]);
    });

    it.runIf(h.atomicSetMany)('concurrent listPush calls from two clients all land (no lost update)', async () => {
      const ns = uniq('ns');
      const [a, b] = [await open(ns), await open(ns)];
      const k = uniq('clist');
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).listPush(k, [`e${i}`], 100)));
      expect((await a.listRange(k, 0, -1)).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `e${i}`).sort());
    });

    it('ping succeeds on a reachable backend', async () => {
      const s = await open();
      await expect(s.ping()).resolves.toBeUndefined();
    });

    it.runIf(h.persistent)('values survive closing the store and opening it again', async () => {
      const ns = uniq('ns');
      const k = uniq('durable');
      const a = await h.open(ns);
      await a.setMany([[`${k}:1`, 'one'], [`${k}:2`, 'two']]);
      await a.listPush(`${k}:list`, ['x', 'y'], 10);
      await a.close?.();
      const b = await open(ns);
      expect(await b.mget([`${k}:1`, `${k}:2`])).toEqual(['one', 'two']);
      expect(await b.listRange(`${k}:list`, 0, -1)).toEqual(['y', 'x']);
    });

    runChunkedConformance(() => open(), uniq);

    describe.runIf(h.hasEventLog)('event log', () => {
      it('append is idempotent by eventId, within and across batches', async () => {
        const log = (await open()).events!;
        expect(await log.append([ev('a', 0), ev('b', 1), ev('a', 0)])).toEqual({ added: 2, duplicates: 1 });
        expect(await log.append([ev('b', 1), ev('c', 2)])).toEqual({ added: 1, duplicates: 1 });
        expect(await log.append([])).toEqual({ added: 0, duplicates: 0 });
        expect(await log.length()).toBe(3);
      });

      it('append with history: a new event prepends its entry to its list in the same step; duplicates write nothing', async () => {
        const s = await open();
        const hk = uniq('hist');
        const batch = [ev('h0', 0), ev('h1', 1), ev('h0', 0), ev('h3', 3)];
        const entry = (e: LoggedEvent, i: number) => ({ key: `${hk}:${e.userId}`, value: `${e.eventId}#${i}` });
        expect(await s.events!.append(batch, { entries: batch.map(entry), maxLen: 10 })).toEqual({ added: 3, duplicates: 1 });
        // u0 got h0 then h3 (batch order, newest first); the in-batch duplicate of h0 wrote nothing.
        expect(await s.listRange(`${hk}:u0`, 0, -1)).toEqual(['h3#3', 'h0#0']);
        expect(await s.listRange(`${hk}:u1`, 0, -1)).toEqual(['h1#1']);
        // A retried batch (every id known) changes no list; new ids in it still write theirs.
        const retry = [ev('h1', 1), ev('h4', 4), ev('h3', 3)];
        expect(await s.events!.append(retry, { entries: retry.map(entry), maxLen: 2 })).toEqual({ added: 1, duplicates: 2 });
        expect(await s.listRange(`${hk}:u1`, 0, -1)).toEqual(['h4#1', 'h1#1']);
        expect(await s.listRange(`${hk}:u0`, 0, -1)).toEqual(['h3#3', 'h0#0']); // untouched: nothing new for u0
        // The cap applies to every list the append wrote to.
        const more = [5, 8, 11].map((i) => ev(`m${i}`, i)); // all u2
        await s.events!.append(more, { entries: more.map(entry), maxLen: 2 });
        expect(await s.listRange(`${hk}:u2`, 0, -1)).toEqual(['m11#2', 'm8#1']);
        expect(await s.events!.length()).toBe(7);
        await expect(s.events!.append([ev('x', 0)], { entries: [], maxLen: 2 })).rejects.toThrow(/1 events/);
        expect(await s.events!.length()).toBe(7);
      });

      it.runIf(h.persistent)('the same eventId appended concurrently by two clients is stored once', async () => {
        const ns = uniq('ns');
        const [a, b] = [(await open(ns)).events!, (await open(ns)).events!];
        const batch = [0, 1, 2, 3, 4, 5].map((i) => ev(`c${i}`, i));
        const results = await Promise.all([a.append(batch), b.append(batch), a.append(batch.slice(3)), b.append(batch.slice(0, 2))]);
        expect(results.reduce((s, r) => s + r.added, 0)).toBe(6);
        expect(await a.length()).toBe(6);
      });

      it('read delivers events in append order with their fields and increasing seqs', async () => {
        const log = (await open()).events!;
        await log.append([0, 1, 2, 3, 4].map((i) => ev(`e${i}`, i)));
        const got = await log.read('g', 'c1', 3);
        expect(got.map((e) => e.eventId)).toEqual(['e0', 'e1', 'e2']);
        expect(got[1]).toMatchObject({ userId: 'u1', itemId: 'i1', type: 'click', ts: 1_700_000_000_001 });
        expect(got.every((e) => typeof e.seq === 'string' && e.seq.length > 0)).toBe(true);
        expect(new Set(got.map((e) => e.seq)).size).toBe(3);
        await log.ack('g', got.map((e) => e.seq!));
        expect((await log.read('g', 'c1', 10)).map((e) => e.eventId)).toEqual(['e3', 'e4']);
      });

      it('unacked events are redelivered to the same consumer; acked ones never again', async () => {
        const log = (await open()).events!;
        await log.append([0, 1, 2].map((i) => ev(`r${i}`, i)));
        const first = await log.read('g', 'c1', 2);
        expect(first.map((e) => e.eventId)).toEqual(['r0', 'r1']);
        await log.ack('g', [first[0]!.seq!]);
        const second = await log.read('g', 'c1', 5);
        expect(second.map((e) => e.eventId)).toEqual(['r1', 'r2']);
        await log.ack('g', second.map((e) => e.seq!));
        expect(await log.read('g', 'c1', 5)).toEqual([]);
        await log.append([ev('r3', 3)]);
        expect((await log.read('g', 'c1', 5)).map((e) => e.eventId)).toEqual(['r3']);
      });

      it('groups are independent; another consumer takes over events left unacked past the claim timeout', async () => {
        const log = (await open(uniq('ns'), { claimIdleMs: 300 })).events!;
        await log.append([0, 1, 2].map((i) => ev(`x${i}`, i)));
        const a = await log.read('g1', 'crashed', 2);
        expect(a.map((e) => e.eventId)).toEqual(['x0', 'x1']);
        // Another group sees everything from the start.
        expect((await log.read('g2', 'c', 10)).map((e) => e.eventId)).toEqual(['x0', 'x1', 'x2']);
        // Before the timeout, c2 only gets the new event.
        const b = await log.read('g1', 'c2', 10);
        expect(b.map((e) => e.eventId)).toEqual(['x2']);
        await log.ack('g1', b.map((e) => e.seq!));
        await sleep(450);
        const c = await log.read('g1', 'c2', 10);
        expect(c.map((e) => e.eventId).sort()).toEqual(['x0', 'x1']);
        await log.ack('g1', c.map((e) => e.seq!));
        expect(await log.read('g1', 'crashed', 10)).toEqual([]);
      });

      it('trim removes the events the group acked; unacked and undelivered ones stay; trimmed ids stay duplicates', async () => {
        const log = (await open()).events!;
        await log.append([0, 1, 2, 3, 4, 5].map((i) => ev(`t${i}`, i)));
        const got = await log.read('g', 'c1', 4);
        expect(got.map((e) => e.eventId)).toEqual(['t0', 't1', 't2', 't3']);
        await log.ack('g', got.slice(0, 3).map((e) => e.seq!));
        expect(await log.trim(['g'])).toBe(3);
        expect(await log.length()).toBe(3);
        expect(await log.trim(['g'])).toBe(0);
        expect((await log.read('g', 'c1', 10)).map((e) => e.eventId)).toEqual(['t3', 't4', 't5']);
        expect(await log.append([ev('t1', 1), ev('t6', 6)])).toEqual({ added: 1, duplicates: 1 });
        expect(await log.length()).toBe(4);
      });

      it('trim keeps what any of the named groups still needs', async () => {
        const log = (await open()).events!;
        await log.append([0, 1, 2, 3, 4].map((i) => ev(`m${i}`, i)));
        const a = await log.read('g1', 'c', 5);
        await log.ack('g1', a.slice(0, 4).map((e) => e.seq!));
        const b = await log.read('g2', 'c', 5);
        await log.ack('g2', b.slice(0, 2).map((e) => e.seq!));
        expect(await log.trim(['g1', 'g2'])).toBe(2);
        expect(await log.length()).toBe(3);
        expect(await log.trim(['g1'])).toBe(2);
        expect(await log.length()).toBe(1);
        expect((await log.read('g1', 'c', 5)).map((e) => e.eventId)).toEqual(['m4']);
      });

      it('trim removes nothing for a group that never read, an empty log or no groups; seqs keep increasing', async () => {
        const empty = (await open()).events!;
        expect(await empty.trim(['g'])).toBe(0);
        const log = (await open()).events!;
        await log.append([0, 1, 2].map((i) => ev(`n${i}`, i)));
        expect(await log.trim(['nobody'])).toBe(0);
        expect(await log.trim([])).toBe(0);
        const got = await log.read('g', 'c', 3);
        await log.ack('g', got.map((e) => e.seq!));
        expect(await log.trim(['g', 'nobody'])).toBe(0);
        expect(await log.trim(['g'])).toBe(3);
        expect(await log.length()).toBe(0);
        await log.append([ev('n3', 3)]);
        const next = await log.read('g', 'c', 3);
        expect(next.map((e) => e.eventId)).toEqual(['n3']);
        expect(seqAfter(next[0]!.seq!, got[2]!.seq!)).toBe(true);
      });

      it('trimmed ids stay duplicates within the dedup horizon and are forgotten by a trim after it', async () => {
        const log = (await open(uniq('ns'), { dedupHorizonMs: 300 })).events!;
        await log.append([ev('h0', 0)]);
        // Another millisecond: Redis may keep ids sharing the oldest stored event's ms one trim longer.
        await sleep(5);
        await log.append([ev('h1', 1), ev('h2', 2)]);
        const got = await log.read('g', 'c', 2);
        await log.ack('g', [got[0]!.seq!]);
        expect(await log.trim(['g'])).toBe(1);
        expect(await log.append([ev('h0', 0)])).toEqual({ added: 0, duplicates: 1 });
        await sleep(450);
        expect(await log.trim(['g'])).toBe(0);
        // h1 (delivered, unacked) and h2 (never delivered) are still stored: their ids are never forgotten.
        expect(await log.append([ev('h0', 0), ev('h1', 1), ev('h2', 2)])).toEqual({ added: 1, duplicates: 2 });
        expect(await log.length()).toBe(3);
        expect((await log.read('g', 'c', 10)).map((e) => e.eventId)).toEqual(['h1', 'h2', 'h0']);
        expect(await log.append([ev('h0', 0)])).toEqual({ added: 0, duplicates: 1 });
      });

      it('ids of stored events are never forgotten, even past the horizon and with trim([])', async () => {
        const log = (await open(uniq('ns'), { dedupHorizonMs: 100 })).events!;
        await log.append([ev('k0', 0), ev('k1', 1)]);
        await sleep(250);
        expect(await log.trim([])).toBe(0);
        expect(await log.trim(['never-read'])).toBe(0);
        const got = await log.read('g', 'c', 1);
        expect(await log.trim(['g'])).toBe(0);
        expect(await log.append([ev('k0', 0), ev('k1', 1)])).toEqual({ added: 0, duplicates: 2 });
        await log.ack('g', [got[0]!.seq!]);
        expect(await log.trim(['g'])).toBe(1);
        expect(await log.append([ev('k1', 1)])).toEqual({ added: 0, duplicates: 1 });
        expect(await log.length()).toBe(1);
      });

      it('forgetUser removes a user\'s events (pending ones too) and their ids; others are untouched; trimming goes on', async () => {
        const log = (await open()).events!;
        if (!log.forgetUser) throw new Error('every backend with an event log supports erasure (forgetUser)');
        // ev(i) belongs to user u(i % 3): u0 owns f0, f3, f6.
        await log.append([0, 1, 2, 3, 4, 5, 6].map((i) => ev(`f${i}`, i)));
        const first = await log.read('g', 'c', 4); // f0..f3 pending for group g (f0, f3 are u0's)
        expect(first.map((e) => e.eventId)).toEqual(['f0', 'f1', 'f2', 'f3']);
        const r = await log.forgetUser('u0');
        expect(r.removed).toBe(3);
        expect([...r.eventIds].sort()).toEqual(['f0', 'f3', 'f6']);
        expect(await log.length()).toBe(4);
        expect(await log.forgetUser('u0')).toEqual({ removed: 0, eventIds: [] });
        // u0's pending deliveries are gone: redelivery and new reads only bring the others' events.
        const again = await log.read('g', 'c', 10);
        expect(again.map((e) => e.eventId)).toEqual(['f1', 'f2', 'f4', 'f5']);
        expect(again.every((e) => e.userId !== 'u0')).toBe(true);
        expect((await log.read('other', 'c', 10)).map((e) => e.eventId)).toEqual(['f1', 'f2', 'f4', 'f5']);
        // Acking what was delivered lets trim remove everything: no erased entry holds it up.
        await log.ack('g', again.map((e) => e.seq!));
        expect(await log.trim(['g'])).toBe(4);
        expect(await log.length()).toBe(0);
        // The ids are forgotten: the same event id is new again (it is a new event of whoever sends it).
        expect(await log.append([ev('f0', 0), ev('f1', 1)])).toEqual({ added: 1, duplicates: 1 });
      });

      it.runIf(h.persistent)('events, duplicates and unacked deliveries survive re-opening the store', async () => {
        const ns = uniq('ns');
        const s1 = await h.open(ns);
        await s1.events!.append([ev('d0', 0), ev('d1', 1), ev('d2', 2)]);
        const got = await s1.events!.read('job', 'w1', 2);
        await s1.events!.ack('job', [got[0]!.seq!]);
        await s1.close?.();
        const s2 = await open(ns);
        expect(await s2.events!.length()).toBe(3);
        expect(await s2.events!.append([ev('d1', 1), ev('d3', 3)])).toEqual({ added: 1, duplicates: 1 });
        expect((await s2.events!.read('job', 'w1', 10)).map((e) => e.eventId)).toEqual(['d1', 'd2', 'd3']);
      });
    });
  });
}
