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

describe('explain with remote (LLM) rationales', () => {
  it('uses a faithful remote rationale and replaces an unfaithful one by the template', async () => {
    const { explainItems, memoryExplainSource, itemFacts: facts, renderRationale } = await import('@llmrec/shared/evidence/index.ts');
    const items = ['Heat (1995)', 'Casino (1995)', 'Fargo (1996)'].map((title, idx) => facts({ idx, id: String(idx + 1), title, text: { genres: ['Crime'] } }));
    const base = memoryExplainSource(items, Float32Array.from([1, 0, 0.9, 0.1, 0.7, 0.7]), 2, new Map([['u', ['1', '3']]]), () => 9);
    const good = await explainItems({ ...base, remoteRationales: async (_u, _h, evs) => Promise.all(evs.map((e) => renderRationale(e, () => 1))) }, { userId: 'u', itemIds: ['2'] });
    expect(good[0]!.rationale.source).toBe('llm');
    const forged = await explainItems({ ...base, remoteRationales: async (_u, _h, evs) => evs.map((e) => ({ v: 1 as const, text: 'Because of "Fargo (1996)" and "Titanic (1997)".', cited: { neighbours: [], attributes: [] }, source: 'llm' as const })) }, { userId: 'u', itemIds: ['2'] });
    expect(forged[0]!.rationale.source).toBe('template');
    expect(forged[0]!.rationale.text).not.toContain('Titanic');
  });
});
