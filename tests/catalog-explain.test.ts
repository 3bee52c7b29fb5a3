// Items written through the item API are explained by the model like published ones (issue 11 bar "... with an
// explanation", issue 12's attribution): the worker's POST /v1/explain reads the live catalog (their content-tower
// latents, histories that name them), their content attribution uses the features the item writer stored, and
// one new item among the candidates no longer turns every explanation of a recommend into the baseline.
import { beforeEach, describe, expect, it } from 'vitest';
import { contentAttribution, type FeatureTable } from '@llmrec/gpu-worker/attribution/content-attribution.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { bytesToBase64 } from '@llmrec/shared/base64.ts';
import { makeFixture, type Fixture } from './support/catalog-fixture.ts';
import { makeHarness, type Harness } from './support/harness.ts';
import { clusterWord, fakeJpeg, IMAGE_DIM, liveCatalogStack, TEXT_DIM } from './support/live-catalog.ts';

const f: Fixture = makeFixture();
let h: Harness;

const newItem = (id: string, cluster: number) => ({
  id,
  title: `Fresh arrival ${id}`,
  description: `${clusterWord(cluster)} `.repeat(6).trim(),
  genres: ['new', `g${cluster}`],
  image: { base64: bytesToBase64(fakeJpeg(cluster)), contentType: 'image/jpeg' },
});

/** Offline feature tables of the published fixture items: none of them has content (all absent). */
const noTables = (): Partial<Record<'text' | 'image', FeatureTable>> => ({
  text: { data: new Float32Array(f.ids.length * TEXT_DIM), present: new Uint8Array(f.ids.length) },
  image: { data: new Float32Array(f.ids.length * IMAGE_DIM), present: new Uint8Array(f.ids.length) },
});

beforeEach(async () => {
  const store = createMemoryStore();
  const stack = await liveCatalogStack(store, f);
  h = makeHarness(store, f, { catalog: { live: stack.live, writer: stack.writer }, content: contentAttribution(stack.tower!, noTables(), stack.model, stack.live) });
});

describe('explanations of items written through the item API', () => {
  it('recommend(explain) with a new item among the candidates: every item explained by the model, the new one from its own content', async () => {
    expect((await h.call('PUT', '/v1/items', { items: [newItem('n1', 0)] })).status).toBe(200);
    const r = await h.call('POST', '/v1/recommend', { userId: 'u1', candidates: ['2', '3', 'n1', '10'], k: 4, explain: true });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const ids = r.json.items.map((i: { id: string }) => i.id);
    expect(ids).toContain('n1');
    for (const it of r.json.items) {
      // The model-backed explainer answered for each (no baseline: that is what `degraded` would say).
      expect(it.explanation.degraded, `${it.id}: ${JSON.stringify(it.explanation)}`).toBeUndefined();
      expect(it.explanation.evidence.method).toBe('attribution');
      expect(it.explanation.faithfulness).not.toBeNull();
    }
    const n1 = r.json.items.find((i: { id: string }) => i.id === 'n1');
    expect(Number.isFinite(n1.score)).toBe(true);
    expect(n1.explanation.faithfulness.score).toBeCloseTo(n1.score, 3);
    // Content evidence from the features stored with the item: its plot names cluster 0, u1's cluster.
    const content = new Map(n1.explanation.evidence.content.map((c: { modality: string; effect: number }) => [c.modality, c.effect]));
    expect([...content.keys()].sort()).toEqual(['image', 'text']);
    expect(content.get('text')).toBeGreaterThan(0.5);
    // A published candidate has no content in the fixture tables: no content evidence.
    expect(r.json.items.find((i: { id: string }) => i.id === '2').explanation.evidence.content).toEqual([]);
  });

  it('POST /v1/explain for a history that names a new item, and for a hidden one', async () => {
    await h.call('PUT', '/v1/items', { items: [newItem('n1', 0), newItem('n2', 0)] });
    const e = await h.call('POST', '/v1/explain', { history: ['1', 'n1'], itemIds: ['n2', '4'] });
    expect(e.status, JSON.stringify(e.json)).toBe(200);
    for (const x of e.json.explanations) expect(x.degraded, JSON.stringify(x)).toBeUndefined();
    expect(e.json.explanations[0].item).toEqual({ id: 'n2', title: 'Fresh arrival n2' });
    // Hidden: still explainable on request (it is in the catalog), never recommended.
    expect((await h.call('DELETE', '/v1/items/n2')).status).toBe(200);
    const hidden = await h.call('POST', '/v1/explain', { history: ['1'], itemId: 'n2' });
    expect(hidden.status).toBe(200);
    expect(hidden.json.explanations[0].degraded).toBeUndefined();
  });
});
