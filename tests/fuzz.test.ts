// Property-based fuzzing of every route through app.request (no server): whatever the body, headers or path,
// the edge answers < 500, and every non-2xx body is the documented ErrorBody. >= 1,000 cases per route in CI
// (LLMREC_FUZZ_RUNS raises it, e.g. for a longer run).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, EventsResponse, RecommendResponse } from '@llmrec/shared/api/http.ts';
import { keys, PQ_CODES_CHUNK } from '@llmrec/shared/kv/keys.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { pqToValues } from '@llmrec/shared/kv/pq-values.ts';
import { trainPq } from '@llmrec/shared/pq/train.ts';
import { encodeValue } from '@llmrec/shared/kv/typed.ts';
import { PqCodebooks, PqCodes } from '@llmrec/shared/kv/values.ts';
import { makeFixture, publishFixture } from './support/catalog-fixture.ts';
import { API_KEY, makeHarness, type Harness } from './support/harness.ts';

const RUNS = Number(process.env.LLMREC_FUZZ_RUNS ?? 1000);
/** Per-test time budget, scaled with the number of cases (about 1-3 ms per case on the 2-core box). */
const TIMEOUT = Math.max(60_000, RUNS * 20);
const f = makeFixture();
let h: Harness;

beforeAll(async () => {
  const store = createMemoryStore();
  await publishFixture(store, f);
  const pq = pqToValues(trainPq(f.itemLatents, f.dim, { m: 4, k: 16, seed: 1 }), PQ_CODES_CHUNK);
  await store.setMany([[keys.pqCodebooks(f.version), encodeValue(PqCodebooks, pq.codebooks)], ...pq.codes.map((c, i) => [keys.pqCodes(f.version, i), encodeValue(PqCodes, c)] as [string, string])]);
  h = makeHarness(store, f, { config: { rateLimit: { requests: 1_000_000, windowSec: 60 } } });
});

const knownItem = fc.constantFrom(...f.ids);
const someId = fc.oneof(knownItem, fc.string({ maxLength: 80 }), fc.constantFrom('u1', 'u2', 'u3', 'ghost', '', ' ', '../x', '%00', 'a'.repeat(65)));
const anyValue = fc.oneof(fc.anything({ maxDepth: 3 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 30 }));
const idList = fc.array(fc.oneof(someId, anyValue), { maxLength: 40 });

/** Bodies near the schema (so validation paths past the first check get exercised) and far from it. */
const recommendBody = fc.oneof(
  fc.record(
    { userId: fc.oneof(someId, anyValue), recentItems: fc.oneof(idList, anyValue), candidates: fc.oneof(idList, anyValue), k: fc.oneof(fc.integer({ min: -5, max: 200 }), anyValue), excludeSeen: fc.oneof(fc.boolean(), anyValue) },
    { requiredKeys: [] },
  ),
  fc.record({ userId: fc.constantFrom('u1', 'u2', 'u3'), k: fc.integer({ min: 1, max: 100 }), candidates: fc.array(knownItem, { minLength: 1, maxLength: 20 }) }, { requiredKeys: ['userId'] }),
  fc.record({ recentItems: fc.array(knownItem, { minLength: 1, maxLength: 20 }), k: fc.integer({ min: 1, max: 100 }), excludeSeen: fc.boolean() }, { requiredKeys: ['recentItems'] }),
  anyValue,
);

const event = fc.record(
  { eventId: fc.oneof(fc.stringMatching(/^[a-z0-9]{1,12}$/), anyValue), userId: someId, itemId: fc.oneof(knownItem, someId), type: fc.oneof(fc.constantFrom('view', 'click', 'rating', 'purchase', 'like'), anyValue), ts: fc.oneof(fc.integer({ min: 0, max: 2e12 }), anyValue) },
  { requiredKeys: [] },
);
const eventsBody = fc.oneof(event, fc.record({ events: fc.oneof(fc.array(event, { maxLength: 30 }), anyValue) }), anyValue);

/** Raw body text: valid JSON of the body, or broken JSON / non-JSON text. */
const rawBody = (body: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 4, arbitrary: body.map((b) => JSON.stringify(b) ?? 'null') },
    { weight: 1, arbitrary: body.map((b) => (JSON.stringify(b) ?? 'null').slice(0, -1)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );
const headers = fc.record({
  ct: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', '', 'application/x-www-form-urlencoded'),
  auth: fc.constantFrom(`Bearer ${API_KEY}`, `Bearer ${API_KEY}`, `Bearer ${API_KEY}`, '', 'Bearer', 'Basic abc', `bearer ${API_KEY}x`),
});

async function send(method: string, path: string, body: string | undefined, hd: { ct: string; auth: string }) {
  const res = await h.app.request(path, { method, headers: { ...(hd.ct ? { 'content-type': hd.ct } : {}), ...(hd.auth ? { authorization: hd.auth } : {}) }, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  expect(res.status, `${method} ${path} ${body?.slice(0, 200)} -> ${text.slice(0, 300)}`).toBeLessThan(500);
  const json = JSON.parse(text);
  if (res.status >= 400) expect(ErrorBody.safeParse(json).success, text).toBe(true);
  return { status: res.status, json };
}

describe(`fuzzing (${RUNS} cases per route)`, () => {
  it('POST /v1/recommend never 5xx; 200 bodies match the schema', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody(recommendBody), headers, async (body, hd) => {
        const r = await send('POST', '/v1/recommend', body, hd);
        if (r.status === 200) expect(RecommendResponse.safeParse(r.json).success).toBe(true);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('POST /v1/events never 5xx; duplicates are idempotent', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody(eventsBody), headers, async (body, hd) => {
        const r = await send('POST', '/v1/events', body, hd);
        if (r.status === 200) {
          expect(EventsResponse.safeParse(r.json).success).toBe(true);
          const again = await send('POST', '/v1/events', body, hd);
          expect(again.json.accepted).toBe(0);
        }
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('POST /v1/explain never 5xx', async () => {
    const explainBody = fc.oneof(
      fc.record({ userId: fc.oneof(someId, anyValue), itemId: fc.oneof(someId, anyValue), itemIds: fc.oneof(idList, anyValue), history: fc.oneof(idList, anyValue), minCoUsers: fc.oneof(fc.integer({ min: -2, max: 2000 }), anyValue) }, { requiredKeys: [] }),
      fc.record({ userId: fc.constantFrom('u1', 'u2', 'u3', 'ghost'), itemIds: fc.array(knownItem, { minLength: 1, maxLength: 10 }) }),
      anyValue,
    );
    await fc.assert(
      fc.asyncProperty(rawBody(explainBody), headers, async (body, hd) => {
        await send('POST', '/v1/explain', body, hd);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('GET /v1/items/:id never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(knownItem, fc.string({ maxLength: 100 })), headers, async (id, hd) => {
        const r = await send('GET', `/v1/items/${encodeURIComponent(id)}`, undefined, hd);
        if (r.status === 200) expect(r.json.id).toBe(id);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('health, readiness, docs and unknown paths never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/healthz', '/readyz', '/openapi.json', '/nope', '/v1/nope', '/v1/recommend'), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), headers, async (path, method, hd) => {
        const res = await h.app.request(path, { method, headers: { 'content-type': hd.ct, authorization: hd.auth } });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});
