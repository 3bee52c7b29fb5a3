// A real ONNX user encoder built in TypeScript (no Python): z_u = sum of the history's input embeddings, with
// the exported encoders' input convention (int64 [B, L] of index + 1, left-padded with 0;
// row 0 of the table is zeros). Serves the baseline bundle (baseline-artifacts.ts) and the worker tests.
// Written with the worker's ONNX model writer (one ONNX schema in the tree); its test pins the bytes, because
// the baseline bundle's version is derived from their hash.
import { valueInfo } from '../llm/onnx-graph/graph-builder.ts';
import { encodeModel, floatTensor, int64Tensor } from '../llm/onnx-graph/model-io.ts';
import { AttrType, DataType } from '../llm/onnx-graph/onnx-schema.ts';

/** ONNX bytes: input `history` int64 [batch, len] -> output `user_latent` float32 [batch, dim]. */
export function sumEncoderOnnx(itemLatents: Float32Array, dim: number): Uint8Array {
  const n = itemLatents.length / dim;
  const table = new Float32Array((n + 1) * dim);
  table.set(itemLatents, dim);
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'sum-encoder',
      initializer: [floatTensor('table', table, [n + 1, dim]), int64Tensor('axes', [1])],
      node: [
        { input: ['table', 'history'], output: ['emb'], opType: 'Gather' },
        { input: ['emb', 'axes'], output: ['user_latent'], opType: 'ReduceSum', attribute: [{ name: 'keepdims', i: 0, type: AttrType.INT }] },
      ],
      input: [valueInfo('history', DataType.INT64, ['batch', 'len'])],
      output: [valueInfo('user_latent', DataType.FLOAT, ['batch', dim])],
    },
  });
}
