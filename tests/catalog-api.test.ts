// The item API end to end through the edge app and the REAL worker app (in-process), a real ONNX content tower
// (fixture weights, contract I/O) and a real store: PUT -> the item is recommendable and explainable from the
// next request with no retraining; DELETE -> it never comes back (full ranking, candidates, cached and degraded
// answers); GET pages; bad input of every kind -> 4xx with the problems and nothing written.
import { beforeEach, describe, expect, it } from 'vitest';
import { ItemsPutResponse } from '@llmrec/shared/api/items.ts';
import { readLiveHead } from '@llmrec/shared/catalog/live.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { bytesToBase64 } from '@llmrec/shared/base64.ts';
import { WorkerCatalog } from '@llmrec/gpu-worker/catalog/live-state.ts';
import { createLatentModel } from '@llmrec/gpu-worker/model.ts';
import { createSession } from '@llmrec/gpu-worker/onnx/index.ts';
import { sumEncoderOnnx } from '@llmrec/gpu-worker/onnx/sum-encoder-onnx.ts';
import { makeFixture, type Fixture } from './support/catalog-fixture.ts';
import { coldContent } from '@llmrec/shared/catalog/cold-content.ts';
import { makeHarness, type Harness } from './support/harness.ts';
import { clusterWord, fakeJpeg, liveCatalogStack } from './support/live-catalog.ts';

const f: Fixture = makeFixture();
let h: Harness;
let store: ReturnType<typeof createMemoryStore>;
let stack: Awaited<ReturnType<typeof liveCatalogStack>>;

const newItem = (id: string, cluster: number, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Fresh arrival ${id}`,
  description: `${clusterWord(cluster)} `.repeat(6).trim(),
  genres: ['new', `g${cluster}`],
  image: { base64: bytesToBase64(fakeJpeg(cluster)), contentType: 'image/jpeg' },
  ...extra,
});

beforeEach(async () => {
  store = createMemoryStore();
  stack = await liveCatalogStack(store, f);
  h = makeHarness(store, f, { catalog: { live: stack.live, writer: stack.writer }, config: { catalog: { imageHosts: ['images.example.com'] } } });
});

describe('PUT /v1/items -> recommendable and explainable from the next request', () => {
  it('a new item (title + plot text + poster) comes back from recommend with a finite score and an explanation, within 1 s, no retraining', async () => {
    const pointerBefore = await store.get(keys.published());
    const put = await h.call('PUT', '/v1/items', { items: [newItem('n1', 0)] });
    const t0 = performance.now();
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    // Incremental: the published version is untouched (no republish), one live revision on top of it.
    expect(await store.get(keys.published())).toBe(pointerBefore);
    expect(put.json.version).toBe(f.version);
    expect((await readLiveHead(store, f.version))!.rev).toBe(1);
    expect(ItemsPutResponse.parse(put.json).items).toEqual([{ id: 'n1', idx: f.ids.length, status: 'created' }]);
    // u1's history is in cluster 0; candidates mix clusters: the new cluster-0 item must rank among cluster 0.
    const cands = ['2', '3', '5', '6', 'n1', '10'];
    const r = await h.call('POST', '/v1/recommend', { userId: 'u1', candidates: cands, k: 6, explain: true });
    const seconds = (performance.now() - t0) / 1000;
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.degraded).toBe(false);
    const ids = r.json.items.map((i: { id: string }) => i.id);
    expect(ids).toContain('n1');
    const n1 = r.json.items.find((i: { id: string }) => i.id === 'n1');
    expect(Number.isFinite(n1.score)).toBe(true);
    // Cluster of n1 = 0 (tower), like u1's history: it ranks above every candidate of clusters 1 and 2.
    const others = r.json.items.filter((i: { id: string }) => ['2', '3', '5', '6'].includes(i.id)).map((i: { rank: number }) => i.rank);
    expect(n1.rank).toBeLessThan(Math.min(...others));
    expect(n1.explanation.item).toEqual({ id: 'n1', title: 'Fresh arrival n1' });
    expect(n1.explanation.rationale.text.length).toBeGreaterThan(0);
    expect(n1.explanation.evidence.attributes.some((a: { kind: string; value: string }) => a.kind === 'genre' && a.value === 'g0'), JSON.stringify(n1.explanation)).toBe(true);
    expect(seconds).toBeLessThan(1);
    // ... and from full ranking, and for an anonymous session made of it.
    const full = await h.call('POST', '/v1/recommend', { userId: 'u1', k: 30 });
    expect(full.json.items.map((i: { id: string }) => i.id)).toContain('n1');
    const anon = await h.call('POST', '/v1/recommend', { recentItems: ['n1'], candidates: ['1', '2', '3'], k: 3 });
    expect(anon.status).toBe(200);
    expect(anon.json.items[0].id).toBe('1'); // a session of the new cluster-0 item: cluster 0's item 1 first
    // GET /v1/items/{id} and events on it work like for any item.
    const one = await h.call('GET', '/v1/items/n1');
    expect(one.json).toMatchObject({ id: 'n1', title: 'Fresh arrival n1', available: true, attributes: { genres: ['new', 'g0'], hasImage: true } });
    expect((await h.call('POST', '/v1/events', { eventId: 'e-n1', userId: 'u9', itemId: 'n1' })).json.accepted).toBe(1);
  });

  it('items created through the API are cold items: their score adds the content-profile term, warm scores do not move', async () => {
    await h.call('PUT', '/v1/items', { items: [newItem('n1', 0), newItem('n3', 1), newItem('n4', 2)] });
    const body = { userId: 'u1', candidates: ['n1', 'n3', 'n4', '2', '5'], k: 5 };
    const plain = await h.call('POST', '/v1/recommend', body);
    // The fixture has no content features: a stand-in content table for the published items, their latents with the
    // directions of clusters 0 and 1 swapped, so u1's content profile (history in cluster 0) points at cluster 1.
    const table = f.itemLatents.slice();
    for (let i = 0; i < f.ids.length; i++) [table[i * f.dim], table[i * f.dim + 1]] = [table[i * f.dim + 1]!, table[i * f.dim]!];
    const cold = { content: coldContent(table, f.dim, 8), publishedCold: new Int32Array() };
    const h2 = makeHarness(store, f, { catalog: { live: stack.live, writer: stack.writer }, cold });
    const mixed = await h2.call('POST', '/v1/recommend', body);
    expect(plain.status).toBe(200);
    expect(mixed.status, JSON.stringify(mixed.json)).toBe(200);
    const by = (r: typeof plain) => Object.fromEntries(r.json.items.map((i: { id: string; score: number }) => [i.id, i.score]));
    const [p, m] = [by(plain), by(mixed)];
    expect(m['2']).toBeCloseTo(p['2'], 5);
    expect(m['5']).toBeCloseTo(p['5'], 5);
    // z_u alone puts the cluster-0 item n1 first among the new items; the content profile puts n3 (cluster 1) first
    expect(p['n1']).toBeGreaterThan(p['n3']);
    expect(m['n3']).toBeGreaterThan(m['n1']);
    // calibrated: the new items keep the mean of their plain scores
    expect((m['n1'] + m['n3'] + m['n4']) / 3).toBeCloseTo((p['n1'] + p['n3'] + p['n4']) / 3, 4);
    // an item created after this worker has scored (it caches the cold set per live-catalog change) is cold too:
    // scored with the same term as n3, described the same way
    await h2.call('PUT', '/v1/items', { items: [newItem('n5', 1)] });
    const later = by(await h2.call('POST', '/v1/recommend', { ...body, candidates: [...body.candidates, 'n5'], k: 6 }));
    expect(later['n5']).toBeGreaterThan(later['n1']);
  });

  it('changes re-embed, identical content changes nothing, and another worker picks the item up from KV', async () => {
    await h.call('PUT', '/v1/items', { items: [newItem('n2', 1)] });
    const rev1 = (await readLiveHead(store, f.version))!.rev;
    const same = await h.call('PUT', '/v1/items', { items: [newItem('n2', 1)] });
    expect(same.json.items[0].status).toBe('unchanged');
    expect(same.json.rev).toBe(rev1);
    // u2 is a cluster-1 user: n2 (cluster 1) first; described as cluster 2 instead, it falls behind cluster-1 items.
    const before = await h.call('POST', '/v1/recommend', { userId: 'u2', candidates: ['n2', '8', '9'], k: 3 });
    expect(before.json.items[0].id).toBe('n2');
    const upd = await h.call('PUT', '/v1/items', { items: [newItem('n2', 2)] });
    expect(upd.json.items[0].status).toBe('updated');
    const after = await h.call('POST', '/v1/recommend', { userId: 'u2', candidates: ['n2', '8'], k: 2 });
    expect(after.json.items[0].id).toBe('8'); // item 8 (idx 7) is cluster 1
    // A second worker process over the same store: syncs from KV when a request names the new index.
    const other = new WorkerCatalog(store, stack.model);
    await other.ensure(f.ids.length);
    expect(other.items).toBe(f.ids.length + 1);
    expect(other.indexOf('n2')).toBe(f.ids.length);
    const z = other.scoring().latents.subarray(f.ids.length * f.dim, (f.ids.length + 1) * f.dim);
    expect(z[2]).toBeGreaterThan(z[1]!); // the updated (cluster-2) latent, not the first one
  });
});

describe('DELETE /v1/items/{id} -> never comes back', () => {
  it('hidden from candidates, full ranking, cached rankings and degraded answers at once', async () => {
    // Item 31 (idx 30) is cluster 0 (u1's cluster) and the most popular is the last id ("60", cluster 2).
    const first = await h.call('POST', '/v1/recommend', { userId: 'u1', k: 5 });
    const top = first.json.items[0].id as string; // now cached for u1 (degraded answers use it)
    await new Promise((r) => setTimeout(r, 10)); // the cache write runs in the background
    const del = await h.call('DELETE', `/v1/items/${top}`);
    expect(del.status, JSON.stringify(del.json)).toBe(200);
    expect(del.json.status).toBe('hidden');
    const full = await h.call('POST', '/v1/recommend', { userId: 'u1', k: 40 });
    expect(full.json.items.map((i: { id: string }) => i.id)).not.toContain(top);
    const cand = await h.call('POST', '/v1/recommend', { userId: 'u1', candidates: [top, '2', '3'], k: 3 });
    expect(cand.json.items.map((i: { id: string }) => i.id)).not.toContain(top);
    expect(cand.json.items.length).toBe(2);
    h.setWorker('down');
    const cached = await h.call('POST', '/v1/recommend', { userId: 'u1', k: 5 });
    expect(cached.json).toMatchObject({ degraded: true, source: 'cache' });
    expect(cached.json.items.map((i: { id: string }) => i.id)).not.toContain(top);
    // Popular fallback (anonymous: no cache): hide the most popular item and it is gone from it too.
    expect((await h.call('DELETE', `/v1/items/${f.popular[0]}`)).status).toBe(503); // the write needs the worker
    h.setWorker('up');
    expect((await h.call('DELETE', `/v1/items/${f.popular[0]}`)).status).toBe(200);
    h.setWorker('down');
    const pop = await h.call('POST', '/v1/recommend', { recentItems: ['1'], k: 5 });
    expect(pop.json).toMatchObject({ degraded: true, source: 'popular' });
    expect(pop.json.items.map((i: { id: string }) => i.id)).not.toContain(f.popular[0]);
    expect(pop.json.items.map((i: { id: string }) => i.id)).toContain(f.popular[1]);
    h.setWorker('up');
    // Listed as hidden, and PUT with available: true brings it back.
    expect((await h.call('GET', `/v1/items/${top}`)).json.available).toBe(false);
    const again = await h.call('DELETE', `/v1/items/${top}`);
    expect(again.json.status).toBe('unchanged');
  });

  it('a new item deleted right after creation is never recommended; PUT available: true restores it', async () => {
    await h.call('PUT', '/v1/items', { items: [newItem('n3', 0)] });
    await h.call('DELETE', '/v1/items/n3');
    const r = await h.call('POST', '/v1/recommend', { userId: 'u1', candidates: ['n3', '2'], k: 2 });
    expect(r.json.items.map((i: { id: string }) => i.id)).toEqual(['2']);
    const back = await h.call('PUT', '/v1/items', { items: [newItem('n3', 0)] });
    expect(back.json.items[0].status).toBe('restored');
    const r2 = await h.call('POST', '/v1/recommend', { userId: 'u1', candidates: ['n3', '2'], k: 2 });
    expect(r2.json.items.map((i: { id: string }) => i.id)).toEqual(['n3', '2']);
  });
});

describe('GET /v1/items', () => {
  it('pages through every item exactly once, new and hidden ones included', async () => {
    await h.call('PUT', '/v1/items', { items: [newItem('n4', 0), newItem('n5', 1)] });
    await h.call('DELETE', '/v1/items/7');
    const seen: { id: string; available: boolean; source: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await h.call('GET', `/v1/items?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      seen.push(...r.json.items);
      cursor = r.json.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil((f.ids.length + 2) / 7));
    expect(seen.map((s) => s.id)).toEqual([...f.ids, 'n4', 'n5']);
    expect(seen.find((s) => s.id === '7')!.available).toBe(false);
    expect(seen.find((s) => s.id === 'n5')).toMatchObject({ available: true, source: 'api' });
    expect((await h.call('GET', '/v1/items?cursor=zz_nope')).status).toBe(400);
    expect((await h.call('GET', '/v1/items?limit=501')).status).toBe(400);
  });
});

describe('bad input -> 4xx with the problems, nothing written', () => {
  const rejected = async (body: unknown, status: number, path: RegExp) => {
    const revBefore = (await readLiveHead(store, f.version))?.rev ?? 0;
    const r = await h.call('PUT', '/v1/items', body);
    expect(r.status, JSON.stringify(r.json)).toBe(status);
    expect(JSON.stringify(r.json.problems ?? r.json)).toMatch(path);
    expect((await readLiveHead(store, f.version))?.rev ?? 0).toBe(revBefore);
    return r;
  };

  it('unknown fields, oversize batches, missing titles, bad ids', async () => {
    await rejected({ items: [{ ...newItem('b1', 0), colour: 'red' }] }, 400, /items\.0/);
    await rejected({ items: Array.from({ length: 501 }, (_, i) => ({ id: `x${i}`, title: 't' })) }, 400, /items/);
    await rejected({ items: [{ id: 'b2' }] }, 400, /items\.0\.title/);
    await rejected({ items: [{ id: 'bad id!', title: 't' }] }, 400, /items\.0\.id/);
    await rejected({ items: [newItem('b3', 0), newItem('b3', 1)] }, 400, /items\.1\.id.*twice/);
    await rejected({ items: [] }, 400, /items/);
  });

  it('bad images and forbidden URLs fail the whole batch (the good item is not written)', async () => {
    const good = newItem('ok1', 0);
    await rejected({ items: [good, { ...newItem('b4', 0), image: { base64: bytesToBase64(new TextEncoder().encode('<svg></svg>')) } }] }, 400, /items\.1\.image.*not a JPEG/);
    await rejected({ items: [good, { ...newItem('b5', 0), image: { base64: bytesToBase64(fakeJpeg()), contentType: 'image/png' } }] }, 400, /items\.1\.image.*declared image\/png/);
    await rejected({ items: [good, { ...newItem('b6', 0), image: { url: 'http://images.example.com/a.jpg' } }] }, 400, /only https/);
    await rejected({ items: [good, { ...newItem('b7', 0), image: { url: 'https://169.254.169.254/latest' } }] }, 400, /not a public address/);
    await rejected({ items: [good, { ...newItem('b8', 0), image: { url: 'https://evil.example.net/a.jpg' } }] }, 400, /not in the configured image hosts/);
    await rejected({ items: [good, { ...newItem('b9', 0), image: { url: 'https://images.example.com/a.jpg' } }] }, 400, /items\.1\.image.*no network in tests/); // passed the edge, refused by the worker's fetch
    expect((await h.call('GET', '/v1/items/ok1')).status).toBe(404);
  });

  it('unknown ids, wrong content type, too large bodies', async () => {
    expect((await h.call('DELETE', '/v1/items/nope')).status).toBe(404);
    expect((await h.call('GET', '/v1/items/nope')).status).toBe(404);
    const txt = await h.call('PUT', '/v1/items', JSON.stringify({ items: [newItem('c1', 0)] }), { 'content-type': 'text/plain' });
    expect(txt.status).toBe(415);
    const big = await h.call('PUT', '/v1/items', { items: [{ ...newItem('c2', 0), description: 'x'.repeat(20_001) }] });
    expect(big.status).toBe(400);
  });

  it('without a content tower, creating items is refused with a reason (hiding still works)', async () => {
    const s2 = createMemoryStore();
    const st = await liveCatalogStack(s2, f, { tower: null });
    const h2 = makeHarness(s2, f, { catalog: { live: st.live, writer: st.writer } });
    const r = await h2.call('PUT', '/v1/items', { items: [newItem('t1', 0)] });
    expect(r.status).toBe(503);
    expect(r.json).toMatchObject({ error: 'no_content_tower' });
    expect((await h2.call('DELETE', '/v1/items/1')).status).toBe(200);
    expect(await s2.get(keys.liveItem(f.version, 't1'))).toBeNull();
  });
});

describe('retrieval over a large catalog (edge PQ + the worker z_u)', () => {
  it("the edge's ADC query is the worker's z_u, API-created items are retrieved, hidden ones never", async () => {
    // The worker's user encoder (a real ONNX graph) maps each history item to the NEXT cluster's direction: its
    // z_u points away from the history's own cluster, where a mean-of-history query would point.
    const shifted = new Float32Array(f.itemLatents.length);
    for (let i = 0; i < f.ids.length; i++) shifted[i * f.dim + ((f.clusterOf(i) + 1) % f.clusters)] = 1;
    const session = await createSession(sumEncoderOnnx(shifted, f.dim), { device: 'cpu' });
    const model = createLatentModel({ version: f.version, itemLatents: f.itemLatents, dim: f.dim, encoder: { session, input: 'history', output: 'user_latent', maxlen: 50 } });
    const s2 = createMemoryStore();
    const st = await liveCatalogStack(s2, f, { model });
    const h2 = makeHarness(s2, f, { model, catalog: { live: st.live, writer: st.writer }, config: { retrieval: { minItems: 0, depth: 20 } } });
    await h2.call('PUT', '/v1/items', { items: [newItem('r1', 1)] }); // a new item of cluster 1
    await h2.call('DELETE', '/v1/items/2'); // a cluster-1 item
    const r = await h2.call('POST', '/v1/recommend', { userId: 'u1', k: 5 }); // u1: cluster 0 history -> z_u on cluster 1
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const cands = h2.lastScoreRequest()!.prompt.candidates!;
    expect(cands.length).toBe(20); // cluster 1 has 20 items, one of them hidden: 19 + r1
    expect(cands.map((c) => c.idx)).toContain(f.ids.length); // r1, created through the API
    expect(cands.every((c) => c.idx === f.ids.length || f.clusterOf(c.idx) === 1)).toBe(true);
    expect(cands.map((c) => c.idx)).not.toContain(1); // item '2' is hidden
    expect(r.json.items.map((i: { id: string }) => i.id)).not.toContain('2');
    // marked as a retrieval shortlist (the worker adds the cold items retrieval cannot see); a caller's list is not
    expect(h2.lastScoreRequest()!.shortlist).toBe(true);
    await h2.call('POST', '/v1/recommend', { userId: 'u1', candidates: ['3', '4'], k: 2 });
    expect(h2.lastScoreRequest()!.shortlist).toBeUndefined();
  });
});

describe('OpenAPI document', () => {
  it('documents the item and user routes from the same zod schemas', async () => {
    const doc = (await h.call('GET', '/openapi.json')).json;
    expect(Object.keys(doc.paths['/v1/items']).sort()).toEqual(['get', 'put']);
    expect(Object.keys(doc.paths['/v1/items/{id}']).sort()).toEqual(['delete', 'get']);
    expect(Object.keys(doc.paths['/v1/users/{id}'])).toEqual(['delete']);
    const put = doc.paths['/v1/items'].put;
    expect(put.requestBody.content['application/json'].schema.properties.items.maxItems).toBe(500);
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '409', '413', '503']));
    expect(doc.paths['/v1/items'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['cursor', 'limit']);
  });
});
