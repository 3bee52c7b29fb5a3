// What the LLM runtime needs from a tokenizer (SentencePiece-style or byte-level BPE): text -> ids for the
// prompt's hard tokens and candidate titles, ids -> bytes for streaming generated text.
export interface TextTokenizer {
  /** Beginning-of-sequence id, undefined when the model has none (e.g. Qwen2). */
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  readonly vocabSize: number;
  /** Token ids of `text`; BOS first when `bos` and the model has one. */
  encode(text: string, opts?: { bos?: boolean; eos?: boolean }): number[];
  /** Bytes printed for `id` following `prev`. */
  pieceBytes(prev: number, id: number): Uint8Array;
  decode(ids: number[], prev?: number): string;
}

/** Incremental decoding for token streaming: multi-byte characters split across tokens come out whole. */
export class StreamingDecoder {
  private readonly utf8 = new TextDecoder('utf-8');
  constructor(private readonly tok: TextTokenizer, private prev = -1) {}

  push(id: number): string {
    const bytes = this.tok.pieceBytes(this.prev, id);
    this.prev = id;
    return this.utf8.decode(bytes, { stream: true });
  }

  flush(): string {
    return this.utf8.decode();
  }
}
