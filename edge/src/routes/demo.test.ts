// /demo, its scripts, and /media/items/{id} through app.request(): the page embeds only a publishable key
// allowed on the edge's own origin, forbids loading anything from elsewhere (CSP), the widget bundle is
// loadable cross-origin, and images come only from the files the dataset names.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { makeFixture } from '../../../tests/support/catalog-fixture.ts';
import { makeHarness } from '../../../tests/support/harness.ts';
import { fileItemImages } from '../web/item-images-node.ts';

const f = makeFixture();
const SELF_PK = 'pk_self_0123456789abcdef';
const SHOP_PK = 'pk_shop_0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'llmrec-media-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('GET /demo', () => {
  it('embeds the key allowed on this origin, never another site’s, and allows nothing from elsewhere', async () => {
    const h = makeHarness(createMemoryStore(), f, { config: { publishableKeys: [{ key: SHOP_PK, origins: ['https://shop.example'] }, { key: SELF_PK, origins: ['self'] }] } });
    const r = await h.app.request('/demo');
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain(`api-key="${SELF_PK}"`);
    expect(html).not.toContain(SHOP_PK);
    expect(html).not.toMatch(/(src|href)="https?:/); // no third-party assets
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('explains how to configure a key when none is allowed on this origin', async () => {
    const h = makeHarness(createMemoryStore(), f, { config: { publishableKeys: [{ key: SHOP_PK, origins: ['https://shop.example'] }] } });
    const html = await (await h.app.request('/demo')).text();
    expect(html).not.toContain('<llmrec-recommendations');
    expect(html).toContain('LLMREC_PUBLISHABLE_KEYS');
  });

  it('serves the widget bundle and page script to any origin', async () => {
    const h = makeHarness(createMemoryStore(), f);
    for (const path of ['/demo/widget.js', '/demo/demo.js']) {
      const r = await h.app.request(path, { headers: { origin: 'https://shop.example' } });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/javascript');
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
    }
  });
});

describe('GET /media/items/{id}', () => {
  it('answers the dataset’s image files with their type, 404 for items without one', async () => {
    const jpg = join(dir, '7.jpg');
    writeFileSync(jpg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    const h = makeHarness(createMemoryStore(), f, { deps: { itemImages: fileItemImages(new Map([['7', jpg], ['8', join(dir, 'missing.jpg')], ['9', join(dir, 'notes.txt')]])) } });
    const r = await h.app.request('/media/items/7');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/jpeg');
    expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    for (const id of ['8', '9', '10']) expect((await h.app.request(`/media/items/${id}`)).status).toBe(404);
    expect((await h.app.request('/media/items/..%2F..%2Fetc%2Fpasswd')).status).toBe(400);
  });

  it('answers 404 where no image store is configured (Workers)', async () => {
    const r = await makeHarness(createMemoryStore(), f).app.request('/media/items/7');
    expect(r.status).toBe(404);
    expect((await r.json()).error).toBe('no_image');
  });
});
