// A catalog grows across a retrain without losing API-created items: items created through the API before the
// export are in the new version (incorporated), items created after it are carried over by publish and
// embedded by the worker with the new version's tower and codebooks (then recommendable), hidden items stay
// hidden; and publish leaves erased users out of evidence counts, popular lists and seeded histories.
import { describe, expect, it } from 'vitest';
import { readLiveHead } from '@llmrec/shared/catalog/live.ts';
import { eraseUser } from '@llmrec/shared/catalog/erase-user.ts';
import { keys, PQ_CODES_CHUNK } from '@llmrec/shared/kv/keys.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { pqToValues } from '@llmrec/shared/kv/pq-values.ts';
import { trainPq } from '@llmrec/shared/pq/train.ts';
import { publishBundle, type PublishBundle } from '@llmrec/shared/kv/publish.ts';
import { bytesToBase64 } from '@llmrec/shared/base64.ts';
import { ItemWriter } from '@llmrec/gpu-worker/catalog/item-writer.ts';
import { WorkerCatalog } from '@llmrec/gpu-worker/catalog/live-state.ts';
import { fixtureEncoders } from '@llmrec/gpu-worker/catalog/fixture-tower.ts';
import { createLatentModel } from '@llmrec/gpu-worker/model.ts';
import { buildBundle, erasedUserIndices } from '@llmrec/cli/commands/publish.ts';
import type { Dataset } from '@llmrec/data/index.ts';
import { makeFixture } from './support/catalog-fixture.ts';
import { makeHarness } from './support/harness.ts';
import { clusterWord, fakeJpeg, fixtureTower, IMAGE_DIM, liveCatalogStack, TEXT_DIM } from './support/live-catalog.ts';

const item = (id: string, cluster: number) => ({ id, title: `Item ${id}`, description: `${clusterWord(cluster)} `.repeat(4), genres: [`g${cluster}`], image: { base64: bytesToBase64(fakeJpeg(cluster)) }, available: true });

/** The fixture as a publish bundle (optionally with extra items appended, as an export would add them). */
function bundleOf(f: ReturnType<typeof makeFixture>, extra: string[], latents: Float32Array): PublishBundle {
  const ids = [...f.ids, ...extra];
  return {
    dataset: 'fixture',
    items: ids.map((id, idx) => ({ v: 1, id, idx, title: `T ${id}`, genres: [], hasImage: false })),
    popular: [{ v: 1, name: 'all', items: ids.slice(0, 5), scores: [5, 4, 3, 2, 1] }],
    evidence: ids.map((id) => ({ v: 1, itemId: id, evidence: [] })),
    histories: Object.entries(f.users).map(([userId, hist]) => ({ userId, entries: hist.map((it, i) => ({ v: 1, item: it, ts: i })) })),
    pq: pqToValues(trainPq(latents, f.dim, { m: 4, k: 16, seed: 2 }), PQ_CODES_CHUNK),
  };
}

describe('republish after retraining', () => {
  it('incorporated, carried over (embedded by the worker, then recommendable) and hidden items', async () => {
    const f = makeFixture();
    const store = createMemoryStore();
    const v1 = await liveCatalogStack(store, f);
    await v1.writer.upsert([item('n1', 0), item('n2', 1)]);
    await v1.writer.hide(['5', 'n2']);
    // The export took n1 (and hid nothing new); n3 was created after it.
    await v1.writer.upsert([item('n3', 2)]);

    // Retrained: a new version with n1 in it and other latents (a new latent space).
    const lat2 = new Float32Array((f.ids.length + 1) * f.dim);
    for (let i = 0; i < f.ids.length + 1; i++) lat2[i * f.dim + (i % f.clusters)] = 1;
    const b2 = bundleOf(f, ['n1'], lat2);
    const rep = await publishBundle(store, b2);
    expect(rep.live).toEqual({ incorporated: 1, pending: 1, hidden: 1 });
    const head = (await readLiveHead(store, rep.version))!;
    expect(head.pending).toEqual(['n3']); // n2 was hidden: carried, but not to be shown
    expect(head.items).toBe(f.ids.length + 1 + 2); // n2 and n3 after the new version's items

    // A worker serving the new bundle syncs, embeds n3 with its tower, and n3 becomes recommendable.
    const model2 = createLatentModel({ version: rep.version, itemLatents: lat2, dim: f.dim });
    const live2 = new WorkerCatalog(store, model2);
    const writer2 = new ItemWriter({ catalog: live2, tower: await fixtureTower(f), encoders: fixtureEncoders(TEXT_DIM, IMAGE_DIM), fetchImage: () => Promise.reject(new Error('offline')) });
    live2.onPending = () => writer2.embedPending();
    expect(await writer2.embedPending()).toBe(1);
    const after = (await readLiveHead(store, rep.version))!;
    expect(after.pending).toEqual([]);
    const h = makeHarness(store, { ...f, version: rep.version, ids: [...f.ids, 'n1'], itemLatents: lat2 }, { model: model2, catalog: { live: live2, writer: writer2 } });
    const r = await h.call('POST', '/v1/recommend', { recentItems: ['3'], candidates: ['n3', 'n2', '5', '1', '2'], k: 5 });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const ids = r.json.items.map((i: { id: string }) => i.id);
    expect(ids).toContain('n3');
    expect(ids).not.toContain('n2'); // hidden before the retrain, hidden after
    expect(ids).not.toContain('5');
    expect((await h.call('GET', '/v1/items/n1')).json.title).toBe('T n1'); // the published form of an incorporated item
  });

  it('publish leaves erased users out of counts, co-interactions and histories (the next publish after the erasure)', async () => {
    const store = createMemoryStore();
    // 6 users share items 0 and 1 (co-users 6), and each has a distinct third item.
    const users = Array.from({ length: 6 }, (_, u) => `p${u}`);
    const rows: [number, number][] = [];
    users.forEach((_, u) => rows.push([u, 0], [u, 1], [u, 2 + u]));
    const ds = {
      dir: '', meta: { name: 'co', hasTimestamps: false } as Dataset['meta'], nUsers: 6, nItems: 8,
      interactions: { user: Int32Array.from(rows.map((r) => r[0])), item: Int32Array.from(rows.map((r) => r[1])), ts: Float64Array.from(rows.map((_, k) => k % 3)), rating: new Float32Array(rows.length).fill(1) },
      userStart: Int32Array.from([0, 3, 6, 9, 12, 15, 18]),
    } as Dataset;
    const items = Array.from({ length: 8 }, (_, i) => ({ idx: i, id: `i${i}`, title: `I${i}`, text: {}, modalities: { image: null, audio: null } }));
    const before = buildBundle(ds, items, users, 10, await erasedUserIndices(store, users));
    expect(before.evidence[0]!.co).toEqual([[1, 6]]);
    expect(before.popular[0]!.scores[0]).toBe(6);
    await eraseUser(store, 'p3');
    const skip = await erasedUserIndices(store, users);
    expect([...skip]).toEqual([3]);
    const after = buildBundle(ds, items, users, 10, skip);
    expect(after.evidence[0]!.co).toEqual([[1, 5]]); // one co-user fewer
    expect(after.popular[0]!.scores[0]).toBe(5);
    expect(after.popular[0]!.items).not.toContain('i5'); // p3's own item has no interaction left
    expect(after.histories.map((h) => h.userId)).not.toContain('p3');
    const rep = await publishBundle(store, after);
    expect(rep.histories.seeded).toBe(5);
    expect(await store.listRange(keys.history('p3'), 0, -1)).toEqual([]);
  });
});
