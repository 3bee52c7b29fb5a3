// The Gorse-compatible subset driven by Gorse's own JavaScript client (gorsejs, axios over HTTP) against a
// real Node edge: feedback lands in the event log and the user's history, recommend follows it, items read.
import { Gorse } from 'gorsejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureEdge, type FixtureEdge } from '../../../tests/support/fixture-edge.ts';
import { API_KEY } from '../../../tests/support/harness.ts';

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

  it('refuses bad feedback with 400 and a wrong key with 401; item writes say they are not available', async () => {
    // Gorse clients show the server's text: errors under /api are the API's message and problems as text.
    await expect(gorse.insertFeedbacks([{ FeedbackType: 'teleport', UserId: 'g1', ItemId: '2', Timestamp: '' }])).rejects.toMatchObject({ code: 400, message: expect.stringContaining('0.FeedbackType: feedback types: view, click') });
    await expect(gorse.insertFeedbacks([{ FeedbackType: 'click', UserId: 'g1', ItemId: 'no-such-item', Timestamp: '' }])).rejects.toMatchObject({ code: 400, message: expect.stringContaining('0.itemId: unknown item id "no-such-item"') });
    await expect(new Gorse({ endpoint: edge.url, secret: 'wrong-key-0123456789' }).getItem('7')).rejects.toMatchObject({ code: 401, message: 'unknown API key' });
    await expect(gorse.upsertItem({ ItemId: 'new', IsHidden: false, Timestamp: new Date() })).rejects.toMatchObject({ code: 501, message: expect.stringContaining('item writes are not available') });
  });
});
