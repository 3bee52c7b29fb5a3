import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { missingStories, stories260KDir } from '../test-model.test-helper.ts';
import { parseLlama2cTokenizer, tokenizerFromJson, tokenizerJsonFromLlama2c } from './tokenizer-json.ts';

const src = stories260KDir();
if (!src) console.warn(missingStories);

/** The reference C encoder, transcribed: dummy prefix, per-codepoint lookup, byte fallback +3, best-score merges. */
function referenceEncode(pieces: string[], scores: number[], text: string): number[] {
  const lookup = new Map<string, number>();
  pieces.forEach((p, i) => lookup.has(p) || lookup.set(p, i));
  const toks: number[] = [1];
  if (!text) return toks;
  toks.push(lookup.get(' ')!);
  for (const ch of text) {
    const id = lookup.get(ch);
    if (id !== undefined) toks.push(id);
    else for (const b of new TextEncoder().encode(ch)) toks.push(b + 3);
  }
  for (;;) {
    let best = -1e10;
    let at = -1;
    for (let i = 1; i + 1 < toks.length; i++) {
      const id = lookup.get(pieces[toks[i]!]! + pieces[toks[i + 1]!]!);
      if (id !== undefined && scores[id]! > best) {
        best = scores[id]!;
        at = i;
      }
    }
    if (at < 0) break;
    toks.splice(at, 2, lookup.get(pieces[toks[at]!]! + pieces[toks[at + 1]!]!)!);
  }
  return toks;
}

describe.skipIf(!src)('SentencePiece BPE from tok512 via tokenizer.json', () => {
  const bin = src ? readFileSync(join(src, 'tok512.bin')) : new Uint8Array();
  const tok = src ? tokenizerFromJson(JSON.parse(JSON.stringify(tokenizerJsonFromLlama2c(bin, 512)))) : undefined!;
  const ref = src ? parseLlama2cTokenizer(bin, 512) : undefined!;

  it('encodes the reference prompt as the C encoder does', () => {
    expect(tok.encode('Once upon a time', { bos: true })).toEqual(referenceEncode(ref.pieces, ref.scores, 'Once upon a time'));
  });

  it('matches the C encoder on arbitrary text (ASCII, accents, emoji: byte fallback)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...Array.from('abcdeThe lo,.!?\'"\nxyzé€😀')), maxLength: 40 }), (s) => {
        expect(tok.encode(s, { bos: true })).toEqual(referenceEncode(ref.pieces, ref.scores, s));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes back to the text (BOS strips the dummy space, bytes rejoin into UTF-8)', () => {
    for (const s of ['Once upon a time, there was Lily.', 'Café 😀 naïve', 'two\nlines']) {
      const ids = tok.encode(s, { bos: true });
      expect(tok.decode(ids.slice(1), ids[0])).toBe(s);
    }
  });
});
