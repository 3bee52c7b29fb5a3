// publishBundle: versioned, idempotent, pointer flipped last (checked with a store that watches the pointer
// while content is written), crash-safe (a failed publish leaves the previous version live).
import { describe, expect, it } from 'vitest';
import { keys } from './keys.ts';
import { createMemoryStore } from './memory-store.ts';
import { bundleVersion, publishBundle, type PublishBundle } from './publish.ts';
import type { KvStore } from './store.ts';
import { getTyped, listTyped } from './typed.ts';
import { HistoryEntry, ItemMeta, PopularList, PublishedPointer } from './values.ts';

function bundle(titleSuffix = ''): PublishBundle {
  const items = Array.from({ length: 40 }, (_, i) => ({ v: 1 as const, id: String(i + 1), idx: i, title: `Movie ${i + 1}${titleSuffix}`, genres: ['Drama'], attributes: [], hasImage: i % 2 === 0, hasAudio: false }));
  return {
    dataset: 'toy',
    items,
    popular: [{ v: 1, name: 'all', items: ['3', '1', '2'], scores: [30, 20, 10] }],
    evidence: items.map((it) => ({ v: 1 as const, itemId: it.id, evidence: [{ kind: 'genre', text: 'Genres: Drama' }] })),
    histories: [
      { userId: 'u1', entries: [1, 2, 3].map((i) => ({ v: 1 as const, item: String(i), ts: i * 1000, type: 'rating' })) },
      { userId: 'u2', entries: [{ v: 1 as const, item: '5', ts: 1, type: 'rating' }] },
    ],
  };
}

const pointer = (s: KvStore) => getTyped(s, PublishedPointer, keys.published());

describe('publishBundle', () => {
  it('publishes a version readers can use, histories newest first', async () => {
    const s = createMemoryStore();
    const r = await publishBundle(s, bundle(), { chunkBytes: 2000 });
    expect(r.previous).toBeNull();
    expect(r.keysWritten).toBe(1 + 40 + 1 + 40 + 1);
    expect((await pointer(s))?.version).toBe(r.version);
    expect((await getTyped(s, ItemMeta, keys.item(r.version, '7')))?.title).toBe('Movie 7');
    expect((await getTyped(s, PopularList, keys.popular(r.version, 'all')))?.items).toEqual(['3', '1', '2']);
    expect((await listTyped(s, HistoryEntry, keys.history('u1'))).map((e) => e.item)).toEqual(['3', '2', '1']);
    expect(r.histories).toEqual({ seeded: 2, kept: 0, replaced: 0 });
  });

  it('is idempotent and keeps live history events', async () => {
    const s = createMemoryStore();
    const first = await publishBundle(s, bundle());
    await s.listPush(keys.history('u1'), [JSON.stringify({ v: 1, item: '9', ts: 9999, type: 'click' })], 200);
    const again = await publishBundle(s, bundle());
    expect(again.version).toBe(first.version);
    expect(again.alreadyLive).toBe(true);
    expect(again.keysWritten).toBe(0);
    expect(again.histories).toEqual({ seeded: 0, kept: 2, replaced: 0 });
    expect((await listTyped(s, HistoryEntry, keys.history('u1')))[0]!.item).toBe('9');
    const replaced = await publishBundle(s, bundle(), { historyMode: 'replace' });
    expect(replaced.histories.replaced).toBe(2);
    expect((await listTyped(s, HistoryEntry, keys.history('u1')))[0]!.item).toBe('3');
  });

  it('flips the pointer only after every key of the new version is written', async () => {
    const s = createMemoryStore();
    const v1 = await publishBundle(s, bundle());
    const seen: (string | undefined)[] = [];
    const watching: KvStore = Object.assign(Object.create(s), {
      setMany: async (e: readonly (readonly [string, string])[]) => {
        seen.push((await pointer(s))?.version);
        await s.setMany(e);
      },
    });
    const v2 = await publishBundle(watching, bundle(' (2)'), { chunkBytes: 1500 });
    expect(v2.version).not.toBe(v1.version);
    expect(seen.length).toBeGreaterThan(3);
    expect(new Set(seen)).toEqual(new Set([v1.version]));
    expect((await pointer(s))?.version).toBe(v2.version);
    // The old version stays readable (in-flight requests), and going back reuses its content.
    expect((await getTyped(s, ItemMeta, keys.item(v1.version, '1')))?.title).toBe('Movie 1');
    const back = await publishBundle(s, bundle());
    expect(back).toMatchObject({ version: v1.version, reusedContent: true, alreadyLive: false, keysWritten: 0, previous: v2.version });
    expect(await s.listRange(keys.publishedVersions(), 0, -1)).toEqual([v1.version, v2.version, v1.version]);
  });

  it('a publish that fails half-way leaves the previous version live; a rerun completes it', async () => {
    const s = createMemoryStore();
    const v1 = await publishBundle(s, bundle());
    let calls = 0;
    const flaky: KvStore = Object.assign(Object.create(s), {
      setMany: async (e: readonly (readonly [string, string])[]) => {
        if (++calls === 2) throw new Error('connection reset');
        await s.setMany(e);
      },
    });
    await expect(publishBundle(flaky, bundle(' (3)'), { chunkBytes: 1500 })).rejects.toThrow('connection reset');
    expect((await pointer(s))?.version).toBe(v1.version);
    const r = await publishBundle(s, bundle(' (3)'));
    expect(r.version).toBe((await bundleVersion(bundle(' (3)'))).version);
    expect((await pointer(s))?.version).toBe(r.version);
  });

  it('removes versions beyond the newest `keep`, never the live one, and only their keys', async () => {
    const s = createMemoryStore();
    const v: string[] = [];
    for (const suffix of ['a', 'b', 'c']) v.push((await publishBundle(s, bundle(suffix), { keep: 2 })).version);
    expect(s.snapshot().values.filter(([k]) => k.includes(v[0]!)).map(([k]) => k)).toEqual([]);
    expect(await getTyped(s, ItemMeta, keys.item(v[1]!, '1'))).not.toBeNull();
    expect(await getTyped(s, ItemMeta, keys.item(v[2]!, '1'))).not.toBeNull();
    expect((await listTyped(s, HistoryEntry, keys.history('u1'))).length).toBe(3);
    // Back to the oldest (rewritten, it is live again) with keep 1: b and c go, a stays.
    const back = await publishBundle(s, bundle('a'), { keep: 1 });
    expect(back.removed.sort()).toEqual([v[1], v[2]].sort());
    expect((await pointer(s))?.version).toBe(v[0]);
    expect(await getTyped(s, ItemMeta, keys.item(v[0]!, '40'))).not.toBeNull();
    expect(s.snapshot().values.filter(([k]) => k.includes(v[1]!) || k.includes(v[2]!))).toEqual([]);
  });

  it('rejects a bundle whose items are not in index order', async () => {
    const b = bundle();
    b.items = [b.items[1]!, b.items[0]!, ...b.items.slice(2)];
    await expect(publishBundle(createMemoryStore(), b)).rejects.toThrow(/index order/);
  });
});
