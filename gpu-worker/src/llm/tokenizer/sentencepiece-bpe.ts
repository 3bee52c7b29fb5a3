// SentencePiece-style BPE (Llama family): dummy prefix, "▁" for spaces, per-character lookup with
// UTF-8 byte fallback, then repeated merging of the adjacent pair whose merged piece ranks best.
// Turns the prompt's hard text (system line, titles, task line) into token ids for the frozen LLM.
import { StreamingDecoder, type TextTokenizer } from './text-tokenizer.ts';

export { StreamingDecoder };
export const SPACE = '\u2581';

export interface BpeSpec {
  /** Pieces by id, spaces written as "▁", bytes as "<0xNN>". */
  pieces: string[];
  /** Ordered merges "a b" (best first); a pair merges when listed, ranked by its merged piece's best rank. */
  merges: [string, string][];
  bosId: number;
  eosId: number;
  unkId: number;
  /** Prepend "▁" to non-empty text (SentencePiece add_dummy_prefix). */
  addDummyPrefix: boolean;
}

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

export class SentencePieceBpe implements TextTokenizer {
  readonly pieceToId = new Map<string, number>();
  private readonly pairRank = new Map<string, number>();
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly byteOf: Int16Array;

  constructor(readonly spec: BpeSpec) {
    spec.pieces.forEach((p, id) => {
      if (!this.pieceToId.has(p)) this.pieceToId.set(p, id);
    });
    this.byteOf = new Int16Array(spec.pieces.length).fill(-1);
    spec.pieces.forEach((p, id) => {
      const m = BYTE_PIECE.exec(p);
      if (m) {
        const b = parseInt(m[1]!, 16);
        this.byteOf[id] = b;
        if (this.byteIds[b] === -1) this.byteIds[b] = id;
      }
    });
    const tokenRank = new Map<string, number>();
    spec.merges.forEach(([a, b], rank) => {
      const merged = a + b;
      if (!tokenRank.has(merged)) tokenRank.set(merged, rank);
      this.pairRank.set(`${a}\u0000${b}`, tokenRank.get(merged)!);
    });
  }

  get bosId(): number {
    return this.spec.bosId;
  }

  get eosId(): number {
    return this.spec.eosId;
  }

  get vocabSize(): number {
    return this.spec.pieces.length;
  }

  /** Token ids of `text`; BOS first when `bos`, EOS last when `eos`. */
  encode(text: string, opts: { bos?: boolean; eos?: boolean } = {}): number[] {
    const ids: number[] = [];
    if (opts.bos) ids.push(this.spec.bosId);
    if (text.length) {
      const norm = (this.spec.addDummyPrefix ? SPACE : '') + text.replaceAll(' ', SPACE);
      const syms: string[] = [];
      for (const ch of norm) {
        if (this.pieceToId.has(ch)) syms.push(ch);
        else for (const b of new TextEncoder().encode(ch)) syms.push(this.spec.pieces[this.byteIds[b]! >= 0 ? this.byteIds[b]! : this.spec.unkId]!);
      }
      // Merge the best-ranked adjacent pair (leftmost on ties) until none applies.
      for (;;) {
        let best = Infinity;
        let at = -1;
        for (let i = 0; i + 1 < syms.length; i++) {
          const r = this.pairRank.get(`${syms[i]}\u0000${syms[i + 1]}`);
          if (r !== undefined && r < best) {
            best = r;
            at = i;
          }
        }
        if (at < 0) break;
        syms.splice(at, 2, syms[at]! + syms[at + 1]!);
      }
      for (const s of syms) ids.push(this.pieceToId.get(s) ?? this.spec.unkId);
    }
    if (opts.eos) ids.push(this.spec.eosId);
    return ids;
  }

  /**
   * Bytes of token `id` printed after `prev`: "▁" -> space, byte pieces -> that byte, a piece right
   * after BOS loses its leading space; lone control bytes are dropped (as the reference printer does).
   */
  pieceBytes(prev: number, id: number): Uint8Array {
    const b = this.byteOf[id]!;
    if (b >= 0) {
      const printable = b >= 0x20 && b !== 0x7f;
      const space = b === 0x09 || b === 0x0a || b === 0x0b || b === 0x0c || b === 0x0d;
      return printable || space || b >= 0x80 ? Uint8Array.of(b) : new Uint8Array(0);
    }
    if (id === this.spec.bosId || id === this.spec.eosId) return new Uint8Array(0);
    let piece = (this.spec.pieces[id] ?? '').replaceAll(SPACE, ' ');
    if (prev === this.spec.bosId && piece.startsWith(' ')) piece = piece.slice(1);
    return new TextEncoder().encode(piece);
  }

  /** Text of a whole id sequence (the first id is treated as following `prev`). */
  decode(ids: number[], prev = -1): string {
    const d = new StreamingDecoder(this, prev);
    return ids.map((id) => d.push(id)).join('') + d.flush();
  }
}
