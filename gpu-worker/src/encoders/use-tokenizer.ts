// SentencePiece (unigram, Viterbi) tokenizer of the Universal Sentence Encoder lite: the text side of the content
// features (issue 10 part 1). A re-implementation of `Tokenizer.encode` of @tensorflow-models/universal-sentence-encoder
// 1.3.3 (a port of SentencePiece's EncodeAsIds) with Maps instead of plain objects; parity with that package's output
// is tested on ML-100K text (use-tokenizer.test.ts), including its quirks (ties go to the later candidate, the
// backward pass steps by the piece's UTF-16 length, consecutive unknowns are merged).
import { readFileSync } from 'node:fs';

/** Piece 0 is unknown; pieces below this index are control symbols and never matched. */
const RESERVED_SYMBOLS = 6;
const SEPARATOR = '\u2581';

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Set when a vocabulary piece ends here. */
  piece?: { length: number; score: number; index: number };
}

export interface UseTokenizer {
  readonly vocabSize: number;
  encode(text: string): number[];
}

/** [piece, log-probability]; seven pieces of the shipped vocabulary have score null (e.g. ':'), which the reference
 * adds as 0 (null + x === x in JavaScript), so null reads as 0 here. */
export type UseVocabulary = Array<[string, number | null]>;

export function loadUseVocabulary(path: string): UseVocabulary {
  const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!Array.isArray(v) || v.some((e) => !Array.isArray(e) || typeof e[0] !== 'string' || (typeof e[1] !== 'number' && e[1] !== null))) {
    throw new Error(`${path}: expected a JSON array of [piece, score] pairs`);
  }
  return v as UseVocabulary;
}

export function createUseTokenizer(vocab: UseVocabulary): UseTokenizer {
  const root: TrieNode = { children: new Map() };
  for (let i = RESERVED_SYMBOLS; i < vocab.length; i++) {
    const [piece, score] = vocab[i]!;
    const symbols = [...piece];
    let node = root;
    for (const s of symbols) {
      let next = node.children.get(s);
      if (!next) {
        next = { children: new Map() };
        node.children.set(s, next);
      }
      node = next;
    }
    if (symbols.length) node.piece = { length: symbols.length, score: score ?? 0, index: i };
  }
  const utf16Length = vocab.map(([p]) => p.length);

  function encode(text: string): number[] {
    const normalized = text.normalize('NFKC');
    const input = normalized.length > 0 ? SEPARATOR + normalized.replace(/ /g, SEPARATOR) : normalized;
    const symbols = [...input];
    const n = symbols.length;
    // lattice[end] = candidate pieces ending at `end`, in ascending start order (as the reference visits them)
    const lattice: Array<Array<{ start: number; length: number; score: number; index: number }>> = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node = root.children.get(symbols[i]!);
      let found = false;
      for (let k = i; k < n && node; k++) {
        if (node.piece) {
          lattice[i + node.piece.length]!.push({ start: i, ...node.piece });
          found = true;
        }
        node = k + 1 < n ? node.children.get(symbols[k + 1]!) : undefined;
      }
      if (!found) lattice[i + 1]!.push({ start: i, length: 1, score: 0, index: 0 });
    }
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    for (let end = 0; end <= n; end++) {
      for (const w of lattice[end]!) {
        const score = w.score + best[end - w.length]!;
        if (best[end] === 0 || score >= best[end]!) {
          best[end] = score;
          words[end] = w.index;
        }
      }
    }
    const reversed: number[] = [];
    for (let at = n; at > 0; at -= utf16Length[words[at]!] ?? 1) reversed.push(words[at]!);
    const merged: number[] = [];
    let previousUnknown = false;
    for (const id of reversed) {
      if (!(previousUnknown && id === 0)) merged.push(id);
      previousUnknown = id === 0;
    }
    return merged.reverse();
  }

  return { vocabSize: vocab.length, encode };
}
