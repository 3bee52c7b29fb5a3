// Reads a Hugging Face `tokenizer.json` into the worker's tokenizer (HfTokenizer over @huggingface/tokenizers),
// and writes one from a llama2.c tok512.bin (stories260K conversion), which that library does not read.
// Vocabularies are Maps: a piece such as "constructor" or "__proto__" must never meet Object.prototype.
import { z } from 'zod';
import { HfTokenizer } from './hf-tokenizer.ts';
import type { TextTokenizer } from './text-tokenizer.ts';

const SPACE = '\u2581';
const BYTE_PIECE = /^<0x[0-9A-F]{2}>$/;

/** The outer shape only: the library reads the rest (and `vocab` must not pass through a record parser). */
const TokenizerJson = z.looseObject({
  model: z.looseObject({ type: z.string().optional(), vocab: z.unknown() }),
  added_tokens: z.array(z.looseObject({ id: z.number().int(), content: z.string() })).optional(),
});

export function tokenizerFromJson(json: unknown, special: { bosId?: number | null; eosId?: number | null } = {}, config: Record<string, unknown> = {}): TextTokenizer {
  const r = TokenizerJson.safeParse(json);
  if (!r.success) throw new Error(`not a tokenizer.json: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return new HfTokenizer(json as Record<string, unknown>, config, special);
}

/** Parses llama2.c's tokenizer file: int32 max_token_length, then per token float32 score, int32 len, bytes. */
export function parseLlama2cTokenizer(bytes: Uint8Array, vocabSize: number): { pieces: string[]; scores: number[] } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dec = new TextDecoder();
  let o = 4;
  const pieces: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < vocabSize; i++) {
    if (o + 8 > bytes.byteLength) throw new Error(`llama2.c tokenizer: truncated at token ${i}`);
    scores.push(dv.getFloat32(o, true));
    const len = dv.getInt32(o + 4, true);
    o += 8;
    pieces.push(dec.decode(bytes.subarray(o, o + len)));
    o += len;
  }
  return { pieces, scores };
}

/**
 * tokenizer.json (Hugging Face layout) for a llama2.c vocabulary: pieces get "▁" for spaces, ids 0..2
 * are <unk>/<s>/</s>, and every split (a, b) of a piece is listed as a merge, ordered by the piece's
 * score, so BPE merges exactly the pairs the reference encoder merges.
 */
export function tokenizerJsonFromLlama2c(bytes: Uint8Array, vocabSize: number): object {
  const { pieces: raw, scores } = parseLlama2cTokenizer(bytes, vocabSize);
  const special = ['<unk>', '<s>', '</s>'];
  const pieces = raw.map((p, i) => (i < 3 ? special[i]! : BYTE_PIECE.test(p) ? p : p.replaceAll(' ', SPACE)));
  const vocab = new Map<string, number>();
  pieces.forEach((p, i) => {
    if (!vocab.has(p)) vocab.set(p, i);
  });
  const mergeable = pieces
    .map((p, id) => ({ p, id, score: scores[id]! }))
    .filter(({ p, id }) => id >= 3 && !BYTE_PIECE.test(p) && [...p].length >= 2)
    .sort((a, b) => b.score - a.score || a.id - b.id);
  const merges: string[] = [];
  for (const { p } of mergeable) {
    const cps = [...p];
    for (let k = 1; k < cps.length; k++) {
      const a = cps.slice(0, k).join('');
      const b = cps.slice(k).join('');
      if (vocab.has(a) && vocab.has(b)) merges.push(`${a} ${b}`);
    }
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: SPACE }, { type: 'Replace', pattern: { String: ' ' }, content: SPACE }] },
    pre_tokenizer: null,
    post_processor: { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }], pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }], special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } } },
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: SPACE }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] },
    // Object.fromEntries defines own properties, so a "__proto__" piece is a key like any other.
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab: Object.fromEntries(vocab), merges },
  };
}
