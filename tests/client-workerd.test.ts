// The typed client (@llmrec/client) runs in Cloudflare Workers: wrangler bundles it into a test Worker
// (test-support/workerd/client-worker.ts), which calls a real Node edge from inside workerd: events with
// generated ids (a resend is a duplicate), a session ranking that follows them, an item, a typed error.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot, startWranglerDev, type WranglerDev } from '../test-support/wrangler-dev.ts';
import { startFixtureEdge, type FixtureEdge } from './support/fixture-edge.ts';
import { API_KEY } from './support/harness.ts';

let edge: FixtureEdge;
let worker: WranglerDev;

beforeAll(async () => {
  edge = await startFixtureEdge();
  worker = await startWranglerDev(join(repoRoot, 'test-support/workerd/client-wrangler.toml'), 90_000);
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await edge?.close();
});

it('calls the edge from inside workerd', async () => {
  const r = await fetch(`${worker.url}/run?edge=${encodeURIComponent(edge.url)}&key=${API_KEY}`);
  const body = (await r.json()) as any;
  expect(r.status, JSON.stringify(body)).toBe(200);
  expect(body.events).toMatchObject({ accepted: 1, duplicates: 0 });
  expect(body.events.eventIds[0]).toMatch(/^e_[A-Za-z0-9_-]{22}$/);
  expect(body.resent).toMatchObject({ accepted: 0, duplicates: 1 });
  expect(body.recommend).toMatchObject({ source: 'worker', degraded: false });
  const ids = body.recommend.items.map((i: { id: string }) => i.id);
  expect(ids).not.toContain('2');
  for (const id of ids) expect(edge.fixture.clusterOf(Number(id) - 1)).toBe(1);
  expect(body.item.title).toBe(edge.fixture.titles[6]);
  expect(body.bad).toEqual({ status: 400, code: 'bad_request' });
}, 60_000);
