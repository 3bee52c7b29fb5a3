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

describe.skipIf(!src)('llama2.c tok512.bin via tokenizer.json (stories260K)', () => {
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

/** A llama2.c tokenizer file: int32 max length, then per piece float32 score, int32 length, bytes. */
function tokFile(pieces: string[], scores: number[]): Uint8Array {
  const enc = pieces.map((p) => new TextEncoder().encode(p));
  const out = new Uint8Array(4 + enc.reduce((n, e) => n + 8 + e.length, 0));
  const dv = new DataView(out.buffer);
  dv.setInt32(0, Math.max(...enc.map((e) => e.length)), true);
  let o = 4;
  enc.forEach((e, i) => {
    dv.setFloat32(o, scores[i]!, true);
    dv.setInt32(o + 4, e.length, true);
    out.set(e, o + 8);
    o += 8 + e.length;
  });
  return out;
}

describe('pieces named like Object.prototype properties are ordinary tokens', () => {
  // <unk> <s> </s>, 256 byte pieces, the characters, then every prefix of the words as merges (longer = better score).
  const words = ['constructor', '__proto__', 'toString', 'hasOwnProperty', ' valueOf'];
  const chars = [...new Set(words.join('').split(''))];
  const merged = [...new Set(words.flatMap((w) => Array.from({ length: w.length - 1 }, (_, k) => w.slice(0, k + 2))))];
  const pieces = ['<unk>', '<s>', '</s>', ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`), ...chars, ...merged];
  const scores = pieces.map((p, i) => (i < 259 ? 0 : merged.includes(p) ? p.length : -i));
  const bin = tokFile(pieces, scores);
  const tok = tokenizerFromJson(JSON.parse(JSON.stringify(tokenizerJsonFromLlama2c(bin, pieces.length))));

  it('encodes them as the C encoder does, each word one token', () => {
    for (const w of ['constructor', '__proto__', 'toString hasOwnProperty valueOf', 'constructor__proto__']) {
      expect(tok.encode(w, { bos: true })).toEqual(referenceEncode(pieces, scores, w));
    }
    expect(tok.encode('toString')).toEqual([pieces.indexOf(' '), pieces.indexOf('toString')]);
    expect(tok.encode('x valueOf')).toContain(pieces.indexOf(' valueOf'));
  });

  it('decodes them back', () => {
    const ids = tok.encode('__proto__ constructor', { bos: true });
    expect(tok.decode(ids.slice(1), ids[0])).toBe('__proto__ constructor');
  });
});
