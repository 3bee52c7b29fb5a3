// A small builder for ONNX graphs (nodes, initializers, typed inputs/outputs) used to write the
// frozen-LLM decoder from a llama2.c checkpoint and the tiny decoders of the prepare-llm tests.
import { AttrType, DataType } from './onnx-schema.ts';
import { floatTensor, int64Tensor, type AttributeProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from './model-io.ts';

export type Attr = { i: number } | { f: number } | { ints: number[] } | { floats: number[] } | { s: string } | { t: TensorProto };
export type Dim = number | string;

function attribute(name: string, a: Attr): AttributeProto {
  if ('i' in a) return { name, type: AttrType.INT, i: a.i };
  if ('f' in a) return { name, type: AttrType.FLOAT, f: a.f };
  if ('ints' in a) return { name, type: AttrType.INTS, ints: a.ints };
  if ('floats' in a) return { name, type: AttrType.FLOATS, floats: a.floats };
  if ('s' in a) return { name, type: AttrType.STRING, s: new TextEncoder().encode(a.s) };
  return { name, type: AttrType.TENSOR, t: a.t };
}

export function valueInfo(name: string, elemType: number, dims: Dim[]): ValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private counter = 0;
  private consts = new Map<string, string>();

  constructor(readonly name: string) {}

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  input(name: string, elemType: number, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: number, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** Adds a node and returns its single output name (or `outputs` when given). */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, outputs?: string[]): string {
    const out = outputs ?? [this.fresh(opType.toLowerCase())];
    this.nodes.push({ opType, input: inputs, output: out, name: this.fresh(`n_${opType}`), attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return out[0]!;
  }

  /** Multi-output node; returns all output names. */
  opN(opType: string, inputs: string[], n: number, attrs: Record<string, Attr> = {}): string[] {
    const out = Array.from({ length: n }, () => this.fresh(opType.toLowerCase()));
    this.op(opType, inputs, attrs, out);
    return out;
  }

  float(name: string, data: Float32Array, dims: number[]): string {
    this.initializers.push(floatTensor(name, data, dims));
    return name;
  }

  /** Interned int64 constant (shapes, axes). */
  ints(values: number[]): string {
    const key = `i64:${values.join(',')}`;
    let name = this.consts.get(key);
    if (!name) {
      name = this.fresh('const_i64');
      this.initializers.push(int64Tensor(name, values));
      this.consts.set(key, name);
    }
    return name;
  }

  /** Interned int64 scalar (rank 0) constant, e.g. for Range. */
  scalarInt(v: number): string {
    const key = `i64s:${v}`;
    let name = this.consts.get(key);
    if (!name) {
      name = this.fresh('const_i64s');
      this.initializers.push(int64Tensor(name, [v], []));
      this.consts.set(key, name);
    }
    return name;
  }

  /** Interned float32 scalar constant. */
  scalar(v: number): string {
    const key = `f32:${v}`;
    let name = this.consts.get(key);
    if (!name) {
      name = this.fresh('const_f32');
      this.initializers.push(floatTensor(name, Float32Array.of(v), []));
      this.consts.set(key, name);
    }
    return name;
  }

  model(opset = 17, producer = 'llmrec-edge'): ModelProto {
    return {
      irVersion: 8,
      opsetImport: [{ domain: '', version: opset }],
      producerName: producer,
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    };
  }
}

export { DataType };
