// Writes the frozen LLM (Llama-2 architecture, from a llama2.c checkpoint) as an ONNX decoder with the
// soft-prompt contract: inputs_embeds + attention_mask + position_ids + past_key_values.{i}.key/value
// -> logits + present.{i}.key/value. The token lookup happens outside (embedding table beside the
// model), so soft tokens (projected user/item/evidence latents) and ordinary tokens mix freely.
import { DataType, GraphBuilder } from '../onnx-graph/graph-builder.ts';
import type { ModelProto } from '../onnx-graph/model-io.ts';
import type { LlamaConfig, LlamaWeights } from './llama2c-checkpoint.ts';

export const RMS_EPS = 1e-5;
export const ROPE_THETA = 10000;

/** [out][in] slice of a stacked weight -> [in][out] (ONNX MatMul computes x @ W). */
function transposed(all: Float32Array, layer: number, out: number, inp: number): Float32Array {
  const base = layer * out * inp;
  const t = new Float32Array(out * inp);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) t[i * out + o] = all[base + o * inp + i]!;
  return t;
}

/**
 * RoPE tables [seqLen][headSize] for interleaved pairs (2i, 2i+1), each frequency repeated twice and
 * computed in float32 steps as the reference C does (1 / theta^(2i/headSize), angle = pos * freq).
 */
export function ropeTables(seqLen: number, headSize: number): { cos: Float32Array; sin: Float32Array } {
  const cos = new Float32Array(seqLen * headSize);
  const sin = new Float32Array(seqLen * headSize);
  const f = Math.fround;
  for (let pos = 0; pos < seqLen; pos++) {
    for (let i = 0; i < headSize; i += 2) {
      const freq = f(1 / f(Math.pow(ROPE_THETA, f(i / headSize))));
      const val = f(pos * freq);
      const c = f(Math.cos(val));
      const s = f(Math.sin(val));
      cos[pos * headSize + i] = c;
      cos[pos * headSize + i + 1] = c;
      sin[pos * headSize + i] = s;
      sin[pos * headSize + i + 1] = s;
    }
  }
  return { cos, sin };
}

/** R with (x @ R)[2i] = -x[2i+1], (x @ R)[2i+1] = x[2i]: RoPE becomes x*cos + (x@R)*sin. */
function rotationMatrix(headSize: number): Float32Array {
  const r = new Float32Array(headSize * headSize);
  for (let i = 0; i < headSize; i += 2) {
    r[(i + 1) * headSize + i] = -1;
    r[i * headSize + i + 1] = 1;
  }
  return r;
}

export function buildLlamaDecoder(config: LlamaConfig, w: LlamaWeights): ModelProto {
  const { dim: D, hiddenDim: F, nLayers: L, nHeads: H, nKvHeads: KVH, vocabSize: V, seqLen } = config;
  const hd = D / H;
  const kvd = KVH * hd;
  const nRep = H / KVH;
  const g = new GraphBuilder('llama_decoder');
  const x0 = g.input('inputs_embeds', DataType.FLOAT, ['batch_size', 'sequence_length', D]);
  const mask = g.input('attention_mask', DataType.INT64, ['batch_size', 'total_sequence_length']);
  const pos = g.input('position_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const past: [string, string][] = [];
  for (let l = 0; l < L; l++) {
    past.push([
      g.input(`past_key_values.${l}.key`, DataType.FLOAT, ['batch_size', KVH, 'past_sequence_length', hd]),
      g.input(`past_key_values.${l}.value`, DataType.FLOAT, ['batch_size', KVH, 'past_sequence_length', hd]),
    ]);
  }

  // Additive attention bias [B, 1, nRep*T, S]: causal over cache slots, padding from attention_mask.
  const T1 = g.op('Shape', [x0], { start: { i: 1 }, end: { i: 2 } });
  const S1 = g.op('Shape', [mask], { start: { i: 1 }, end: { i: 2 } });
  const Ts = g.op('Squeeze', [T1, g.ints([0])]);
  const Ss = g.op('Squeeze', [S1, g.ints([0])]);
  const Ps = g.op('Sub', [Ss, Ts]);
  const keyIdx = g.op('Range', [g.scalarInt(0), Ss, g.scalarInt(1)]);
  const qIdx = g.op('Unsqueeze', [g.op('Range', [Ps, Ss, g.scalarInt(1)]), g.ints([1])]);
  const causal = g.op('LessOrEqual', [keyIdx, qIdx]);
  const pad = g.op('Unsqueeze', [g.op('Cast', [mask], { to: { i: DataType.BOOL } }), g.ints([1, 2])]);
  const allowed = g.op('And', [causal, pad]);
  const bias = g.op('Where', [allowed, g.scalar(0), g.scalar(-1e9)]);
  const biasRep = nRep > 1 ? g.op('Tile', [bias, g.ints([1, 1, nRep, 1])]) : bias;

  // q, k and v come from one MatMul; RoPE runs once over all heads with tables that are the identity
  // (cos 1, sin 0) on the v heads, then the heads are split. Fewer, larger kernels per token.
  const NH = H + 2 * KVH;
  const { cos, sin } = ropeTables(seqLen, hd);
  const cosAll = new Float32Array(seqLen * NH * hd).fill(1);
  const sinAll = new Float32Array(seqLen * NH * hd);
  for (let p = 0; p < seqLen; p++) {
    for (let h = 0; h < H + KVH; h++) {
      cosAll.set(cos.subarray(p * hd, (p + 1) * hd), (p * NH + h) * hd);
      sinAll.set(sin.subarray(p * hd, (p + 1) * hd), (p * NH + h) * hd);
    }
  }
  const cosT = g.op('Gather', [g.float('rope_cos', cosAll, [seqLen, NH, hd]), pos]);
  const sinT = g.op('Gather', [g.float('rope_sin', sinAll, [seqLen, NH, hd]), pos]);
  const R = g.float('rope_rotate', rotationMatrix(hd), [hd, hd]);
  const rope = (x4: string) => g.op('Add', [g.op('Mul', [x4, cosT]), g.op('Mul', [g.op('MatMul', [x4, R]), sinT])]);
  const qkvWeight = (l: number) => {
    const wq = transposed(w.wq, l, D, D);
    const wk = transposed(w.wk, l, kvd, D);
    const wv = transposed(w.wv, l, kvd, D);
    const out = new Float32Array(D * (D + 2 * kvd));
    for (let i = 0; i < D; i++) {
      out.set(wq.subarray(i * D, (i + 1) * D), i * (D + 2 * kvd));
      out.set(wk.subarray(i * kvd, (i + 1) * kvd), i * (D + 2 * kvd) + D);
      out.set(wv.subarray(i * kvd, (i + 1) * kvd), i * (D + 2 * kvd) + D + kvd);
    }
    return g.float(`layers.${l}.wqkv`, out, [D, D + 2 * kvd]);
  };
  const splitHeads = g.ints([H, KVH, KVH]);

  const eps = g.scalar(RMS_EPS);
  // Written as Pow -> ReduceMean -> Add -> Sqrt -> Div -> Mul: the pattern onnxruntime fuses into one
  // SimplifiedLayerNormalization kernel.
  const two = g.scalar(2);
  const rms = (x: string, weight: string) => {
    const ms = g.op('ReduceMean', [g.op('Pow', [x, two])], { axes: { ints: [-1] }, keepdims: { i: 1 } });
    return g.op('Mul', [g.op('Div', [x, g.op('Sqrt', [g.op('Add', [ms, eps])])]), weight]);
  };
  const scale = g.scalar(Math.fround(Math.sqrt(hd)));
  const toHeads = [0, 2, 1, 3];

  let x = x0;
  for (let l = 0; l < L; l++) {
    const h = rms(x, g.float(`layers.${l}.attention_norm`, w.rmsAtt.slice(l * D, (l + 1) * D), [D]));
    const qkv = g.op('MatMul', [h, qkvWeight(l)]);
    const heads = g.op('Transpose', [rope(g.op('Reshape', [qkv, g.ints([0, 0, NH, hd])]))], { perm: { ints: toHeads } });
    const [qh, kh, vh] = g.opN('Split', [heads, splitHeads], 3, { axis: { i: 1 } }) as [string, string, string];
    const presentK = g.op('Concat', [past[l]![0], kh], { axis: { i: 2 } }, [`present.${l}.key`]);
    const presentV = g.op('Concat', [past[l]![1], vh], { axis: { i: 2 } }, [`present.${l}.value`]);
    // Grouped-query attention without copying K/V: the nRep query heads sharing a KV head become rows.
    const qg = g.op('Reshape', [qh, g.ints([0, KVH, -1, hd])]);
    const scores = g.op('Div', [g.op('MatMul', [qg, g.op('Transpose', [presentK], { perm: { ints: [0, 1, 3, 2] } })]), scale]);
    const att = g.op('Softmax', [g.op('Add', [scores, biasRep])], { axis: { i: -1 } });
    const o = g.op('Reshape', [g.op('MatMul', [att, presentV]), g.ints([0, H, -1, hd])]);
    const merged = g.op('Reshape', [g.op('Transpose', [o], { perm: { ints: toHeads } }), g.ints([0, 0, D])]);
    x = g.op('Add', [x, g.op('MatMul', [merged, g.float(`layers.${l}.wo`, transposed(w.wo, l, D, D), [D, D])])]);

    const h2 = rms(x, g.float(`layers.${l}.ffn_norm`, w.rmsFfn.slice(l * D, (l + 1) * D), [D]));
    const w13 = new Float32Array(D * 2 * F);
    const t1 = transposed(w.w1, l, F, D);
    const t3 = transposed(w.w3, l, F, D);
    for (let i = 0; i < D; i++) {
      w13.set(t1.subarray(i * F, (i + 1) * F), i * 2 * F);
      w13.set(t3.subarray(i * F, (i + 1) * F), i * 2 * F + F);
    }
    const [a, b] = g.opN('Split', [g.op('MatMul', [h2, g.float(`layers.${l}.w13`, w13, [D, 2 * F])]), g.ints([F, F])], 2, { axis: { i: -1 } }) as [string, string];
    const act = g.op('Mul', [g.op('Mul', [a, g.op('Sigmoid', [a])]), b]);
    x = g.op('Add', [x, g.op('MatMul', [act, g.float(`layers.${l}.w2`, transposed(w.w2, l, D, F), [F, D])])]);
  }
  const hf = rms(x, g.float('norm', w.rmsFinal.slice(), [D]));
  g.op('MatMul', [hf, g.float('lm_head', transposed(w.classifier, 0, V, D), [D, V])], {}, ['logits']);

  g.output('logits', DataType.FLOAT, ['batch_size', 'sequence_length', V]);
  for (let l = 0; l < L; l++) {
    g.output(`present.${l}.key`, DataType.FLOAT, ['batch_size', KVH, 'total_sequence_length', hd]);
    g.output(`present.${l}.value`, DataType.FLOAT, ['batch_size', KVH, 'total_sequence_length', hd]);
  }
  return g.model(17);
}
