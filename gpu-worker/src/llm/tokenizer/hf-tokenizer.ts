// The worker's tokenizer for any Hugging Face `tokenizer.json` (SentencePiece-style BPE of the Llama family, byte-level
// BPE of GPT-2 / Qwen / SmolLM / Llama 3): encoding by the pure-JS `@huggingface/tokenizers` (normalizers,
// pre-tokenizer regexes, merges, added tokens); per-token bytes for streaming and constrained decoding from the
// vocabulary, in Maps (never plain-object lookups: pieces such as "constructor" or "__proto__" are ordinary tokens).
import { Tokenizer } from '@huggingface/tokenizers';
import type { TextTokenizer } from './text-tokenizer.ts';

const SPACE = '\u2581';
const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** GPT-2's bytes_to_unicode, inverted: the printable stand-in character of each byte -> the byte. */
function byteLevelDecoder(): Map<string, number> {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return new Map(bs.map((b, i) => [String.fromCodePoint(cs[i]!), b]));
}

export interface HfTokenizerOptions {
  bosId?: number | null;
  eosId?: number | null;
}

export class HfTokenizer implements TextTokenizer {
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  readonly vocabSize: number;
  /** 'byte-level' (GPT-2 family) or 'sentencepiece' (▁ for spaces, <0xNN> byte fallback). */
  readonly kind: 'byte-level' | 'sentencepiece';
  private readonly tok: Tokenizer;
  private readonly bytes: Uint8Array[];
  private readonly stripAfterBos: boolean;
  /** Whether the tokenizer's own post-processor starts a sequence with BOS (Llama 2: yes; Qwen: no). */
  private readonly addsBos: boolean;

  constructor(json: Record<string, unknown>, config: Record<string, unknown> = {}, o: HfTokenizerOptions = {}) {
    this.tok = new Tokenizer(json, config);
    const vocab = this.tok.get_vocab(true);
    const decoder = JSON.stringify(json.decoder ?? null);
    this.kind = decoder.includes('"ByteLevel"') || JSON.stringify(json.pre_tokenizer ?? null).includes('"ByteLevel"') ? 'byte-level' : 'sentencepiece';
    this.stripAfterBos = this.kind === 'sentencepiece' && decoder.includes('"Strip"');
    const plain = this.tok.encode('a', { add_special_tokens: false }).ids;
    const framed = this.tok.encode('a', { add_special_tokens: true }).ids;
    this.addsBos = framed.length > plain.length && framed[0] !== plain[0];
    this.bosId = this.addsBos ? framed[0] : (o.bosId ?? undefined);
    this.eosId = o.eosId ?? undefined;
    let max = -1;
    for (const id of vocab.values()) max = Math.max(max, id);
    this.vocabSize = max + 1;
    const special = new Set<number>();
    for (const [id, a] of this.tok.get_added_tokens_decoder()) if (a.special) special.add(id);
    const enc = new TextEncoder();
    const byteOf = this.kind === 'byte-level' ? byteLevelDecoder() : null;
    this.bytes = Array.from({ length: this.vocabSize }, () => new Uint8Array(0));
    for (const [piece, id] of vocab) {
      if (special.has(id)) continue;
      if (byteOf) {
        const out: number[] = [];
        let ok = true;
        for (const ch of piece) {
          const b = byteOf.get(ch);
          if (b === undefined) ok = false;
          else out.push(b);
        }
        // Added (non-special) tokens are stored as plain text, not in the byte alphabet.
        this.bytes[id] = ok ? Uint8Array.from(out) : enc.encode(piece);
      } else {
        const m = BYTE_PIECE.exec(piece);
        if (m) {
          const b = parseInt(m[1]!, 16);
          // Lone control bytes are not printed (as the llama2.c reference printer does); whitespace and UTF-8 parts are.
          const printable = (b >= 0x20 && b !== 0x7f) || b >= 0x80 || (b >= 0x09 && b <= 0x0d);
          this.bytes[id] = printable ? Uint8Array.of(b) : new Uint8Array(0);
        } else this.bytes[id] = enc.encode(piece.replaceAll(SPACE, ' '));
      }
    }
  }

  /** Ids of `text`; BOS first when `bos` and the tokenizer frames sequences with one, EOS last when `eos`. */
  encode(text: string, opts: { bos?: boolean; eos?: boolean } = {}): number[] {
    const ids = text.length ? this.tok.encode(text, { add_special_tokens: false }).ids : [];
    if (opts.bos && this.addsBos && this.bosId !== undefined) ids.unshift(this.bosId);
    if (opts.eos && this.eosId !== undefined) ids.push(this.eosId);
    return ids;
  }

  pieceBytes(prev: number, id: number): Uint8Array {
    const b = this.bytes[id] ?? new Uint8Array(0);
    // SentencePiece decoders strip the dummy-prefix space of the first piece after BOS.
    return this.stripAfterBos && prev === this.bosId && b[0] === 0x20 ? b.subarray(1) : b;
  }

  decode(ids: number[], prev = -1): string {
    const parts: number[] = [];
    let p = prev;
    for (const id of ids) {
      parts.push(...this.pieceBytes(p, id));
      p = id;
    }
    return new TextDecoder().decode(Uint8Array.from(parts));
  }
}
