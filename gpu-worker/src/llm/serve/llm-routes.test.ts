import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKER_SECRET_HEADER } from '@llmrec/shared/api/wire.ts';
import { buildEvidence, checkRationale, type ItemFacts } from '@llmrec/shared/evidence/index.ts';
import { LlmExplainResponse, LlmRankResponse } from '@llmrec/shared/llm-prompt/wire.ts';
import { assemblePrompt } from '@llmrec/shared/prompt/segments.ts';
import { loadModel } from '../model/load-model.ts';
import { loadProjectors } from '../rank/projectors.ts';
import { tinyProjectors } from '../rank/tiny-projectors.test-helper.ts';
import { convertedStories, missingStories, stories260KDir } from '../test-model.test-helper.ts';
import { LlmService } from './llm-service.ts';
import { registerLlmRoutes } from './llm-routes.ts';

const src = stories260KDir();
if (!src) console.warn(missingStories);
const titles = ['The little dog', 'A big red ball', 'Lily and the cat', 'Tom went home'];

describe.skipIf(!src)('worker LLM routes', () => {
  let app: Hono;
  beforeAll(async () => {
    const llm = await loadModel(convertedStories(src));
    const service = new LlmService({ llm, tokens: await loadProjectors(tinyProjectors(titles.length, llm.hidden)), weight: 0.5, name: 'stories260K' });
    app = new Hono();
    registerLlmRoutes(app, service, 's3cret');
  });
  const post = (path: string, body: unknown, secret = 's3cret') => app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: secret } });
  const prompt = assemblePrompt({ userId: '0', history: [{ idx: 0, title: titles[0]! }], candidates: titles.slice(1).map((t, i) => ({ idx: i + 1, title: t })), maxHistory: 10 });

  it('ranks candidates by the fused score', async () => {
    const res = await post('/llm/rank', { v: 1, requestId: 'r1', prompt, userIdx: 0, latentScores: [0.3, 0.2, 0.1] });
    expect(res.status).toBe(200);
    const body = LlmRankResponse.parse(await res.json());
    expect(body.items.map((i) => i.idx).sort()).toEqual([1, 2, 3]);
    for (let i = 1; i < body.items.length; i++) expect(body.items[i - 1]!.fused).toBeGreaterThanOrEqual(body.items[i]!.fused);
    expect(body.weight).toBe(0.5);
  });

  it('renders faithful rationales with LLM-chosen slots', async () => {
    const facts: ItemFacts[] = titles.map((title, idx) => ({ idx, id: String(idx), title, attributes: [{ kind: 'genre', value: idx % 2 ? 'Drama' : 'Comedy' }] }));
    const ev = buildEvidence({ facts: (i) => facts[i]!, latent: (i) => [1, i], coUsers: () => 9 }, 2, [0, 1, 3]);
    const res = await post('/llm/explain', { v: 1, requestId: 'r2', prompt, userIdx: 0, evidence: [ev] });
    expect(res.status).toBe(200);
    const body = LlmExplainResponse.parse(await res.json());
    expect(body.rationales[0]!.source).toBe('llm');
    expect(checkRationale(body.rationales[0]!, ev, titles).ok).toBe(true);
  });

  it('401 without the secret, 400 with the problems', async () => {
    expect((await post('/llm/rank', {}, 'nope')).status).toBe(401);
    const bad = await post('/llm/rank', { v: 1, requestId: 'r', prompt, latentScores: [1] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('latentScores');
  });
});
