// Test support for the item API: the fixture catalog published with PQ codes (as publish lays them out), and a
// worker-side live catalog with a REAL ONNX content tower of the contract's I/O (a linear fixture tower run by
// onnxruntime) and the fixture encoders, wired as `makeHarness(..., { catalog })` expects. The tower maps the
// word `clusterWord(c)` onto cluster c's latent direction, so a new item described with it ranks like cluster c.
import { ItemWriter } from '@llmrec/gpu-worker/catalog/item-writer.ts';
import { openContentTower, type ContentTower } from '@llmrec/gpu-worker/catalog/content-tower.ts';
import { fixtureEncoders, linearTowerOnnx, wordForBucket } from '@llmrec/gpu-worker/catalog/fixture-tower.ts';
import type { FetchedImage } from '@llmrec/gpu-worker/catalog/image-fetch.ts';
import { WorkerCatalog } from '@llmrec/gpu-worker/catalog/live-state.ts';
import { createLatentModel, type LatentModel } from '@llmrec/gpu-worker/model.ts';
import { keys, PQ_CODES_CHUNK } from '@llmrec/shared/kv/keys.ts';
import { pqToValues } from '@llmrec/shared/kv/pq-values.ts';
import { trainPq } from '@llmrec/shared/pq/train.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { encodeValue } from '@llmrec/shared/kv/typed.ts';
import { PqCodebooks, PqCodes } from '@llmrec/shared/kv/values.ts';
import { publishFixture, type Fixture } from './catalog-fixture.ts';

export const TEXT_DIM = 32;
export const IMAGE_DIM = 16;

/** The word the fixture tower maps onto cluster c's direction. */
export const clusterWord = (c: number) => wordForBucket(c, TEXT_DIM);

/** A tiny valid-looking JPEG (signature + filler): the fixture image encoder only reads byte values. */
export function fakeJpeg(seed = 1, n = 64): Uint8Array {
  const b = new Uint8Array(n);
  b.set([0xff, 0xd8, 0xff, 0xe0]);
  for (let i = 4; i < n; i++) b[i] = (i * 37 + seed * 101) & 255;
  return b;
}

export async function fixtureTower(f: Fixture): Promise<ContentTower> {
  const wt = new Float32Array(TEXT_DIM * f.dim);
  for (let c = 0; c < f.clusters; c++) wt[(c % TEXT_DIM) * f.dim + c] = 3; // bucket(clusterWord(c)) = c -> latent dim c
  const wi = new Float32Array(IMAGE_DIM * f.dim).map((_, i) => ((i * 7) % 5) * 0.01);
  return openContentTower(linearTowerOnnx({ text: { w: wt, dim: TEXT_DIM }, image: { w: wi, dim: IMAGE_DIM } }, f.dim), { device: 'cpu' });
}

/** Publishes the fixture with PQ codes (m = 4, k = 16) and builds the worker's live catalog over the store. */
export async function liveCatalogStack(store: KvStore, f: Fixture, opts: { fetchImage?: (url: string) => Promise<FetchedImage>; model?: LatentModel; tower?: ContentTower | null } = {}) {
  await publishFixture(store, f);
  const pq = pqToValues(trainPq(f.itemLatents, f.dim, { m: 4, k: 16, seed: 1 }), PQ_CODES_CHUNK);
  await store.setMany([[keys.pqCodebooks(f.version), encodeValue(PqCodebooks, pq.codebooks)], ...pq.codes.map((c, i) => [keys.pqCodes(f.version, i), encodeValue(PqCodes, c)] as [string, string])]);
  const model = opts.model ?? createLatentModel({ version: f.version, itemLatents: f.itemLatents, dim: f.dim });
  const live = new WorkerCatalog(store, model);
  const tower = opts.tower === undefined ? await fixtureTower(f) : opts.tower;
  const writer = new ItemWriter({
    catalog: live,
    tower,
    encoders: fixtureEncoders(TEXT_DIM, IMAGE_DIM),
    fetchImage: opts.fetchImage ?? (async (url) => Promise.reject(new Error(`no network in tests (${url})`))),
  });
  return { model, live, writer, tower };
}
