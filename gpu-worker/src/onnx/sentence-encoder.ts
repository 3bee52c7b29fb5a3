// Frozen ONNX sentence encoder for item text (the text side of the base aligner, when one is configured instead of
// hashed TF-IDF): BERT-style WordPiece tokenization from a vocab.txt, input_ids/attention_mask(/token_type_ids),
// then `sentence_embedding` when the graph has it, else a masked mean over `last_hidden_state`; rows L2-normalised.
import { readFileSync } from 'node:fs';
import { createSession, run, type OnnxSession, type SessionOptions } from './session.ts';
import { asFloat32, int64 } from './tensor.ts';

export interface WordPiece {
  vocab: Map<string, number>;
  lowercase: boolean;
  unk: number;
  cls: number;
  sep: number;
  pad: number;
}

export function loadWordPiece(vocabText: string, lowercase = true): WordPiece {
  const vocab = new Map<string, number>();
  vocabText.split(/\r?\n/).forEach((t, i) => {
    if (t.length && !vocab.has(t)) vocab.set(t, i);
  });
  const id = (t: string) => {
    const v = vocab.get(t);
    if (v === undefined) throw new Error(`vocab has no ${t} token`);
    return v;
  };
  return { vocab, lowercase, unk: id('[UNK]'), cls: id('[CLS]'), sep: id('[SEP]'), pad: vocab.get('[PAD]') ?? 0 };
}

/** [CLS] wordpieces [SEP], at most maxTokens ids. */
export function tokenize(wp: WordPiece, text: string, maxTokens = 128): number[] {
  let t = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  if (wp.lowercase) t = t.toLowerCase();
  const words = t.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
  const ids = [wp.cls];
  for (const w of words) {
    if (ids.length >= maxTokens - 1) break;
    let start = 0;
    const pieces: number[] = [];
    while (start < w.length) {
      let end = w.length;
      let found: number | undefined;
      while (end > start) {
        const sub = (start > 0 ? '##' : '') + w.slice(start, end);
        found = wp.vocab.get(sub);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) {
        pieces.length = 0;
        pieces.push(wp.unk);
        break;
      }
      pieces.push(found);
      start = end;
    }
    ids.push(...pieces);
  }
  ids.length = Math.min(ids.length, maxTokens - 1);
  ids.push(wp.sep);
  return ids;
}

export interface SentenceEncoder {
  session: OnnxSession;
  dim: number;
  encode(texts: string[], batch?: number): Promise<Float32Array>;
}

export async function createSentenceEncoder(modelPath: string, vocabPath: string, opts: SessionOptions & { maxTokens?: number; lowercase?: boolean } = {}): Promise<SentenceEncoder> {
  const session = await createSession(modelPath, opts);
  const wp = loadWordPiece(readFileSync(vocabPath, 'utf8'), opts.lowercase ?? true);
  const pooled = session.outputNames.includes('sentence_embedding');
  if (!pooled && !session.outputNames.includes('last_hidden_state')) throw new Error(`${modelPath}: needs an output sentence_embedding or last_hidden_state (has ${session.outputNames.join(', ')})`);
  let dim = 0;
  const encodeBatch = async (texts: string[]) => {
    const toks = texts.map((t) => tokenize(wp, t, opts.maxTokens ?? 128));
    const T = Math.max(...toks.map((x) => x.length));
    const ids: number[] = [];
    const mask: number[] = [];
    for (const x of toks) {
      ids.push(...x, ...new Array(T - x.length).fill(wp.pad));
      mask.push(...x.map(() => 1), ...new Array(T - x.length).fill(0));
    }
    const feeds: Record<string, ReturnType<typeof int64>> = { input_ids: int64(ids, [texts.length, T]), attention_mask: int64(mask, [texts.length, T]) };
    if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = int64(new Array(ids.length).fill(0), [texts.length, T]);
    const out = await run(session, feeds, [pooled ? 'sentence_embedding' : 'last_hidden_state']);
    const o = out[pooled ? 'sentence_embedding' : 'last_hidden_state']!;
    const data = asFloat32(o);
    const d = Number(o.dims[o.dims.length - 1]);
    const res = new Float32Array(texts.length * d);
    for (let b = 0; b < texts.length; b++) {
      const row = res.subarray(b * d, (b + 1) * d);
      if (pooled) row.set(data.subarray(b * d, (b + 1) * d));
      else {
        let n = 0;
        for (let t = 0; t < T; t++) {
          if (!mask[b * T + t]) continue;
          n++;
          for (let j = 0; j < d; j++) row[j]! += data[(b * T + t) * d + j]!;
        }
        for (let j = 0; j < d; j++) row[j]! /= Math.max(n, 1);
      }
      const norm = Math.hypot(...row) || 1;
      for (let j = 0; j < d; j++) row[j]! /= norm;
    }
    return { res, d };
  };
  return {
    session,
    get dim() {
      return dim;
    },
    async encode(texts, batch = 32) {
      const parts: Float32Array[] = [];
      for (let s = 0; s < texts.length; s += batch) {
        const { res, d } = await encodeBatch(texts.slice(s, s + batch));
        dim = d;
        parts.push(res);
      }
      const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    },
  };
}
