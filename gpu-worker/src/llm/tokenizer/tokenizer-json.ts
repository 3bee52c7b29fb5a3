// Reads the Hugging Face `tokenizer.json` of a SentencePiece-BPE model (Llama style) into the
// worker's tokenizer, and writes one from a llama2.c tok512.bin (stories260K conversion).
import { z } from 'zod';
import { ByteLevelBpe, isByteLevel, splitPattern } from './byte-level-bpe.ts';
import { SentencePieceBpe, SPACE } from './sentencepiece-bpe.ts';
import type { TextTokenizer } from './text-tokenizer.ts';

const AddedToken = z.object({ id: z.number().int(), content: z.string(), special: z.boolean().optional() });
const TokenizerJson = z.object({
  version: z.string().optional(),
  added_tokens: z.array(AddedToken).default([]),
  normalizer: z.unknown().optional(),
  pre_tokenizer: z.unknown().optional(),
  decoder: z.unknown().optional(),
  post_processor: z.unknown().optional(),
  model: z.object({
    type: z.literal('BPE', { message: 'only BPE tokenizers (SentencePiece-style or byte-level) are supported' }),
    vocab: z.record(z.string(), z.number().int()),
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])),
    byte_fallback: z.boolean().optional(),
    unk_token: z.string().nullable().optional(),
  }),
});
export type TokenizerJsonT = z.infer<typeof TokenizerJson>;

function hasDummyPrefix(normalizer: unknown): boolean {
  const s = JSON.stringify(normalizer ?? null);
  return s.includes('"Prepend"') || s.includes('"add_dummy_prefix":true') || s.includes('"prepend_scheme":"always"');
}

export function tokenizerFromJson(json: unknown, special: { bosId?: number | null; eosId?: number | null } = {}): TextTokenizer {
  const t = TokenizerJson.parse(json);
  if (isByteLevel(t)) {
    const merges = t.model.merges.map((m) => (typeof m === 'string' ? (m.split(' ', 2) as [string, string]) : m));
    const post = JSON.stringify(t.post_processor ?? null);
    return new ByteLevelBpe({
      vocab: t.model.vocab,
      merges,
      special: t.added_tokens.map((a) => ({ id: a.id, content: a.content })),
      pattern: splitPattern(t.pre_tokenizer),
      bosId: special.bosId ?? undefined,
      eosId: special.eosId ?? undefined,
      addBos: special.bosId != null && post.includes(`"id":${special.bosId}`) ? true : special.bosId != null,
    });
  }
  const size = Math.max(...Object.values(t.model.vocab), ...t.added_tokens.map((a) => a.id)) + 1;
  const pieces = new Array<string>(size).fill('');
  for (const [p, id] of Object.entries(t.model.vocab)) pieces[id] = p;
  for (const a of t.added_tokens) pieces[a.id] = a.content;
  const id = (c: string, fallback: number) => t.added_tokens.find((a) => a.content === c)?.id ?? t.model.vocab[c] ?? fallback;
  const merges = t.model.merges.map((m) => (typeof m === 'string' ? (m.split(' ', 2) as [string, string]) : m));
  return new SentencePieceBpe({ pieces, merges, bosId: id('<s>', 1), eosId: id('</s>', 2), unkId: id(t.model.unk_token ?? '<unk>', 0), addDummyPrefix: hasDummyPrefix(t.normalizer) });
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
 * score, so BPE here merges exactly the pairs the reference encoder merges.
 */
export function tokenizerJsonFromLlama2c(bytes: Uint8Array, vocabSize: number): object {
  const { pieces: raw, scores } = parseLlama2cTokenizer(bytes, vocabSize);
  const special = ['<unk>', '<s>', '</s>'];
  const pieces = raw.map((p, i) => (i < 3 ? special[i]! : /^<0x[0-9A-F]{2}>$/.test(p) ? p : p.replaceAll(' ', SPACE)));
  const vocab: Record<string, number> = {};
  pieces.forEach((p, i) => {
    if (!(p in vocab)) vocab[p] = i;
  });
  const mergeable = pieces
    .map((p, id) => ({ p, id, score: scores[id]! }))
    .filter(({ p, id }) => id >= 3 && !/^<0x[0-9A-F]{2}>$/.test(p) && [...p].length >= 2)
    .sort((a, b) => b.score - a.score || a.id - b.id);
  const merges: string[] = [];
  for (const { p } of mergeable) {
    const cps = [...p];
    for (let k = 1; k < cps.length; k++) {
      const a = cps.slice(0, k).join('');
      const b = cps.slice(k).join('');
      if (a in vocab && b in vocab) merges.push(`${a} ${b}`);
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
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab, merges },
  };
}
