// Parses a llama2.c "legacy" checkpoint (stories260K.bin): header of 7 int32 then float32 weights,
// the frozen LLM of the method in its smallest form (Llama-2 architecture, RMSNorm, SwiGLU, GQA, RoPE).
export interface LlamaConfig {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
  /** Classifier shares the token embedding (positive vocab_size in the header). */
  sharedClassifier: boolean;
}

/** Weights exactly as stored: row-major [out][in] matrices (y = W x), per-layer arrays concatenated. */
export interface LlamaWeights {
  tokenEmbedding: Float32Array; // [vocab][dim]
  rmsAtt: Float32Array; // [layer][dim]
  wq: Float32Array; // [layer][dim][dim]
  wk: Float32Array; // [layer][kvDim][dim]
  wv: Float32Array;
  wo: Float32Array; // [layer][dim][dim]
  rmsFfn: Float32Array;
  w1: Float32Array; // [layer][hidden][dim]
  w2: Float32Array; // [layer][dim][hidden]
  w3: Float32Array;
  rmsFinal: Float32Array; // [dim]
  classifier: Float32Array; // [vocab][dim]
}

export function parseLlama2c(bytes: Uint8Array): { config: LlamaConfig; weights: LlamaWeights } {
  if (bytes.byteLength < 28) throw new Error('llama2.c checkpoint: file shorter than its 28-byte header');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const head = new Int32Array(copy.buffer, 0, 7);
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabRaw, seqLen] = Array.from(head) as [number, number, number, number, number, number, number];
  const config: LlamaConfig = { dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize: Math.abs(vocabRaw), seqLen, sharedClassifier: vocabRaw > 0 };
  if ([dim, hiddenDim, nLayers, nHeads, nKvHeads, seqLen].some((v) => v <= 0) || dim % nHeads || nHeads % nKvHeads) {
    throw new Error(`llama2.c checkpoint: implausible header [${Array.from(head).join(', ')}]`);
  }
  const floats = new Float32Array(copy.buffer, 28, (copy.byteLength - 28) >> 2);
  const headSize = dim / nHeads;
  const kvDim = (dim * nKvHeads) / nHeads;
  const V = config.vocabSize;
  let off = 0;
  const take = (n: number): Float32Array => {
    if (off + n > floats.length) throw new Error(`llama2.c checkpoint: truncated (need ${off + n} floats, have ${floats.length})`);
    const a = floats.subarray(off, off + n);
    off += n;
    return a;
  };
  const tokenEmbedding = take(V * dim);
  const rmsAtt = take(nLayers * dim);
  const wq = take(nLayers * dim * dim);
  const wk = take(nLayers * kvDim * dim);
  const wv = take(nLayers * kvDim * dim);
  const wo = take(nLayers * dim * dim);
  const rmsFfn = take(nLayers * dim);
  const w1 = take(nLayers * hiddenDim * dim);
  const w2 = take(nLayers * dim * hiddenDim);
  const w3 = take(nLayers * hiddenDim * dim);
  const rmsFinal = take(dim);
  take(seqLen * (headSize / 2)); // legacy freq_cis_real (RoPE is recomputed)
  take(seqLen * (headSize / 2)); // legacy freq_cis_imag
  const classifier = config.sharedClassifier ? tokenEmbedding : take(V * dim);
  return { config, weights: { tokenEmbedding, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, classifier } };
}
