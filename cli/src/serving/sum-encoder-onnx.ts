// A real ONNX user encoder built in TypeScript (no Python): z_u = sum of the history's input embeddings, with
// the exported encoders' input convention (int64 [B, L] of index + 1, left-padded with 0;
// row 0 of the table is zeros). Serves the baseline bundle (baseline-artifacts.ts) and the worker tests.
import protobuf from 'protobufjs';

const schema = {
  nested: {
    ModelProto: { fields: { irVersion: { type: 'int64', id: 1 }, graph: { type: 'GraphProto', id: 7 }, opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 } } },
    OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
    GraphProto: {
      fields: {
        node: { rule: 'repeated', type: 'NodeProto', id: 1 },
        name: { type: 'string', id: 2 },
        initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
        input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
        output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
      },
    },
    NodeProto: {
      fields: {
        input: { rule: 'repeated', type: 'string', id: 1 },
        output: { rule: 'repeated', type: 'string', id: 2 },
        opType: { type: 'string', id: 4 },
        attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
      },
    },
    AttributeProto: { fields: { name: { type: 'string', id: 1 }, i: { type: 'int64', id: 3 }, type: { type: 'int32', id: 20 } } },
    TensorProto: {
      fields: {
        dims: { rule: 'repeated', type: 'int64', id: 1 },
        dataType: { type: 'int32', id: 2 },
        name: { type: 'string', id: 8 },
        rawData: { type: 'bytes', id: 9 },
      },
    },
    ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
    TypeProto: { fields: { tensorType: { type: 'TensorTypeProto', id: 1 } } },
    TensorTypeProto: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
    TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
    Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
  },
};

const FLOAT = 1;
const INT64 = 7;

/** ONNX bytes: input `history` int64 [batch, len] -> output `user_latent` float32 [batch, dim]. */
export function sumEncoderOnnx(itemLatents: Float32Array, dim: number): Uint8Array {
  const n = itemLatents.length / dim;
  const table = new Float32Array((n + 1) * dim);
  table.set(itemLatents, dim);
  const root = protobuf.Root.fromJSON(schema);
  const Model = root.lookupType('ModelProto');
  const msg = Model.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'sum-encoder',
      initializer: [
        { name: 'table', dims: [n + 1, dim], dataType: FLOAT, rawData: new Uint8Array(table.buffer) },
        { name: 'axes', dims: [1], dataType: INT64, rawData: new Uint8Array(BigInt64Array.from([1n]).buffer) },
      ],
      node: [
        { input: ['table', 'history'], output: ['emb'], opType: 'Gather' },
        { input: ['emb', 'axes'], output: ['user_latent'], opType: 'ReduceSum', attribute: [{ name: 'keepdims', i: 0, type: 2 }] },
      ],
      input: [{ name: 'history', type: { tensorType: { elemType: INT64, shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'len' }] } } } }],
      output: [{ name: 'user_latent', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: dim }] } } } }],
    },
  });
  return Model.encode(msg).finish();
}
