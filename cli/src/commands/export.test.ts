// `llmrec export` as a user runs it: a published catalog (the example bookshop) grows through the API — items
// created and changed through the worker's item writer (real ONNX fixture tower), events logged — and the
// export is a canonical dataset holding all of it, with the created items at their live indices; erased users
// are left out; exporting again with nothing new writes byte-identical files (the training cache stays valid).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetDir, prepareDataset, readDataset, readItems, readUsers } from '@llmrec/data/index.ts';
import { REPO_ROOT } from '@llmrec/data/paths.ts';
import { llmrecAsync } from '@llmrec/data/test-support/spawn-cli.ts';
import { tempDirs } from '@llmrec/data/test-support/temp-dirs.ts';
import { createSqliteStore } from '@llmrec/edge/kv/sqlite-store.ts';
import { openContentTower } from '@llmrec/gpu-worker/catalog/content-tower.ts';
import { fixtureEncoders, linearTowerOnnx } from '@llmrec/gpu-worker/catalog/fixture-tower.ts';
import { ItemWriter } from '@llmrec/gpu-worker/catalog/item-writer.ts';
import { WorkerCatalog } from '@llmrec/gpu-worker/catalog/live-state.ts';
import { createLatentModel } from '@llmrec/gpu-worker/model.ts';
import { eraseUser } from '@llmrec/shared/catalog/erase-user.ts';
import { PQ_CODES_CHUNK } from '@llmrec/shared/kv/keys.ts';
import { bytesToBase64 } from '@llmrec/shared/base64.ts';
import { pqToValues } from '@llmrec/shared/kv/pq-values.ts';
import { trainPq } from '@llmrec/shared/pq/train.ts';
import { publishBundle } from '@llmrec/shared/kv/publish.ts';
import { buildBundle } from './publish.ts';
import { hashTree } from '@llmrec/data/test-support/hash-tree.ts';
import { decodeNpy } from '@llmrec/data/npy.ts';
import { hasTorch as hasPythonTorch } from '@llmrec/data/test-support/python.ts';
import { defaultConfig, runPipeline } from './train.ts';

const hasTorch = hasPythonTorch();

const tmp = tempDirs();
const DIM = 8;
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);

/** The example bookshop published, then grown through the API: 2 items created, 1 changed, 4 events. Returns the store path. */
async function grownCatalog(home: string): Promise<string> {
  const dbPath = join(home, 'kv.sqlite');
  prepareDataset({ name: 'bookshop', format: 'csv', from: join(REPO_ROOT, 'examples', 'catalog-csv'), home });
  const ds = readDataset(datasetDir('bookshop', home));
  const latents = Float32Array.from({ length: ds.nItems * DIM }, (_, i) => Math.sin(i * 1.7));
  const bundle = buildBundle(ds, readItems(ds.dir), readUsers(ds.dir).map((u) => u.id), 10);
  bundle.pq = pqToValues(trainPq(latents, DIM, { m: 4, k: 8, seed: 1 }), PQ_CODES_CHUNK);
  const store = createSqliteStore(dbPath);
  const { version } = await publishBundle(store, bundle);

  const tower = await openContentTower(linearTowerOnnx({ text: { w: Float32Array.from({ length: 32 * DIM }, (_, i) => Math.cos(i)), dim: 32 } }, DIM), { device: 'cpu' });
  const live = new WorkerCatalog(store, createLatentModel({ version, itemLatents: latents, dim: DIM }));
  const writer = new ItemWriter({ catalog: live, tower, encoders: { text: fixtureEncoders(32, 16).text }, fetchImage: () => Promise.reject(new Error('offline')) });
  await writer.upsert([
    { id: 'b9', title: 'Winter Light', description: 'Poems of the northern winter.', genres: ['poetry'], image: { base64: bytesToBase64(JPEG) }, available: true },
    { id: 'b10', title: 'Tide Tables', genres: ['essays'], available: true },
    { id: 'b2', title: 'Salt and Stone (revised)', description: 'Essays, revised edition.', available: true },
  ]);
  const ev = (eventId: string, userId: string, itemId: string, ts: number) => ({ eventId, userId, itemId, type: 'view', ts });
  await store.events.append([ev('x1', 'u1', 'b9', 1_767_225_600_000), ev('x2', 'u7', 'b10', 1_767_225_601_000), ev('x3', 'u7', 'b9', 1_767_225_602_000), ev('x4', 'u2', 'b1', 1_767_225_603_000)]);
  await tower.close();
  await store.close();
  return dbPath;
}

describe('llmrec export', () => {
  it('a dataset plus the items and events that arrived through the API; erased users left out; idempotent', async () => {
    const home = tmp('export-');
    const dbPath = await grownCatalog(home);

    const run = () => llmrecAsync(['export', '--dataset', 'bookshop', '--store', `sqlite:${dbPath}`, '--home', home, '--json']);
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(rep).toMatchObject({ createdItems: 2, changedItems: 1, events: 4, newUsers: 1, erasedUsers: 0, newEventsJournalled: 4, counts: { users: 7, items: 10, interactions: 37 } });
    const out = readDataset(datasetDir('bookshop', home));
    const items = readItems(out.dir);
    expect(items.slice(8).map((i) => [i.idx, i.id, i.title])).toEqual([[8, 'b9', 'Winter Light'], [9, 'b10', 'Tide Tables']]); // their live indices
    expect(items.find((i) => i.id === 'b2')!.title).toBe('Salt and Stone (revised)');
    expect(items[8]!.modalities.image).toMatch(/media\/bookshop\/b9\.jpg$/);
    expect(readFileSync(items[8]!.modalities.image!)).toEqual(Buffer.from(JPEG));
    expect(out.meta.source.kind).toBe('export');
    // u7 (new) has b10 then b9, in event time.
    const u7 = readUsers(out.dir).find((u) => u.id === 'u7')!.idx;
    const rows = [...out.interactions.user.keys()].filter((k) => out.interactions.user[k] === u7).map((k) => items[out.interactions.item[k]!]!.id);
    expect(rows).toEqual(['b10', 'b9']);

    // Nothing new: byte-identical files (train's cache key stays valid), no event counted twice.
    const before = hashTree(out.dir);
    const again = JSON.parse((await run()).stdout.trim().split('\n').pop()!);
    expect(again).toMatchObject({ events: 0, newEventsJournalled: 0, counts: { interactions: 37 } });
    expect(hashTree(out.dir)).toEqual(before);

    // Erasure: u7 goes (its events too), from the dataset and from the journal.
    const s2 = createSqliteStore(dbPath);
    await eraseUser(s2, 'u7');
    await s2.close();
    const erased = JSON.parse((await run()).stdout.trim().split('\n').pop()!);
    expect(erased).toMatchObject({ erasedUsers: 1, counts: { users: 6, interactions: 35 } });
    expect(readUsers(datasetDir('bookshop', home)).some((u) => u.id === 'u7')).toBe(false);
    expect(readFileSync(join(home, 'exports', 'bookshop', 'events.jsonl'), 'utf8')).not.toContain('u7');
  }, 60_000);

  it.skipIf(!hasTorch)('the export trains: `llmrec train` on it builds artifacts over every item, the API-created ones included', async () => {
    const home = tmp('export-train-');
    const dbPath = await grownCatalog(home);
    const r = await llmrecAsync(['export', '--dataset', 'bookshop', '--store', `sqlite:${dbPath}`, '--home', home, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = defaultConfig('bookshop');
    const config = {
      sasrec: { ...c.sasrec, hidden: 16, maxlen: 12, epochs: 2, eval_every: 2, max_seconds: 60 },
      aligner: { ...c.aligner, dim: DIM, hidden: 16, epochs: 1, text: { kind: 'hashed-tfidf', dim: 64 } },
      fusion: { ...c.fusion, hidden: 16, epochs: 1, batch: 16, con_items: 4 },
      pq: { ...c.pq, m: 2, k: 4, iters: 3, finetune_steps: 5 },
    };
    const res = await runPipeline({ datasetDir: datasetDir('bookshop', home), dataset: 'bookshop', split: 'loo', home, config, features: 'tfidf', threads: 1, force: false });
    expect(res.manifest.items).toBe(10);
    const z = decodeNpy(new Uint8Array(readFileSync(join(res.dir, res.manifest.files.itemLatents!.path))), 'item latents');
    expect(z.shape[0]).toBe(10);
    // b9 (idx 8, created through the API, with events) has a trained, non-zero latent
    expect(Math.hypot(...(z.data as Float32Array).subarray(8 * z.shape[1]!, 9 * z.shape[1]!))).toBeGreaterThan(0);
  }, 240_000);
});
