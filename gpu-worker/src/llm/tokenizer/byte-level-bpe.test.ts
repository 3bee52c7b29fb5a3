import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsPattern } from './byte-level-bpe.ts';
import { tokenizerFromJson } from './tokenizer-json.ts';
import { StreamingDecoder } from './text-tokenizer.ts';

// A tiny GPT-2-style vocabulary: every byte as a character (Ġ = space), a few merges, one special token.
function tinyByteLevel() {
  const chars: string[] = [];
  for (let b = 0; b < 256; b++) {
    const keep = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    chars.push(keep ? String.fromCodePoint(b) : '');
  }
  let extra = 0;
  const u = chars.map((c) => c || String.fromCodePoint(256 + extra++));
  const vocab: Record<string, number> = {};
  u.forEach((c, i) => (vocab[c] = i));
  const merges = ['Ġ t', 'h e', 'Ġt he', 'i n', 'Ġ c', 'Ġc at'];
  for (const m of merges) vocab[m.replace(' ', '')] = Object.keys(vocab).length;
  vocab.at = Object.keys(vocab).length;
  merges.splice(4, 0, 'a t');
  return {
    added_tokens: [{ id: 1000, content: '<|endoftext|>', special: true }],
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" }, behavior: 'Isolated' }, { type: 'ByteLevel', add_prefix_space: false }] },
    decoder: { type: 'ByteLevel' },
    model: { type: 'BPE', vocab, merges },
  };
}

describe('byte-level BPE (GPT-2 family tokenizer.json)', () => {
  const tok = tokenizerFromJson(tinyByteLevel(), { eosId: 1000 });

  it('merges by rank inside pre-tokenized words and keeps special tokens whole', () => {
    const ids = tok.encode('the cat<|endoftext|>');
    const pieces = ids.map((i) => tok.decode([i]));
    expect(pieces).toEqual(['t', 'he', ' cat', '']);
    expect(ids[ids.length - 1]).toBe(1000);
    expect(tok.bosId).toBeUndefined();
    expect(tok.encode('x', { bos: true })).toHaveLength(1);
  });

  it('round-trips any text through bytes, streaming split characters whole', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...Array.from('the cat é😀\n\t IT\'S 42!')), maxLength: 30 }), (s) => {
        const ids = tok.encode(s);
        expect(tok.decode(ids)).toBe(s);
        const d = new StreamingDecoder(tok);
        expect(ids.map((i) => d.push(i)).join('') + d.flush()).toBe(s);
      }),
      { numRuns: 200 },
    );
  });

  it('expands (?i:...) groups that JavaScript regexes lack', () => {
    expect("IT'S it's".match(jsPattern("(?i:'s)|\\p{L}+"))).toEqual(['IT', "'S", 'it', "'s"]);
  });
});
