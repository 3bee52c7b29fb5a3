// POST /v1/explain end to end: the edge app over a store with a published catalogue, the REAL worker app (its
// ONNX user encoder, and the stories260K LLM when present): attribution evidence, faithfulness and `source`,
// privacy (co-user threshold k as a floor, no user ids), and the baseline when the worker is down.
import { beforeAll, describe, expect, it } from 'vitest';
import { tanhEncoderOnnx } from '@llmrec/gpu-worker/attribution/attribution.test-helper.ts';
import { loadModel } from '@llmrec/gpu-worker/llm/model/load-model.ts';
import { loadProjectors } from '@llmrec/gpu-worker/llm/rank/projectors.ts';
import { tinyProjectors } from '@llmrec/gpu-worker/llm/rank/tiny-projectors.test-helper.ts';
import { LlmService } from '@llmrec/gpu-worker/llm/serve/llm-service.ts';
import { convertedStories, stories260KDir } from '@llmrec/gpu-worker/llm/test-model.test-helper.ts';
import { createLatentModel, type LatentModel } from '@llmrec/gpu-worker/model.ts';
import { createSession } from '@llmrec/gpu-worker/onnx/index.ts';
import { Explanation } from '@llmrec/shared/evidence/explain.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { encodeValue } from '@llmrec/shared/kv/typed.ts';
import { ItemEvidence } from '@llmrec/shared/kv/values.ts';
import { makeFixture, publishFixture, type Fixture } from './support/catalog-fixture.ts';
import { makeHarness } from './support/harness.ts';

const f: Fixture = makeFixture();
// u1's history: items 0, 3, 6 (cluster 0); explained: item 9 (cluster 0). Item 0 is shared with item 9 by only
// 4 users: below k = 5 it must never be cited (its effect ties the others', so without the filter it would be).
const FEW = 4;
let store: KvStore;
let model: LatentModel;

beforeAll(async () => {
  store = createMemoryStore();
  await publishFixture(store, f);
  const co = f.ids.map((_, j) => j).filter((j) => j !== 9 && f.clusterOf(j) === 0).map((j) => [j, j === 0 ? FEW : 6] as [number, number]);
  await store.set(keys.evidence(f.version, f.ids[9]!), encodeValue(ItemEvidence, { v: 1, itemId: f.ids[9]!, evidence: [], facts: [{ kind: 'genre', value: 'g0' }], co }));
  const session = await createSession(tanhEncoderOnnx(Float32Array.from(f.itemLatents, (x) => x * 0.4), f.dim), { device: 'cpu', threads: 1 });
  model = createLatentModel({ version: f.version, itemLatents: f.itemLatents, dim: f.dim, encoder: { session, input: 'history', output: 'z_u', maxlen: 50 } });
});

const explanation = (json: any) => Explanation.parse(json.explanations[0]);

describe('POST /v1/explain with the worker', () => {
  it('cites by effect on the score, returns faithfulness and the template as source without an LLM', async () => {
    const h = makeHarness(store, f, { model });
    const res = await h.call('POST', '/v1/explain', { userId: 'u1', itemId: f.ids[9] });
    expect(res.status).toBe(200);
    const e = explanation(res.json);
    expect(e.rationale.source).toBe('template');
    expect(e.evidence.method).toBe('attribution');
    expect(e.degraded).toBeUndefined();
    expect(e.evidence.neighbours.length).toBeGreaterThan(0);
    for (const n of e.evidence.neighbours) expect(n.effect).toBeGreaterThan(0);
    expect(e.faithfulness).not.toBeNull();
    expect(e.faithfulness!.size).toBe(e.cited.neighbours.length);
    expect(e.faithfulness!.comprehensiveness.scoreDrop).toBeGreaterThan(0);
  });

  it('privacy: an item shared by fewer than k users is never cited, even when the request asks for k = 1; no user ids', async () => {
    const h = makeHarness(store, f, { model });
    for (const body of [{ userId: 'u1', itemId: f.ids[9] }, { userId: 'u1', itemId: f.ids[9], minCoUsers: 1 }, { history: [f.ids[0], f.ids[3], f.ids[6]], itemId: f.ids[9], minCoUsers: 1 }]) {
      const res = await h.call('POST', '/v1/explain', body);
      expect(res.status).toBe(200);
      const e = explanation(res.json);
      expect(e.evidence.minCoUsers).toBe(5);
      expect(e.evidence.neighbours.map((n) => n.id)).toEqual([f.ids[3], f.ids[6]]);
      expect(e.rationale.text).not.toContain(f.titles[0]!);
      expect(JSON.stringify(res.json)).not.toMatch(/\bu[123]\b/);
    }
    // The configured k is the floor; a request may only raise it.
    const strict = explanation((await h.call('POST', '/v1/explain', { userId: 'u1', itemId: f.ids[9], minCoUsers: 7 })).json);
    expect(strict.evidence.neighbours).toEqual([]);
  });

  it('worker down: the co-interaction baseline answers with a reason code, no faithfulness, no error text', async () => {
    const h = makeHarness(store, f, { model });
    h.setWorker('down');
    const res = await h.call('POST', '/v1/explain', { userId: 'u1', itemId: f.ids[9] });
    expect(res.status).toBe(200);
    const e = explanation(res.json);
    expect(e).toMatchObject({ degraded: 'worker-unavailable', faithfulness: null, rationale: { source: 'template' }, evidence: { method: 'co-interaction' } });
    expect(e.evidence.neighbours.map((n) => n.id)).not.toContain(f.ids[0]);
    expect(JSON.stringify(res.json)).not.toMatch(/ECONNREFUSED|worker\.test/);
  });

  it('recommend with explain: true explains every returned item through the worker', async () => {
    const h = makeHarness(store, f, { model });
    const res = await h.call('POST', '/v1/recommend', { userId: 'u1', k: 3, explain: true });
    expect(res.status).toBe(200);
    for (const it of res.json.items) expect(Explanation.parse(it.explanation).faithfulness).not.toBeNull();
  });
});

const stories = stories260KDir();
describe.skipIf(!stories)('POST /v1/explain with an LLM on the worker (stories260K)', () => {
  it("the rationale's source is the LLM's and it names only evidence", async () => {
    const llm = await loadModel(convertedStories(stories));
    const tokens = await loadProjectors(tinyProjectors(f.ids.length, llm.hidden, f.dim));
    const service = new LlmService({ llm, tokens, weight: 0, name: 'stories260K', encodeUser: (hist) => model.encodeUsers([hist]) });
    const h = makeHarness(store, f, { model, llm: service });
    const res = await h.call('POST', '/v1/explain', { userId: 'u1', itemIds: [f.ids[9], f.ids[12]] });
    expect(res.status).toBe(200);
    for (const j of [0, 1]) {
      const e = Explanation.parse(res.json.explanations[j]);
      expect(e.rationale.source).toBe('llm');
      expect(e.faithfulness).not.toBeNull();
      const quoted = [...e.rationale.text.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
      for (const q of quoted) expect(e.evidence.neighbours.map((n) => n.title)).toContain(q);
    }
    // Item 0 is below k for item 9 (not for item 12).
    expect(res.json.explanations[0].rationale.text).not.toContain(f.titles[0]!);
  });
});
