import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKER_SECRET_HEADER } from '@llmrec/shared/api/wire.ts';
import { LlmRankResponse } from '@llmrec/shared/llm-prompt/wire.ts';
import { assemblePrompt } from '@llmrec/shared/prompt/segments.ts';
import { loadModel, type LoadedLlm } from '../model/load-model.ts';
import { loadProjectors, type SoftTokens } from '../rank/projectors.ts';
import { tinyProjectors } from '../rank/tiny-projectors.test-helper.ts';
import { convertedStories, missingStories, stories260KDir } from '../test-model.test-helper.ts';
import { LlmService } from './llm-service.ts';
import { registerLlmRoutes } from './llm-routes.ts';

const src = stories260KDir();
if (!src) console.warn(missingStories);
const titles = ['The little dog', 'A big red ball', 'Lily and the cat', 'Tom went home'];

describe.skipIf(!src)('worker LLM re-rank route', () => {
  let llm: LoadedLlm;
  let tokens: SoftTokens;
  const encoded: number[][] = [];
  const appWith = (encodeUser: (h: readonly number[]) => Promise<Float32Array>, weight = 0.5) => {
    const app = new Hono();
    registerLlmRoutes(app, new LlmService({ llm, tokens, weight, name: 'stories260K', encodeUser }), 's3cret');
    return app;
  };
  beforeAll(async () => {
    llm = await loadModel(convertedStories(src));
    tokens = await loadProjectors(tinyProjectors(titles.length, llm.hidden));
  });
  const post = (app: Hono, body: unknown, secret = 's3cret') => app.request('/llm/rank', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: secret } });
  const prompt = assemblePrompt({ userId: '0', history: [{ idx: 0, title: titles[0]! }], candidates: titles.slice(1).map((t, i) => ({ idx: i + 1, title: t })), maxHistory: 10 });
  const zu = (seed: number) => async (h: readonly number[]) => {
    encoded.push([...h]);
    return Float32Array.from({ length: 128 }, (_, k) => Math.sin(seed * (k + 1)));
  };

  it('ranks by the fused score with the configured weight', async () => {
    const res = await post(appWith(zu(1)), { v: 1, requestId: 'r1', prompt, latentScores: [0.3, 0.2, 0.1] });
    expect(res.status).toBe(200);
    const body = LlmRankResponse.parse(await res.json());
    expect(body.items.map((i) => i.idx).sort()).toEqual([1, 2, 3]);
    for (let i = 1; i < body.items.length; i++) expect(body.items[i - 1]!.fused).toBeGreaterThanOrEqual(body.items[i]!.fused);
    expect(body.weight).toBe(0.5);
  });

  it("the user soft token is the serving encoder's z_u of the prompt history, and it moves the LLM scores", async () => {
    encoded.length = 0;
    const a = LlmRankResponse.parse(await (await post(appWith(zu(1)), { v: 1, requestId: 'a', prompt, latentScores: [0.3, 0.2, 0.1] })).json());
    const b = LlmRankResponse.parse(await (await post(appWith(zu(2)), { v: 1, requestId: 'b', prompt, latentScores: [0.3, 0.2, 0.1] })).json());
    expect(encoded).toEqual([[0], [0]]);
    const score = (r: typeof a, idx: number) => r.items.find((i) => i.idx === idx)!.llmScore;
    expect([1, 2, 3].some((i) => Math.abs(score(a, i) - score(b, i)) > 1e-6)).toBe(true);
  });

  it('w = 0 keeps the latent order exactly', async () => {
    const body = LlmRankResponse.parse(await (await post(appWith(zu(1), 0), { v: 1, requestId: 'z', prompt, latentScores: [0.1, 0.3, 0.2] })).json());
    expect(body.items.map((i) => i.idx)).toEqual([2, 3, 1]);
  });

  it('401 without the secret, 400 with the problems', async () => {
    const app = appWith(zu(1));
    expect((await post(app, {}, 'nope')).status).toBe(401);
    const bad = await post(app, { v: 1, requestId: 'r', prompt, latentScores: [1] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('latentScores');
  });
});
