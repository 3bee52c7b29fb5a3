// Builds a tiny ONNX model in memory (z = x * y + x, float32, dynamic batch) for tests: no Python, no files.
import protobuf from 'protobufjs';

const onnxSubset = {
  nested: {
    ModelProto: { fields: { irVersion: { type: 'int64', id: 1 }, graph: { type: 'GraphProto', id: 7 }, opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 } } },
    OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
    GraphProto: {
      fields: {
        node: { rule: 'repeated', type: 'NodeProto', id: 1 },
        name: { type: 'string', id: 2 },
        input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
        output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
      },
    },
    NodeProto: { fields: { input: { rule: 'repeated', type: 'string', id: 1 }, output: { rule: 'repeated', type: 'string', id: 2 }, opType: { type: 'string', id: 4 } } },
    ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
    TypeProto: { fields: { tensorType: { type: 'TensorTypeProto', id: 1 } } },
    TensorTypeProto: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
    TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
    Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
  },
};

const vi = (name: string, width: number) => ({
  name,
  type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } },
});

/** ONNX bytes of z = x * y + x over [batch, width] float32 inputs named x and y. */
export function tinyModelBytes(width = 3): Uint8Array {
  const root = protobuf.Root.fromJSON(onnxSubset);
  const Model = root.lookupType('ModelProto');
  const msg = Model.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'tiny',
      node: [
        { input: ['x', 'y'], output: ['xy'], opType: 'Mul' },
        { input: ['xy', 'x'], output: ['z'], opType: 'Add' },
      ],
      input: [vi('x', width), vi('y', width)],
      output: [vi('z', width)],
    },
  });
  return Model.encode(msg).finish();
}
