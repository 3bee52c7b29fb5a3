import { describe, expect, it } from 'vitest';
import { adapterKeys, layoutShapes, publishAdapter } from '@llmrec/shared/adapter/adapter-store.ts';
import { dynamicLayout, initDynamic } from '@llmrec/shared/adapter/dynamic-model.ts';
import { mulberry32 } from '@llmrec/shared/adapter/gated-adapter.ts';
import { MeanHistoryBase } from '@llmrec/shared/adapter/mean-history-base.ts';
import { float32ToBase64 } from '@llmrec/shared/base64.ts';
import { encodeStats } from '@llmrec/shared/adapter/snapshot.ts';
import { WindowStats } from '@llmrec/shared/adapter/window-stats.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { AdapterRegistry, staticScores } from './adapter-registry.ts';

const rnd = mulberry32(8);
const vec = (n: number) => Float32Array.from({ length: n }, () => rnd() - 0.5);
const base = new MeanHistoryBase(4, vec(10 * 4), vec(10 * 4));
const L = dynamicLayout({ dim: 4, hidden: 8 });

async function publish(store: ReturnType<typeof createMemoryStore>, version: number) {
  const stats = new WindowStats(10);
  stats.apply({ eventId: `e${version}`, user: 'u', item: 2, ts: 1000 });
  await publishAdapter(store, { version, weightsB64: float32ToBase64(initDynamic(L, version)), shapes: layoutShapes(L), stats: encodeStats(stats, false), trainedOnEvents: 1, metrics: {}, parent: null });
}

describe('AdapterRegistry', () => {
  it('scores statically before any version, then swaps to new versions without restart', async () => {
    const store = createMemoryStore();
    const reg = new AdapterRegistry(store, base);
    const out = new Float32Array(10);
    const ref = new Float32Array(10);
    expect(reg.score('u', [1, 2], 2000, out)).toBeNull();
    staticScores(base, [1, 2], ref);
    expect(Array.from(out)).toEqual(Array.from(ref));
    await publish(store, 1);
    expect(await reg.refresh()).toBe(true);
    expect(reg.score('u', [1, 2], 2000, out)).toBe(1);
    await publish(store, 2);
    expect(await reg.refresh()).toBe(true);
    expect(reg.version).toBe(2);
    expect(await reg.refresh()).toBe(false); // nothing new
  });

  it('keeps the serving version when the pointed version is malformed or incomplete', async () => {
    const store = createMemoryStore();
    const reg = new AdapterRegistry(store, base);
    await publish(store, 1);
    await reg.refresh();
    await store.set(keys.adapter(2), JSON.stringify({ v: 1, version: 2, createdAt: 'x', weights: 'AAAA' }));
    await store.set(adapterKeys.stats(2), '{"v":1}');
    await store.set(keys.adapterCurrent(), JSON.stringify({ v: 1, version: 2, updatedAt: 'x' }));
    expect(await reg.refresh()).toBe(false);
    expect(reg.version).toBe(1);
    expect(reg.lastError).toMatch(/adapter|stats|malformed/);
  });
});

describe('AdapterRegistry: adapters are tied to their base', () => {
  const onB = Object.assign(new MeanHistoryBase(4, base.itemLatents, base.historyEmb), { id: 'bundle-B' });
  async function publishFor(store: ReturnType<typeof createMemoryStore>, version: number, baseId?: string) {
    await publishAdapter(store, { version, weightsB64: float32ToBase64(initDynamic(L, version)), shapes: layoutShapes(L), stats: encodeStats(new WindowStats(10), false), trainedOnEvents: 1, metrics: {}, parent: null, base: baseId });
  }

  it('refuses a version tagged with another base (static, then keeps its version), saying why once; serves its own', async () => {
    const store = createMemoryStore();
    const said: string[] = [];
    const reg = new AdapterRegistry(store, onB, { pollMs: 1000, say: (m) => said.push(m) });
    await publishFor(store, 1, 'bundle-A');
    for (let k = 0; k < 3; k++) expect(await reg.refresh()).toBe(false);
    expect(reg.version).toBeNull();
    const out = new Float32Array(10);
    expect(reg.score('u', [1, 2], 2000, out)).toBeNull(); // static scoring
    expect(said).toEqual(['adapter v1: trained for base bundle-A, this worker serves bundle-B; not served, keeping static scoring']);
    await publishFor(store, 2, 'bundle-B');
    expect(await reg.refresh()).toBe(true);
    expect(reg.version).toBe(2);
    await publishFor(store, 3, 'bundle-A');
    expect(await reg.refresh()).toBe(false);
    expect(await reg.refresh()).toBe(false);
    expect(reg.version).toBe(2);
    expect(said.filter((m) => m.includes('adapter v3'))).toEqual(['adapter v3: trained for base bundle-A, this worker serves bundle-B; not served, keeping v2']);
  });

  it('serves a record without base (written before base ids) when the dim fits', async () => {
    const store = createMemoryStore();
    await publishFor(store, 1);
    const rec = JSON.parse((await store.get(keys.adapter(1)))!);
    expect('base' in rec).toBe(false);
    const reg = new AdapterRegistry(store, onB);
    expect(await reg.refresh()).toBe(true);
    expect(reg.version).toBe(1);
    const small = new AdapterRegistry(store, Object.assign(new MeanHistoryBase(2, vec(20), vec(20)), { id: 'bundle-B' }));
    expect(await small.refresh()).toBe(false);
    expect(small.lastError).toMatch(/dim 4 does not match the base model's 2/);
  });
});
