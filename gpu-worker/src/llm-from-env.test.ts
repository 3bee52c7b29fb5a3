import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { llmEnv, loadLlmFromEnv } from './llm-from-env.ts';
import { startWorkerFromEnv } from './from-env.ts';
import { tinyProjectors } from './llm/rank/tiny-projectors.test-helper.ts';
import { convertedStories, stories260KDir } from './llm/test-model.test-helper.ts';

describe('LLM configuration (read once at start, validated)', () => {
  it('rejects a fusion weight that is not a non-negative number, naming the variable and the value', () => {
    for (const bad of ['abc', '-0.5', '1e999', '0.5x', 'NaN']) {
      expect(() => llmEnv({ LLMREC_LLM_WEIGHT: bad })).toThrow(new RegExp(`LLMREC_LLM_WEIGHT.*'${bad.replace('.', '\\.')}'`));
    }
    expect(llmEnv({ LLMREC_LLM_WEIGHT: ' 0.25 ' }).LLMREC_LLM_WEIGHT).toBe(0.25);
    expect(llmEnv({}).LLMREC_LLM_WEIGHT).toBeUndefined();
  });

  it('an LLM without its projectors (or the reverse) is a configuration error, not a silent "off"', () => {
    expect(() => llmEnv({ LLMREC_LLM_MODEL: '/m' })).toThrow(/LLMREC_LLM_PROJECTORS/);
    expect(() => llmEnv({ LLMREC_LLM_PROJECTORS: '/p' })).toThrow(/go together/);
  });

  it('the worker fails at start on LLMREC_LLM_WEIGHT=abc, before loading anything', async () => {
    await expect(startWorkerFromEnv({ LLMREC_WORKER_SECRET: 'secret-0123456789', LLMREC_ARTIFACTS: '/nonexistent', LLMREC_LLM_WEIGHT: 'abc' }, { openStore: () => Promise.reject(new Error('no store in this test')) })).rejects.toThrow(/invalid LLM configuration: LLMREC_LLM_WEIGHT/);
  });
});

const stories = stories260KDir();
describe.skipIf(!stories)('fusion weight: chosen on validation and stored with the projectors', () => {
  it('comes from projector.json; none stored means 0 (never a default that moves the ranking); the variable overrides', async () => {
    const model = convertedStories(stories);
    const proj = tinyProjectors(4, 64);
    const said: string[] = [];
    const env = { LLMREC_LLM_MODEL: model, LLMREC_LLM_PROJECTORS: proj };
    expect((await loadLlmFromEnv(env, { device: 'cpu', say: (m) => said.push(m) }))!.weight).toBe(0);
    expect(said.join()).toMatch(/no fusion weight chosen on validation/);
    const meta = JSON.parse(readFileSync(join(proj, 'projector.json'), 'utf8'));
    writeFileSync(join(proj, 'projector.json'), JSON.stringify({ ...meta, fusion: { weight: 0.25, chosenOn: 'valid NDCG@10 (test)', validNdcg10: { '0': 0.1, '0.25': 0.11 }, llm: model, at: new Date(0).toISOString() } }));
    expect((await loadLlmFromEnv(env, { device: 'cpu' }))!.weight).toBe(0.25);
    expect((await loadLlmFromEnv({ ...env, LLMREC_LLM_WEIGHT: '0.1' }, { device: 'cpu' }))!.weight).toBe(0.1);
    expect(await loadLlmFromEnv({}, { device: 'cpu' })).toBeUndefined();
  });
});
