import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { CoInteractionIndex, Explanation, itemFacts, memoryExplainSource } from '@llmrec/shared/evidence/index.ts';
import { badRequest, toResponse, zodProblems } from '../errors.ts';
import type { EdgeEnv } from './common.ts';
import { registerExplain } from './explain.ts';

function app() {
  const items = ['Heat (1995)', 'Casino (1995)', 'Fargo (1996)', 'Babe (1995)'].map((title, idx) =>
    itemFacts({ idx, id: String(idx + 1), title, text: { genres: idx === 3 ? ['Children'] : ['Crime', 'Drama'], director: [idx < 2 ? 'Michael Mann' : 'Joel Coen'] } }),
  );
  const latents = Float32Array.from([1, 0, 0.9, 0.1, 0.7, 0.7, -1, 0]);
  const histories = [...Array.from({ length: 6 }, () => [0, 1, 2]), [3, 1]];
  const co = new CoInteractionIndex(histories, 4);
  const source = memoryExplainSource(items, latents, 2, new Map([['u1', ['1', '3']]]), (a, b) => co.count(a, b));
  const a = new OpenAPIHono<EdgeEnv>({
    defaultHook: (r) => {
      if (!r.success) throw badRequest('the request does not match the API schema', zodProblems(r.error as never));
    },
  });
  a.onError(toResponse);
  registerExplain(a, { source });
  return a;
}

const post = (body: unknown) => app().request('/v1/explain', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('POST /v1/explain', () => {
  it('returns a rationale and the evidence it cites, with ids, titles and counts', async () => {
    const res = await post({ userId: 'u1', itemId: '2' });
    expect(res.status).toBe(200);
    const { explanations } = (await res.json()) as { explanations: Explanation[] };
    const [e] = explanations;
    expect(Explanation.parse(e)).toEqual(e);
    expect(e!.item).toEqual({ id: '2', title: 'Casino (1995)' });
    expect(e!.evidence.neighbours.map((n) => n.id)).toEqual(['1', '3']);
    expect(e!.evidence.neighbours[0]!.coUsers).toBe(6);
    expect(e!.rationale.text).toContain('"Heat (1995)"');
    expect(e!.evidence.attributes.some((x) => x.kind === 'director' && x.value === 'Michael Mann')).toBe(true);
    // No model-backed explainer here: the baseline, saying so.
    expect(e!).toMatchObject({ degraded: 'no-explainer', faithfulness: null, evidence: { method: 'co-interaction' } });
  });

  it('applies the co-user threshold from the request', async () => {
    const res = await post({ userId: 'u1', itemId: '2', minCoUsers: 7 });
    const { explanations } = (await res.json()) as { explanations: Explanation[] };
    expect(explanations[0]!.evidence.neighbours).toEqual([]);
    expect(explanations[0]!.rationale.text).not.toContain('"');
  });

  it('400 lists problems; 404 names the unknown item', async () => {
    const bad = await post({ itemId: '2' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('userId');
    const missing = await post({ history: ['1'], itemIds: ['2', '99'] });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toContain('99');
  });
});

describe('the edge checks what the worker returns', () => {
  it('serves a sound worker explanation and replaces one citing a pair below k, or a forged title, by the baseline', async () => {
    const { explainItems, memoryExplainSource, itemFacts: facts, buildEvidence, renderRationale } = await import('@llmrec/shared/evidence/index.ts');
    const items = ['Heat (1995)', 'Casino (1995)', 'Fargo (1996)'].map((title, idx) => facts({ idx, id: String(idx + 1), title, text: { genres: ['Crime'] } }));
    // The edge's counts: Heat-Casino 9 users, Fargo-Casino 3.
    const counts = (a: number, b: number) => (a + b === 1 ? 9 : 3);
    const base = memoryExplainSource(items, Float32Array.from([1, 0, 0.9, 0.1, 0.7, 0.7]), 2, new Map([['u', ['1', '3']]]), counts);
    const faithfulness = { size: 1, score: 1, rank: 1, comprehensiveness: { scoreDrop: 0.5, rank: 3, randomScoreDrop: 0.1, randomRank: 1 }, sufficiency: { scoreDrop: 0.2, rank: 2, randomScoreDrop: 0.6, randomRank: 4 }, samples: 10 };
    const answer = (coFargo: number, text?: string, k = 2) => async () => {
      const ev = buildEvidence({ facts: (i) => items[i]!, latent: () => [1, 0], coUsers: (a, b) => (a + b === 1 ? 9 : coFargo) }, 1, [0, 2], { minCoUsers: k });
      const r = renderRationale(ev);
      return { v: 1 as const, requestId: 'r', model: 'm', ms: 1, explanations: [{ evidence: ev, rationale: text ? { ...r, text } : r, faithfulness }] };
    };
    const good = await explainItems({ ...base, explainWithModel: answer(3) }, { userId: 'u', itemIds: ['2'] }, { minCoUsers: 2 });
    expect(good[0]!.faithfulness).toEqual(faithfulness);
    expect(good[0]!.degraded).toBeUndefined();
    // The worker claims Fargo has 9 co-users; the edge's lists say 3 (< k = 5): the baseline answers instead.
    const lying = await explainItems({ ...base, explainWithModel: answer(9, undefined, 5) }, { userId: 'u', itemIds: ['2'] }, { minCoUsers: 5 });
    expect(lying[0]!).toMatchObject({ degraded: 'rejected', faithfulness: null });
    expect(lying[0]!.evidence.neighbours.map((n) => n.id)).toEqual(['1']);
    const forged = await explainItems({ ...base, explainWithModel: answer(3, 'Because of "Fargo (1996)" and "Titanic (1997)".') }, { userId: 'u', itemIds: ['2'] }, { minCoUsers: 2 });
    expect(forged[0]!.degraded).toBe('rejected');
    expect(forged[0]!.rationale.text).not.toContain('Titanic');
  });
});
