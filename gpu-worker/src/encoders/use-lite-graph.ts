// Universal Sentence Encoder lite as a dense ONNX graph (text encoder of the content features, issue 10 part 1).
// The shipped TF.js graph takes a sparse batch (indices, values) and moves tokens between sparse and dense form with
// Where / ScatterNd / GatherNd around every position-wise step; this rebuilds the same computation densely from its
// named weights: token embedding (counted twice, as the graph does) + sinusoidal timing signal, two pre-norm transformer layers (layer 0 widens 256 ->
// 512 through a residual projection), mean over tokens, tanh layer, L2 normalisation. Padding is masked exactly where
// the sparse graph has no entries (embeddings, residual projection, FFN outputs, attention keys, pooling), so valid
// positions see the same arithmetic. Inputs: input_ids / attention_mask int64 [batch, tokens<=128]; output
// `embeddings` float32 [batch, 512].
import { GraphBuilder, DataType } from '../llm/onnx-graph/graph-builder.ts';
import type { ModelProto } from '../llm/onnx-graph/model-io.ts';
import { getWeight, type NamedWeight } from './tfjs-weights.ts';

export const USE_MAX_TOKENS = 128;
export const USE_DIM = 512;

const K = 'module_apply_default/Encoder_en/KonaTransformer';
const LN_EPS = 1e-6;

interface LayerSpec {
  width: number;
  heads: number;
  /** Layer 0 projects its 256-d input to the 512-d residual stream. */
  residualProjection: boolean;
}

function scalarWeight(w: Map<string, NamedWeight>, name: string): number {
  const v = getWeight(w, name);
  if (v.length !== 1) throw new Error(`weight ${name}: expected a scalar, got ${v.length} values`);
  return v[0]!;
}

/** Builds the ONNX model from the USE-lite weights (tfjs-weights.ts decodeWeights of the package's model.json). */
export function buildUseLiteGraph(w: Map<string, NamedWeight>): ModelProto {
  const g = new GraphBuilder('use_lite');
  const ids = g.input('input_ids', DataType.INT64, ['batch', 'tokens']);
  const maskI = g.input('attention_mask', DataType.INT64, ['batch', 'tokens']);
  const mask = g.op('Cast', [maskI], { to: { i: DataType.FLOAT } });
  const mask3 = g.op('Unsqueeze', [mask, g.ints([-1])]);

  const emb = getWeight(w, 'module/Embeddings_en');
  const embDim = 256;
  const tokens = g.op('Gather', [g.float('token_embeddings', emb, [emb.length / embDim, embDim]), ids]);
  // Timing signal: sin(p * inv) ++ cos(p * inv) over the position p of each token (the graph multiplies the float
  // position by the stored inverse timescales, as here).
  const invTs = getWeight(w, `${K}/Encode/TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`);
  const T = g.op('Squeeze', [g.op('Shape', [ids], { start: { i: 1 }, end: { i: 2 } }), g.ints([0])]);
  const pos = g.op('Cast', [g.op('Range', [g.scalarInt(0), T, g.scalarInt(1)])], { to: { i: DataType.FLOAT } });
  const angle = g.op('Mul', [g.op('Unsqueeze', [pos, g.ints([1])]), g.float('inv_timescales', invTs, [1, invTs.length])]);
  const timing = g.op('Concat', [g.op('Sin', [angle]), g.op('Cos', [angle])], { axis: { i: 1 } });
  // The graph adds the embeddings twice: AddTimingSignal returns embeddings + timing, and Layer_0/add sums that
  // with the scattered embeddings again (x0 = 2e + t); kept, since the weights were trained with it.
  const x0 = g.op('Mul', [g.op('Add', [tokens, g.op('Add', [tokens, timing])]), mask3]);

  // Additive key bias [B, 1, 1, T]: -1e9 on padding, as attention_bias_ignore_padding.
  const biasScale = scalarWeight(w, `${K}/Encode/TransformerStack/Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y`);
  const keyBias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [g.scalar(1), mask]), g.scalar(biasScale)]), g.ints([1, 2])]);

  const layerNorm = (x: string, prefix: string, width: number) =>
    g.op('LayerNormalization', [x, g.float(`${prefix}.ln_scale`, getWeight(w, `${prefix}/layer_norm/layer_norm_scale/ConcatPartitions/concat`), [width]), g.float(`${prefix}.ln_bias`, getWeight(w, `${prefix}/layer_norm/layer_norm_bias/ConcatPartitions/concat`), [width])], {
      axis: { i: -1 },
      epsilon: { f: LN_EPS },
    });
  const dense = (x: string, kernel: Float32Array, bias: Float32Array, inDim: number, name: string) => {
    const outDim = kernel.length / inDim;
    return g.op('Add', [g.op('MatMul', [x, g.float(`${name}.kernel`, kernel, [inDim, outDim])]), g.float(`${name}.bias`, bias, [outDim])]);
  };

  const layers: LayerSpec[] = [
    { width: 256, heads: 4, residualProjection: true },
    { width: 512, heads: 4, residualProjection: false },
  ];
  let x = x0;
  layers.forEach((spec, l) => {
    const enc = `${K}/Encode/Layer_${l}/TransformerLayer`;
    const stack = `${K}/Encode/TransformerStack/Layer_${l}/TransformerLayer`;
    const kernel = `module/Encoder_en/KonaTransformer/Encode/Layer_${l}/TransformerLayer/MultiheadAttention`;
    const { width: W, heads: H } = spec;
    const depth = W / H;

    const h = layerNorm(x, `${enc}/layer_prepostprocess`, W);
    const qkv = dense(h, getWeight(w, `${kernel}/qkv_transform_single/kernel/part_0`), getWeight(w, `${enc}/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`), W, `l${l}.qkv`);
    const [q, k, v] = g.opN('Split', [qkv, g.ints([W, W, W])], 3, { axis: { i: -1 } }) as [string, string, string];
    const heads = (t: string) => g.op('Transpose', [g.op('Reshape', [t, g.ints([0, 0, H, depth])])], { perm: { ints: [0, 2, 1, 3] } });
    const qs = g.op('Mul', [heads(q), g.scalar(scalarWeight(w, `${stack}/MultiheadAttention/mul/y`))]);
    const logits = g.op('Add', [g.op('MatMul', [qs, g.op('Transpose', [heads(k)], { perm: { ints: [0, 1, 3, 2] } })]), keyBias]);
    const att = g.op('MatMul', [g.op('Softmax', [logits], { axis: { i: -1 } }), heads(v)]);
    const merged = g.op('Reshape', [g.op('Transpose', [att], { perm: { ints: [0, 2, 1, 3] } }), g.ints([0, 0, W])]);
    const attOut = dense(merged, getWeight(w, `${kernel}/output_transform_single/kernel/part_0`), getWeight(w, `${enc}/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`), W, `l${l}.attn_out`);
    const residual = spec.residualProjection
      ? g.op('Mul', [dense(x, getWeight(w, `${enc}/dense/kernel/ConcatPartitions/concat`), getWeight(w, `${enc}/dense/bias/ConcatPartitions/concat`), W, `l${l}.residual`), mask3])
      : x;
    const y = g.op('Add', [attOut, residual]);

    const f = layerNorm(y, `${enc}/FFN/layer_prepostprocess`, USE_DIM);
    const f1 = g.op('Relu', [dense(f, getWeight(w, `${stack}/FFN/conv1/Tensordot/Reshape_1`), getWeight(w, `${enc}/FFN/conv1/bias/ConcatPartitions/concat`), USE_DIM, `l${l}.ffn1`)]);
    const f2 = dense(f1, getWeight(w, `${stack}/FFN/conv2/Tensordot/Reshape_1`), getWeight(w, `${enc}/FFN/conv2/bias/ConcatPartitions/concat`), getWeight(w, `${stack}/FFN/conv2/Tensordot/Reshape_1`).length / USE_DIM, `l${l}.ffn2`);
    x = g.op('Add', [g.op('Mul', [f2, mask3]), y]);
  });

  const summed = g.op('ReduceSum', [g.op('Mul', [x, mask3]), g.ints([1])], { keepdims: { i: 0 } });
  const count = g.op('Max', [g.op('ReduceSum', [mask, g.ints([1])], { keepdims: { i: 1 } }), g.scalar(1)]);
  const pooled = g.op('Div', [summed, count]);
  const t = g.op('Tanh', [dense(pooled, getWeight(w, 'module/Encoder_en/hidden_layers/tanh_layer_0/weights'), getWeight(w, 'module/Encoder_en/hidden_layers/tanh_layer_0/bias'), USE_DIM, 'tanh_layer')]);
  const eps = scalarWeight(w, 'module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y');
  const sq = g.op('ReduceSum', [g.op('Mul', [t, t]), g.ints([1])], { keepdims: { i: 1 } });
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Max', [sq, g.scalar(eps)])])]);
  g.op('Mul', [t, inv], {}, ['embeddings']);
  g.output('embeddings', DataType.FLOAT, ['batch', USE_DIM]);
  return g.model(17);
}
