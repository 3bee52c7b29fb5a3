import { describe, expect, it } from 'vitest';
import { keys } from './keys.ts';
import { createMemoryStore } from './memory-store.ts';
import { getTyped, KvValueError, listTyped, mgetTyped, setTyped } from './typed.ts';
import { HistoryEntry, ItemMeta, PublishedPointer } from './values.ts';

const item = { v: 1 as const, id: '50', idx: 49, title: 'Star Wars (1977)', genres: ['Action'], hasImage: false };

describe('typed KV access', () => {
  it('round-trips values through their schema, filling defaults', async () => {
    const s = createMemoryStore();
    await setTyped(s, ItemMeta, keys.item('v1', '50'), item);
    const got = await getTyped(s, ItemMeta, keys.item('v1', '50'));
    expect(got).toMatchObject({ ...item, attributes: [], hasAudio: false });
    expect(await getTyped(s, ItemMeta, keys.item('v1', 'missing'))).toBeNull();
    expect(await mgetTyped(s, ItemMeta, [keys.item('v1', 'missing'), keys.item('v1', '50')])).toEqual([null, got]);
  });

  it('refuses to write an invalid value', async () => {
    const s = createMemoryStore();
    await expect(setTyped(s, PublishedPointer, keys.published(), { v: 1, version: '', dataset: 'x', publishedAt: 'now' })).rejects.toThrow();
  });

  it('a wrong-version, malformed or non-JSON value is a KvValueError naming the key and the problem', async () => {
    const s = createMemoryStore();
    const k = keys.item('v1', '7');
    await s.set(k, JSON.stringify({ ...item, v: 2 }));
    const err = await getTyped(s, ItemMeta, k).catch((e) => e);
    expect(err).toBeInstanceOf(KvValueError);
    expect(err.message).toContain(k);
    expect(err.problems.join()).toMatch(/^v:/);
    await s.set(k, JSON.stringify({ ...item, idx: -1 }));
    await expect(getTyped(s, ItemMeta, k)).rejects.toThrow(/idx/);
    await s.set(k, '{not json');
    await expect(getTyped(s, ItemMeta, k)).rejects.toThrow(/not JSON/);
  });

  it('parses every list entry', async () => {
    const s = createMemoryStore();
    const k = keys.history('u1');
    await s.listPush(k, [JSON.stringify({ v: 1, item: '1', ts: 1 }), JSON.stringify({ v: 1, item: '2', ts: 2 })], 10);
    expect((await listTyped(s, HistoryEntry, k)).map((e) => e.item)).toEqual(['2', '1']);
    await s.listPush(k, ['{"v":1}'], 10);
    await expect(listTyped(s, HistoryEntry, k)).rejects.toBeInstanceOf(KvValueError);
  });
});
