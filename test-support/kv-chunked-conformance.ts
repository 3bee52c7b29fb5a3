// Part of the KV conformance suite (kv-conformance.ts calls it for every backend): large values stored in
// parts by shared/src/kv/chunked.ts — round trips, rewrites, corruption, a crash between parts and head.
import { describe, expect, it } from 'vitest';
import { ChunkedValueError, getChunked, getChunkedMany, parseHead, partKey, putChunked, putChunkedMany } from '@llmrec/shared/kv/chunked.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';

/** Small parts so multi-part values stay cheap on every backend (the default is 512 KiB). */
const opts = { chunkBytes: 1000, maxRequestBytes: 2600 };
const big = (n: number, seed: string) => Array.from({ length: n }, (_, i) => `${seed}${i} é日✓ "q"\n`).join('');

/** A store whose write of `key` itself (the head) fails, as if the writer died between parts and head. */
function dyingBeforeHead(s: KvStore, key: string): KvStore {
  const boom = () => Promise.reject(new Error('writer died'));
  return {
    kind: s.kind, get: (k) => s.get(k), mget: (ks) => s.mget(ks), del: (k) => s.del(k), ping: () => s.ping(),
    listPush: (k, v, m) => s.listPush(k, v, m), listRange: (k, a, b) => s.listRange(k, a, b),
    set: (k, v, o) => (k === key ? boom() : s.set(k, v, o)),
    setMany: (es) => (es.some(([k]) => k === key) ? boom() : s.setMany(es)),
  };
}

export function runChunkedConformance(open: () => Promise<KvStore>, uniq: (p: string) => string): void {
  describe('chunked values (kv/chunked.ts)', () => {
    it('a small value is stored plain; a large one in parts under a head, both round-trip', async () => {
      const s = await open();
      const [small, large] = [uniq('small'), uniq('large')];
      await putChunked(s, small, '{"v":1}', opts);
      expect(await s.get(small)).toBe('{"v":1}');
      const v = big(300, 'a');
      await putChunked(s, large, v, opts);
      const head = parseHead(await s.get(large))!;
      expect(head.parts).toBeGreaterThan(3);
      expect(head.bytes).toBe(new TextEncoder().encode(v).byteLength);
      expect(await getChunked(s, large)).toBe(v);
      expect(await getChunkedMany(s, [small, uniq('missing'), large])).toEqual(['{"v":1}', null, v]);
    });

    it('several values: heads and small values land in one write after the parts', async () => {
      const s = await open();
      const [a, b] = [uniq('a'), uniq('b')];
      await putChunkedMany(s, [[a, 'x'.repeat(900)], [b, 'y'.repeat(900)]], { chunkBytes: 1000, maxRequestBytes: 1500 });
      // Together over the request budget: the larger is split so the final write fits.
      expect(parseHead(await s.get(a)) !== null || parseHead(await s.get(b)) !== null).toBe(true);
      expect(await getChunkedMany(s, [a, b])).toEqual(['x'.repeat(900), 'y'.repeat(900)]);
    });

    it('a rewrite gets fresh parts and removes the old ones (large -> large -> plain)', async () => {
      const s = await open();
      const k = uniq('rw');
      await putChunked(s, k, big(200, 'one'), opts);
      const h1 = parseHead(await s.get(k))!;
      await putChunked(s, k, big(250, 'two'), opts);
      const h2 = parseHead(await s.get(k))!;
      expect(h2.nonce).not.toBe(h1.nonce);
      expect(await getChunked(s, k)).toBe(big(250, 'two'));
      expect(await s.mget(Array.from({ length: h1.parts }, (_, i) => partKey(k, h1.nonce, i)))).toEqual(Array(h1.parts).fill(null));
      await putChunked(s, k, 'plain again', opts);
      expect(await s.get(k)).toBe('plain again');
      expect(await s.get(partKey(k, h2.nonce, 0))).toBeNull();
    });

    it('a missing or corrupted part is a clear error naming the key', async () => {
      const s = await open();
      const k = uniq('bad');
      await putChunked(s, k, big(200, 'c'), opts);
      const h = parseHead(await s.get(k))!;
      const p1 = partKey(k, h.nonce, 1);
      const good = (await s.get(p1))!;
      await s.set(p1, `${good.slice(0, -1)}#`);
      await expect(getChunked(s, k)).rejects.toThrow(new RegExp(`${k}.*sha256`));
      await s.set(p1, good.slice(0, -1));
      await expect(getChunked(s, k)).rejects.toThrow(/bytes, its head says/);
      await s.del(p1);
      const err = await getChunked(s, k).catch((e) => e);
      expect(err).toBeInstanceOf(ChunkedValueError);
      expect(err.message).toContain(k);
      expect(err.message).toMatch(/missing/);
    });

    it('a writer dying after the parts, before the head, leaves the previous value readable', async () => {
      const s = await open();
      const k = uniq('crash');
      await putChunked(s, k, big(200, 'old'), opts);
      await expect(putChunked(dyingBeforeHead(s, k), k, big(220, 'new'), opts)).rejects.toThrow(/writer died/);
      expect(await getChunked(s, k)).toBe(big(200, 'old'));
      const p = uniq('plain');
      await s.set(p, 'old plain value');
      await expect(putChunked(dyingBeforeHead(s, p), p, big(220, 'new'), opts)).rejects.toThrow(/writer died/);
      expect(await getChunked(s, p)).toBe('old plain value');
    });

    it('values written before chunking existed (plain, even large) read as they are', async () => {
      const s = await open();
      const k = uniq('legacy');
      const v = `{"v":1,"weights":"${'A'.repeat(5000)}"}`;
      await s.set(k, v);
      expect(await getChunked(s, k, opts)).toBe(v);
    });
  });
}
