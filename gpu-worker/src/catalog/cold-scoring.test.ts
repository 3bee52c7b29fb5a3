// Items without CF signal through the worker's /v1/score: found among the published items by their content-only
// latent (real ONNX tower), ranked with the content-profile term, candidates and exclusions honoured.
import { describe, expect, it } from 'vitest';
import { WORKER_SECRET_HEADER, type ScoreRequest, type ScoreResponse } from '@llmrec/shared/api/wire.ts';
import { WorkerExplainResponse } from '@llmrec/shared/evidence/wire.ts';
import { createWorkerApp } from '../app.ts';
import { createLatentModel } from '../model.ts';
import { openColdScoring } from './cold-scoring.ts';
import { openContentTower } from './content-tower.ts';
import { linearTowerOnnx } from './fixture-tower.ts';

const SECRET = 'secret-0123456789';
// content (text features, identity tower): items 0, 1 and 4 about topic e0; 2: e2; 3: e3; 5: e1 (norm 2)
const text = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 2, 0, 0]);
// served latents: warm items 0-3 differ from their content; cold items 4 and 5 are their content latent
const latents = Float32Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 1.5, 0, 0, 0, 0.5, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0]);
const eye = Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0));

async function setup(weight: number) {
  const model = createLatentModel({ version: 'v', itemLatents: latents, dim: 4 });
  const tower = await openContentTower(linearTowerOnnx({ text: { w: eye, dim: 4 } }, 4), { device: 'cpu' });
  const cold = await openColdScoring(tower, { text: { data: text, present: new Uint8Array(6).fill(1) } }, model, weight);
  await tower.close();
  return { cold, app: createWorkerApp({ model, secret: SECRET, cold }).app };
}

async function score(app: { request: (p: string, i: RequestInit) => Response | Promise<Response> }, opts: { candidates?: number[]; exclude?: number[]; shortlist?: boolean } = {}) {
  const req: ScoreRequest = {
    version: 1,
    requestId: 'r',
    prompt: { version: 1, user: { id: null, anonymous: true }, history: [{ idx: 0, title: 'a' }, { idx: 1, title: 'b' }], evidence: [], candidates: opts.candidates?.map((idx) => ({ idx, title: 't' })) ?? null },
    k: 4,
    exclude: opts.exclude ?? [0, 1],
    ...(opts.shortlist !== undefined ? { shortlist: opts.shortlist } : {}),
  };
  const res = await app.request('/v1/score', { method: 'POST', headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: SECRET }, body: JSON.stringify(req) });
  expect(res.status).toBe(200);
  return ((await res.json()) as ScoreResponse).items;
}

describe('cold items on the worker', () => {
  it('finds the published items whose latent is their content latent', async () => {
    const { cold } = await setup(8);
    expect([...cold.publishedCold]).toEqual([4, 5]);
    expect(cold.content.scale).toBeCloseTo(7 / 6, 6);
  });

  it('ranks cold items by z_u . z_i plus the centred content-profile term, calibrated onto their plain scores; warm scores unchanged', async () => {
    const off = await score((await setup(0)).app);
    // z_u = mean history latent (0, 1, 0, 0): 5 (2), 2 (1.5), 3 (0.5), 4 (0)
    expect(off.map((i) => i.idx)).toEqual([5, 2, 3, 4]);
    const on = await score((await setup(8)).app);
    // profile q = e0, centre = q . mean unit row = 0.5; term = 8 * |z_u| 1 * m 7/6 * (cos - 0.5): mixed 4.67 for
    // item 4, -2.67 for item 5, mapped back onto the plain scores' mean 1 and spread 1: 2 and 0
    expect(on.map((i) => i.idx)).toEqual([4, 2, 3, 5]);
    expect(on[0]!.score).toBeCloseTo(2, 4);
    expect(on[3]!.score).toBeCloseTo(0, 4);
    expect(on.find((i) => i.idx === 2)!.score).toBeCloseTo(1.5, 5);
  });

  it('honours candidates and exclusions for cold items', async () => {
    const { app } = await setup(8);
    expect((await score(app, { candidates: [3, 5] })).map((i) => i.idx)).toEqual([3, 5]);
    expect((await score(app, { exclude: [0, 1, 4] })).map((i) => i.idx)).toEqual([2, 3, 5]);
  });

  it('a retrieval shortlist (the edge\'s PQ candidates) also ranks the cold items retrieval by z_u . z_i misses', async () => {
    const { app } = await setup(8);
    // item 4 (plain score 0, lifted to 2 by the profile term) is not in the shortlist: added, and ranked first
    expect((await score(app, { candidates: [2, 3], shortlist: true })).map((i) => i.idx)).toEqual([4, 2, 3, 5]);
    expect((await score(app, { candidates: [2, 3], shortlist: true, exclude: [0, 1, 4] })).map((i) => i.idx)).toEqual([2, 3, 5]);
    // without the flag the candidates are the caller's list: a hard restriction
    expect((await score(app, { candidates: [2, 3], shortlist: false })).map((i) => i.idx)).toEqual([2, 3]);
    // with the term off there is nothing to add
    expect((await score((await setup(0)).app, { candidates: [2, 3], shortlist: true })).map((i) => i.idx)).toEqual([2, 3]);
  });

  it('/v1/explain attributes the score the item was ranked by: the cold term included, recomputed per history variant', async () => {
    const { app } = await setup(8);
    const facts = (idx: number) => ({ idx, id: String(idx), title: `t${idx}`, attributes: [] });
    const res = await app.request('/v1/explain', {
      method: 'POST', headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: SECRET },
      body: JSON.stringify({ v: 1, requestId: 'e', userId: null, history: [facts(0), facts(1)], items: [facts(4), facts(2)], coUsers: [[9, 9], [9, 9]], minCoUsers: 1, samples: 2, llm: false }),
    });
    expect(res.status).toBe(200);
    const body = WorkerExplainResponse.parse(await res.json());
    const ranked = await score(app);
    // the same scores as /v1/score: cold item 4 at its calibrated 2 (plain z_u . z_i is 0), warm item 2 at 1.5
    expect(body.explanations[0]!.evidence.score).toBeCloseTo(ranked.find((i) => i.idx === 4)!.score, 4);
    expect(body.explanations[0]!.evidence.score).toBeCloseTo(2, 4);
    expect(body.explanations[1]!.evidence.score).toBeCloseTo(1.5, 5);
  });
});
