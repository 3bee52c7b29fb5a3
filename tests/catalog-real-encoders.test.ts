// The item API with the REAL frozen content encoders (the encoders package: USE-lite text, MobileNetV2 image, in
// onnxruntime) in front of a content tower of the contract's I/O: a new item with a real poster and plot is
// embedded from both modalities; an image whose signature passes but that cannot be decoded is a 400 naming the
// item, and nothing is written. Needs ../shared/data/ml-100k (posters); conversions are cached across runs.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageFrom, textFrom } from '@llmrec/gpu-worker/catalog/item-encoders.ts';
import { openContentTower } from '@llmrec/gpu-worker/catalog/content-tower.ts';
import { linearTowerOnnx } from '@llmrec/gpu-worker/catalog/fixture-tower.ts';
import { ItemWriter } from '@llmrec/gpu-worker/catalog/item-writer.ts';
import { createMobileNetEncoder } from '@llmrec/gpu-worker/encoders/mobilenet-encoder.ts';
import { posterPath, posterIds, SKIP_NO_ML100K, TEST_HOME } from '@llmrec/gpu-worker/encoders/real-inputs.test-helper.ts';
import { createUseLiteEncoder } from '@llmrec/gpu-worker/encoders/use-lite-encoder.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { bytesToBase64 } from '@llmrec/shared/base64.ts';
import { getTyped } from '@llmrec/shared/kv/typed.ts';
import { LiveItem } from '@llmrec/shared/kv/values.ts';
import { mulberry32 } from '@llmrec/shared/rng.ts';
import { makeFixture } from './support/catalog-fixture.ts';
import { makeHarness, type Harness } from './support/harness.ts';
import { liveCatalogStack } from './support/live-catalog.ts';

describe.skipIf(SKIP_NO_ML100K)('item API with the real content encoders', () => {
  const f = makeFixture();
  const store = createMemoryStore();
  let h: Harness;
  beforeAll(async () => {
    const text = await createUseLiteEncoder({ home: TEST_HOME });
    const image = await createMobileNetEncoder({ home: TEST_HOME });
    const rnd = mulberry32(5);
    const w = (d: number) => Float32Array.from({ length: d * f.dim }, () => (rnd() - 0.5) * 0.1);
    const tower = await openContentTower(linearTowerOnnx({ text: { w: w(text.ref.dim), dim: text.ref.dim }, image: { w: w(image.ref.dim), dim: image.ref.dim } }, f.dim), { device: 'cpu' });
    const stack = await liveCatalogStack(store, f, { tower });
    const writer = new ItemWriter({ catalog: stack.live, tower, encoders: { text: textFrom(text), image: imageFrom(image) }, fetchImage: () => Promise.reject(new Error('offline')) });
    h = makeHarness(store, f, { catalog: { live: stack.live, writer } });
  }, 120_000);

  it('embeds a new item from its real poster and plot; an unreadable image is a 400 and writes nothing', async () => {
    const poster = readFileSync(posterPath(posterIds(1)[0]!));
    const put = await h.call('PUT', '/v1/items', { items: [{ id: 'real1', title: 'A Night at the Harbour', description: 'A fisherman and his daughter search the fog-bound harbour for a missing ferry.', genres: ['Drama'], image: { base64: bytesToBase64(poster), contentType: 'image/jpeg' } }] });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    const rec = (await getTyped(store, LiveItem, keys.liveItem(f.version, 'real1')))!;
    expect(rec.embeddedWith, JSON.stringify(rec.embeddedWith)).toMatchObject({ text: 'use-lite', image: 'mobilenet-v2-nsfwjs' });
    expect(Object.keys(rec.features).sort()).toEqual(['image', 'text']);
    const r = await h.call('POST', '/v1/recommend', { userId: 'u1', candidates: ['real1', '2'], k: 2 });
    expect(r.json.items.map((i: { id: string }) => i.id)).toContain('real1');
    for (const it of r.json.items) expect(Number.isFinite(it.score)).toBe(true);

    const corrupt = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...Array.from({ length: 200 }, (_, i) => i % 7)]);
    const bad = await h.call('PUT', '/v1/items', { items: [{ id: 'ok2', title: 'Fine' }, { id: 'real2', title: 'Broken poster', image: { base64: bytesToBase64(corrupt) } }] });
    expect(bad.status).toBe(400);
    expect(bad.json.problems).toEqual([{ path: 'items.1.image', message: expect.stringMatching(/cannot be read.*corrupt JPEG/) }]);
    expect(await store.get(keys.liveItem(f.version, 'ok2'))).toBeNull();
  }, 120_000);
});
