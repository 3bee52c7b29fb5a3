// Byte-level BPE (GPT-2 family: Qwen2.5, SmolLM, OPT): special tokens split out first, a regex pre-tokenizer,
// each piece's UTF-8 bytes mapped to printable characters, then merges by rank. Lets prepare-llm'd ordinary
// exports take prompts and stream text through the same runtime as SentencePiece models.
import type { TextTokenizer } from './text-tokenizer.ts';

/** GPT-2's reversible byte -> printable character map. */
function byteToUnicode(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const map = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) map[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  return map;
}

export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** JS has no inline (?i:...) groups (Node 20): expand the contraction group used by Qwen/Llama-3 patterns. */
export function jsPattern(pattern: string): RegExp {
  const fixed = pattern.replace(/\(\?i:([^)]*)\)/g, (_m, body: string) =>
    `(?:${body
      .split('|')
      .map((alt) => alt.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`))
      .join('|')})`,
  );
  return new RegExp(fixed, 'gu');
}

export interface ByteLevelSpec {
  vocab: Record<string, number>;
  merges: [string, string][];
  special: { id: number; content: string }[];
  pattern: string;
  bosId?: number;
  eosId?: number;
  addBos?: boolean;
}

export class ByteLevelBpe implements TextTokenizer {
  private readonly b2u = byteToUnicode();
  private readonly u2b = new Map(this.b2u.map((c, b) => [c, b]));
  private readonly rank = new Map<string, number>();
  private readonly pieces: string[] = [];
  private readonly specialIds = new Set<number>();
  private readonly splitter: RegExp;
  private readonly specialRe?: RegExp;

  constructor(private readonly spec: ByteLevelSpec) {
    spec.merges.forEach(([a, b], r) => this.rank.has(`${a} ${b}`) || this.rank.set(`${a} ${b}`, r));
    for (const [p, id] of Object.entries(spec.vocab)) this.pieces[id] = p;
    for (const s of spec.special) {
      this.pieces[s.id] = s.content;
      this.specialIds.add(s.id);
    }
    this.splitter = jsPattern(spec.pattern);
    if (spec.special.length) this.specialRe = new RegExp(`(${spec.special.map((s) => s.content.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'u');
  }

  get bosId(): number | undefined {
    return this.spec.bosId;
  }

  get eosId(): number | undefined {
    return this.spec.eosId;
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  private bpe(word: string): string[] {
    let syms = [...word];
    for (;;) {
      let best = Infinity;
      let at = -1;
      for (let i = 0; i + 1 < syms.length; i++) {
        const r = this.rank.get(`${syms[i]} ${syms[i + 1]}`);
        if (r !== undefined && r < best) {
          best = r;
          at = i;
        }
      }
      if (at < 0) return syms;
      syms = [...syms.slice(0, at), syms[at]! + syms[at + 1]!, ...syms.slice(at + 2)];
    }
  }

  encode(text: string, opts: { bos?: boolean; eos?: boolean } = {}): number[] {
    const ids: number[] = [];
    if (opts.bos && this.spec.bosId !== undefined && this.spec.addBos !== false) ids.push(this.spec.bosId);
    const parts = this.specialRe ? text.split(this.specialRe) : [text];
    for (const part of parts) {
      if (!part) continue;
      const special = this.spec.special.find((s) => s.content === part);
      if (special) {
        ids.push(special.id);
        continue;
      }
      for (const m of part.matchAll(this.splitter)) {
        const mapped = Array.from(new TextEncoder().encode(m[0]), (b) => this.b2u[b]!).join('');
        for (const piece of this.bpe(mapped)) {
          const id = this.spec.vocab[piece];
          if (id === undefined) throw new Error(`byte-level BPE: piece ${JSON.stringify(piece)} missing from the vocabulary`);
          ids.push(id);
        }
      }
    }
    if (opts.eos && this.spec.eosId !== undefined) ids.push(this.spec.eosId);
    return ids;
  }

  pieceBytes(_prev: number, id: number): Uint8Array {
    if (this.specialIds.has(id)) return new Uint8Array(0);
    return Uint8Array.from([...(this.pieces[id] ?? '')], (c) => this.u2b.get(c) ?? 0x3f);
  }

  decode(ids: number[]): string {
    const bytes: number[] = [];
    for (const id of ids) bytes.push(...this.pieceBytes(-1, id));
    return new TextDecoder().decode(Uint8Array.from(bytes));
  }
}

export function isByteLevel(json: { pre_tokenizer?: unknown; decoder?: unknown }): boolean {
  return JSON.stringify(json.pre_tokenizer ?? null).includes('"ByteLevel"') || JSON.stringify(json.decoder ?? null).includes('"ByteLevel"');
}

/** The Split regex of a tokenizer.json pre-tokenizer, or GPT-2's default. */
export function splitPattern(preTokenizer: unknown): string {
  const m = /"Split","pattern":\{"Regex":("(?:[^"\\]|\\.)*")/.exec(JSON.stringify(preTokenizer ?? null));
  return m ? (JSON.parse(m[1]!) as string) : GPT2_PATTERN;
}
