import { beforeAll, describe, expect, it } from 'vitest';
import { assemblePrompt } from '@llmrec/shared/prompt/segments.ts';
import { loadModel, type LoadedLlm } from '../model/load-model.ts';
import { embedTokens, emptyCache, forward } from '../runtime/decoder.ts';
import { promptEmbeds } from '../runtime/generate.ts';
import { logSoftmax } from '../runtime/sampling.ts';
import { convertedStories, missingStories, stories260KDir } from '../test-model.test-helper.ts';
import { embedSoftPrompt, fitSoftPrompt, fitSoftPromptLayout, fuseScores, scoreCandidates } from './llm-ranker.ts';
import { historyLatent, loadProjectors, type SoftTokens } from './projectors.ts';
import { tinyProjectors } from './tiny-projectors.test-helper.ts';

const src = stories260KDir();
if (!src) console.warn(missingStories);

describe.skipIf(!src)('LLM ranking with soft prompts (stories260K)', () => {
  let llm: LoadedLlm;
  let proj: SoftTokens;
  const titles = ['The little dog', 'A big red ball', 'Lily and the cat', 'Space rocket (1999)', 'Tom went home'];
  beforeAll(async () => {
    llm = await loadModel(convertedStories(src));
    proj = await loadProjectors(tinyProjectors(titles.length, llm.hidden));
  });

  it('reusing the prompt cache gives the same scores as re-encoding prompt + title from scratch', async () => {
    const seg = assemblePrompt({ userId: '0', history: [{ idx: 0, title: titles[0]! }, { idx: 1, title: titles[1]! }], candidates: titles.slice(2).map((t, j) => ({ idx: j + 2, title: t })), maxHistory: 10 });
    const ctx = { tokens: proj, userLatent: historyLatent(proj, [0, 1]) };
    const prompt = fitSoftPrompt(llm, seg, 0);
    const scores = await scoreCandidates(llm, ctx, prompt);
    const parts = await embedSoftPrompt(llm, ctx, prompt);
    for (const s of scores) {
      const ids = llm.tokenizer.encode(titles[s.idx]!);
      const { embeds, length } = promptEmbeds(llm, [...parts, { ids }]);
      const { logits, vocab } = await forward(llm, embeds, emptyCache(llm));
      let lp = 0;
      ids.forEach((id, j) => (lp += logSoftmax(logits, (length - ids.length - 1 + j) * vocab, vocab)[id]!));
      expect(s.tokens).toBe(ids.length);
      expect(Math.abs(s.score - lp / ids.length)).toBeLessThan(1e-4);
    }
    // The soft tokens matter: another user latent changes the scores.
    const other = await scoreCandidates(llm, { tokens: proj, userLatent: historyLatent(proj, [3, 4]) }, prompt);
    expect(other.some((o, j) => Math.abs(o.score - scores[j]!.score) > 1e-6)).toBe(true);
  });

  it('fits long prompts into the context by shortening the layout', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ idx: i % titles.length, title: `${titles[i % titles.length]} number ${i}` }));
    const seg = assemblePrompt({ userId: '0', history: many, candidates: many.slice(0, 20), maxHistory: 60 });
    const p = fitSoftPrompt(llm, seg, 0);
    const n = promptEmbeds(llm, [{ ids: [1] }, ...p.pieces.map((x) => ('text' in x ? { ids: llm.tokenizer.encode(x.text) } : { embeds: embedTokens(llm, [5]) }))]).length;
    expect(n).toBeLessThan(llm.config.max_position_embeddings!);
  });

  it('cuts the evidence (its newest entries kept) before giving up, when even the shortest layout does not fit', () => {
    const evidence = Array.from({ length: 40 }, (_, i) => ({ kind: 'attribute' as const, text: `Directed by someone with a long name, entry ${i}`, itemIdx: i % titles.length }));
    const seg = assemblePrompt({ userId: '0', history: [{ idx: 0, title: titles[0]! }], evidence, candidates: titles.map((t, j) => ({ idx: j, title: t })), maxHistory: 10 });
    const { prompt, layout } = fitSoftPromptLayout(llm, seg, 0);
    expect(layout.evidence).toBeGreaterThan(0);
    expect(layout.evidence).toBeLessThan(40);
    const text = prompt.pieces.map((x) => ('text' in x ? x.text : '')).join('');
    expect(text).toContain('entry 39,'.slice(0, -1)); // the newest entry stays
    expect(text).not.toContain('entry 0;');
    expect(prompt.pieces.filter((x) => 'soft' in x && x.soft === 'evidence').length).toBe(layout.evidence);
    // a prompt that fits keeps every entry
    expect(fitSoftPromptLayout(llm, { ...seg, evidence: evidence.slice(0, 2) }, 0).layout.evidence).toBe(2);
  });

  it('fusion with w = 0 keeps the latent order; large w follows the LLM', () => {
    const lat = [5, 4, 3, 2, 1];
    const l = [0, 1, 2, 3, 4];
    const order = (s: number[]) => s.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]).map((x) => x[1]);
    expect(order(fuseScores(lat, l, 0))).toEqual([0, 1, 2, 3, 4]);
    expect(order(fuseScores(lat, l, 10))).toEqual([4, 3, 2, 1, 0]);
  });
});
