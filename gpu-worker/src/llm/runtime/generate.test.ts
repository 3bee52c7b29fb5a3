import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type LoadedLlm } from '../model/load-model.ts';
import { convertedStories, missingStories, stories260KDir } from '../test-model.test-helper.ts';
import { embedTokens, emptyCache, forward } from './decoder.ts';
import { completeText, generate, generateStream } from './generate.ts';

const src = stories260KDir();
if (!src) console.warn(missingStories);

describe.skipIf(!src)('stories260K through the ONNX decoder runtime', () => {
  let llm: LoadedLlm;
  beforeAll(async () => {
    llm = await loadModel(convertedStories(src));
  });

  it('greedy, BOS only, 200 steps reproduces the reference output byte for byte', async () => {
    const want = readFileSync(join(src!, 'reference', 'greedy-bos-200.txt'));
    const got = Buffer.from((await completeText(llm, '', { steps: 200, temperature: 0 })) + '\n');
    expect(got.equals(want)).toBe(true);
  });

  it('greedy, "Once upon a time", 64 steps reproduces the reference output byte for byte', async () => {
    const want = readFileSync(join(src!, 'reference', 'greedy-once-upon-a-time-64.txt'));
    const got = Buffer.from((await completeText(llm, 'Once upon a time', { steps: 64, temperature: 0 })) + '\n');
    expect(got.equals(want)).toBe(true);
  });

  it('prefill in one pass equals token-by-token decoding with the KV cache', async () => {
    const ids = llm.tokenizer.encode('The cat sat on the mat', { bos: true });
    const whole = await forward(llm, embedTokens(llm, ids), emptyCache(llm));
    let cache = emptyCache(llm);
    let last: Float32Array = new Float32Array(0);
    for (const id of ids) ({ logits: last, cache } = await forward(llm, embedTokens(llm, [id]), cache));
    expect(cache.length).toBe(ids.length);
    const V = whole.vocab;
    const lastRow = whole.logits.subarray((ids.length - 1) * V, ids.length * V);
    for (let i = 0; i < V; i++) expect(Math.abs(lastRow[i]! - last[i]!)).toBeLessThan(1e-4);
  });

  it('soft tokens mix with hard tokens: the table row as an embedding equals the token id', async () => {
    const ids = llm.tokenizer.encode('Once upon', { bos: true });
    const hard = await generate(llm, [{ ids }], { maxNewTokens: 12 });
    const soft = await generate(llm, [{ ids: ids.slice(0, 1) }, { embeds: embedTokens(llm, ids.slice(1, -1)) }, { ids: ids.slice(-1) }], { maxNewTokens: 12 });
    expect(soft.ids).toEqual(hard.ids);
    const perturbed = embedTokens(llm, ids.slice(1, 2)).map((v, i) => v + (i % 2 ? 0.5 : -0.5));
    const moved = await forward(llm, perturbed, emptyCache(llm));
    const base = await forward(llm, embedTokens(llm, ids.slice(1, 2)), emptyCache(llm));
    expect(moved.logits.some((v, i) => Math.abs(v - base.logits[i]!) > 1e-3)).toBe(true);
  });

  it('streams tokens through an async iterator and a callback, and honours stop strings', async () => {
    const ids = llm.tokenizer.encode('Once upon a time', { bos: true });
    const seen: number[] = [];
    const streamed: string[] = [];
    for await (const t of generateStream(llm, [{ ids }], { maxNewTokens: 40, onToken: (x) => seen.push(x.id), stopStrings: ['.'] })) streamed.push(t.text);
    expect(seen.length).toBe(streamed.length);
    expect(streamed.join('').endsWith('.')).toBe(true);
    expect(streamed.join('').slice(0, -1)).not.toContain('.');
  });

  it('sampling is reproducible from a seed and differs across seeds', async () => {
    const ids = llm.tokenizer.encode('Once upon a time', { bos: true });
    const a = await generate(llm, [{ ids }], { maxNewTokens: 30, temperature: 1, topP: 0.9, seed: 7 });
    const b = await generate(llm, [{ ids }], { maxNewTokens: 30, temperature: 1, topP: 0.9, seed: 7 });
    const c = await generate(llm, [{ ids }], { maxNewTokens: 30, temperature: 1, topP: 0.9, seed: 8 });
    expect(a.ids).toEqual(b.ids);
    expect(c.ids).not.toEqual(a.ids);
  });
});
