// The Gorse-compatible subset driven by Gorse's own JavaScript client (gorsejs, axios over HTTP) against a
// real Node edge: feedback lands in the event log and the user's history, recommend follows it, items read, and
// items written (POST /api/item[s], DELETE /api/item/{id}) through the item API's use case.
import { Gorse } from 'gorsejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureEdge, type FixtureEdge } from '../../../tests/support/fixture-edge.ts';
import { API_KEY } from '../../../tests/support/harness.ts';
import { clusterWord } from '../../../tests/support/live-catalog.ts';

let edge: FixtureEdge;
let gorse: Gorse<string>;

beforeAll(async () => {
  edge = await startFixtureEdge();
  gorse = new Gorse({ endpoint: edge.url, secret: API_KEY });
});
afterAll(() => edge?.close());

describe('Gorse API subset through gorsejs', () => {
  it('GET /api/recommend/{user}: the same ranking as /v1/recommend, n and offset honoured', async () => {
    const ids = await gorse.getRecommend({ userId: 'u1', cursorOptions: { n: 5 } });
    const v1 = await fetch(`${edge.url}/v1/recommend`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'u1', k: 5 }) }).then((r) => r.json());
    expect(ids).toEqual(v1.items.map((i: { id: string }) => i.id));
    expect(await gorse.getRecommend({ userId: 'u1', cursorOptions: { n: 2, offset: 3 } })).toEqual(ids.slice(3, 5));
    // Unknown users get non-personalised items, as Gorse does.
    expect(await gorse.getRecommend({ userId: 'nobody', cursorOptions: { n: 3 } })).toEqual(edge.fixture.popular.slice(0, 3));
  });

  it('POST /api/feedback: events are ingested (idempotently) and move the next recommendation', async () => {
    const fb = [
      { FeedbackType: 'star', UserId: 'g1', ItemId: '2', Timestamp: '2024-05-01T12:00:00Z' },
      { FeedbackType: 'click', UserId: 'g1', ItemId: '5', Timestamp: '2024-05-01T12:01:00Z' },
    ];
    expect(await gorse.insertFeedbacks(fb)).toBe(2);
    expect(await gorse.insertFeedbacks(fb)).toBe(0); // the same feedback again: duplicates, not new events
    const ids = await gorse.getRecommend({ userId: 'g1', cursorOptions: { n: 4 } });
    expect(ids).not.toContain('2');
    expect(ids).not.toContain('5');
    for (const id of ids) expect(edge.fixture.clusterOf(Number(id) - 1)).toBe(1); // items 2 and 5 are cluster 1
  });

  it('GET /api/item/{id}: catalog metadata in Gorse’s item shape', async () => {
    const item = await gorse.getItem('7');
    expect(item).toMatchObject({ ItemId: '7', IsHidden: false, Categories: ['g0'], Comment: edge.fixture.titles[6] });
  });

  it('refuses bad feedback with 400 and a wrong key with 401; item writes without a catalog worker get 503', async () => {
    // Gorse clients show the server's text: errors under /api are the API's message and problems as text.
    await expect(gorse.insertFeedbacks([{ FeedbackType: 'teleport', UserId: 'g1', ItemId: '2', Timestamp: '' }])).rejects.toMatchObject({ code: 400, message: expect.stringContaining('0.FeedbackType: feedback types: view, click') });
    await expect(gorse.insertFeedbacks([{ FeedbackType: 'click', UserId: 'g1', ItemId: 'no-such-item', Timestamp: '' }])).rejects.toMatchObject({ code: 400, message: expect.stringContaining('0.itemId: unknown item id "no-such-item"') });
    await expect(new Gorse({ endpoint: edge.url, secret: 'wrong-key-0123456789' }).getItem('7')).rejects.toMatchObject({ code: 401, message: 'unknown API key' });
    // A worker without the item API (this edge's) cannot take writes: 503, nothing written.
    await expect(gorse.upsertItem({ ItemId: 'new', IsHidden: false, Timestamp: new Date() })).rejects.toMatchObject({ code: 503, message: expect.stringContaining('nothing was written') });
  });
});

describe('Gorse item writes through gorsejs: the item API use case (embedded by the content tower, served at once)', () => {
  let cat: FixtureEdge;
  let g: Gorse<string>;
  beforeAll(async () => {
    cat = await startFixtureEdge({ catalog: true });
    g = new Gorse({ endpoint: cat.url, secret: API_KEY });
  });
  afterAll(() => cat?.close());
  const recommended = () => g.getRecommend({ userId: 'u1', cursorOptions: { n: 20 } });

  it('upsertItem creates an item that the next recommendation ranks; getItem reads it back; resending it changes nothing', async () => {
    const c0 = clusterWord(0); // the fixture tower maps this word onto cluster 0, u1's cluster
    const item = { ItemId: 'gz1', Comment: `Harbour lights ${c0}`, Categories: ['g0'], Labels: [c0, c0, c0], IsHidden: false, Timestamp: new Date('2024-03-05T10:00:00Z') };
    expect(await recommended()).not.toContain('gz1');
    expect(await g.upsertItem(item)).toBe(1);
    expect(await recommended()).toContain('gz1');
    expect(await g.getItem('gz1')).toEqual({ ItemId: 'gz1', IsHidden: false, Categories: ['g0'], Labels: [c0, c0, c0], Comment: `Harbour lights ${c0}`, Timestamp: '2024-01-01T00:00:00Z' });
    const v1 = await fetch(`${cat.url}/v1/items/gz1`, { headers: { authorization: `Bearer ${API_KEY}` } }).then((r) => r.json());
    expect(v1).toMatchObject({ id: 'gz1', title: `Harbour lights ${c0}`, available: true, attributes: { genres: ['g0'], year: 2024 } });
    expect(await g.upsertItem(item)).toBe(0);
  });

  it('IsHidden and deleteItem hide the item from recommendations; upsertItems writes a batch', async () => {
    const c0 = clusterWord(0);
    const item = { ItemId: 'gz2', Comment: `Fog bell ${c0}`, Labels: [c0, c0, c0], IsHidden: false, Timestamp: new Date() };
    expect(await g.upsertItem(item)).toBe(1);
    expect(await recommended()).toContain('gz2');
    expect(await g.upsertItem({ ...item, IsHidden: true })).toBe(1);
    expect((await g.getItem('gz2')).IsHidden).toBe(true);
    expect(await recommended()).not.toContain('gz2');
    expect(await g.upsertItem(item)).toBe(1); // shown again
    expect(await recommended()).toContain('gz2');
    expect(await g.deleteItem('gz2')).toBe(1);
    expect((await g.getItem('gz2')).IsHidden).toBe(true);
    expect(await recommended()).not.toContain('gz2');
    expect(await g.deleteItem('gz2')).toBe(0);
    expect(await g.upsertItems([{ ItemId: 'gz3', Comment: 'Third', IsHidden: false, Timestamp: new Date() }, { ItemId: 'gz4', IsHidden: false, Timestamp: new Date() }])).toBe(2);
    expect((await g.getItem('gz4')).Comment).toBe('gz4'); // no Comment: the id is the title
  });

  it('updateItem hides an item (IsHidden); other partial writes and category edits are refused with what to send, and change nothing', async () => {
    const c0 = clusterWord(0);
    const item = { ItemId: 'gz5', Comment: `Lantern ${c0}`, Labels: [c0, c0, c0], IsHidden: false, Timestamp: new Date() };
    expect(await g.upsertItem(item)).toBe(1);
    expect(await recommended()).toContain('gz5');
    await expect(g.updateItem('gz5', { Comment: 'Renamed' } as never)).rejects.toMatchObject({ code: 400, message: expect.stringContaining('POST /api/item') });
    await expect(g.updateItem('gz5', { IsHidden: false } as never)).rejects.toMatchObject({ code: 400 });
    await expect(g.updateItem('gz5', { ItemId: 'other', IsHidden: true } as never)).rejects.toMatchObject({ code: 400 });
    await expect(g.insertItemCategory('gz5', 'g1')).rejects.toMatchObject({ code: 400, message: expect.stringContaining('Categories') });
    await expect(g.deleteItemCategory('gz5', 'g0')).rejects.toMatchObject({ code: 400 });
    expect((await g.getItem('gz5')).Comment).toBe(`Lantern ${c0}`); // nothing half-applied
    expect(await recommended()).toContain('gz5');
    expect(await g.updateItem('gz5', { IsHidden: true } as never)).toBe(1);
    expect((await g.getItem('gz5')).IsHidden).toBe(true);
    expect(await recommended()).not.toContain('gz5');
    expect(await g.updateItem('gz5', { ItemId: 'gz5', IsHidden: true } as never)).toBe(0);
    await expect(g.updateItem('gz9', { IsHidden: true } as never)).rejects.toMatchObject({ code: 404 });
  });

  it('bad items get a 400 with the problems and write nothing; unknown ids a 404', async () => {
    const post = (body: unknown) => fetch(`${cat.url}/api/item`, { method: 'POST', headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await post({ ItemId: 'gz9', Timestamp: 'last tuesday', IsHidden: false });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Timestamp: expected an RFC 3339 time');
    const unknown = await post({ ItemId: 'gz9', Title: 'not a Gorse field' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/Title|unrecognized/i);
    await expect(g.getItem('gz9')).rejects.toMatchObject({ code: 404 });
    await expect(g.deleteItem('gz9')).rejects.toMatchObject({ code: 404 });
  });
});
