import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSentenceEncoder, loadWordPiece, tokenize } from './index.ts';
import { hasTorch as hasPythonTorch, PYTHON } from '@llmrec/data/test-support/python.ts';

const python = PYTHON;
const hasTorch = hasPythonTorch();
if (!hasTorch) console.warn(`sentence-encoder.test: skipped — ${python} has no torch to build the tiny fixture`);

describe.skipIf(!hasTorch)('ONNX sentence encoder (tiny torch-exported fixture)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'llmrec-st-'));
    execFileSync(python, ['-m', 'llmrec_train.fixtures', 'sentence-encoder', dir], { cwd: resolve(import.meta.dirname, '../../../training'), stdio: 'ignore' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tokenizes with WordPiece: lowercase, punctuation split, ## pieces, [UNK]', () => {
    const wp = loadWordPiece(readFileSync(join(dir, 'vocab.txt'), 'utf8'));
    const id = (t: string) => wp.vocab.get(t)!;
    expect(tokenize(wp, 'Toys playing Sci-Fi (1995) zebra')).toEqual([
      id('[CLS]'), id('toy'), id('##s'), id('play'), id('##ing'), id('sci'), id('-'), id('fi'), id('('), wp.unk, id(')'), wp.unk, id('[SEP]'),
    ]);
    expect(tokenize(wp, 'movie movie movie movie', 4)).toEqual([id('[CLS]'), id('movie'), id('movie'), id('[SEP]')]);
  });

  it('mean-pools last_hidden_state over real tokens and L2-normalises', async () => {
    const enc = await createSentenceEncoder(join(dir, 'encoder.onnx'), join(dir, 'vocab.txt'), { device: 'cpu' });
    const texts = ['Movie about chain 12', 'toys', 'horror comedy drama action story'];
    const got = await enc.encode(texts, 2);
    expect(enc.dim).toBe(8);
    const w = JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')) as { emb: number[][] };
    const wp = loadWordPiece(readFileSync(join(dir, 'vocab.txt'), 'utf8'));
    texts.forEach((t, b) => {
      const ids = tokenize(wp, t);
      const mean = new Array(8).fill(0);
      for (const i of ids) w.emb[i]!.forEach((v, j) => (mean[j] += Math.tanh(v) / ids.length));
      const norm = Math.hypot(...mean);
      for (let j = 0; j < 8; j++) expect(got[b * 8 + j]).toBeCloseTo(mean[j] / norm, 5);
    });
  });
});
