// TF.js graph model (frozen TensorFlow GraphDef in model.json + weights) -> ONNX, node by node, for the audio encoder
// of the content features (issue 10 part 1): basic-pitch ships its CQT front end and CNN this way. Covers the op set
// of such dense graphs (convolutions incl. fused bias/ReLU, pads, strided slices, shape arithmetic, reductions,
// element-wise math); an op outside it fails the conversion with its name. Layout: tensors keep TensorFlow's NHWC;
// each Conv2D is wrapped in transposes (onnxruntime cancels the adjacent ones); integer tensors become int64.
import { GraphBuilder, DataType, type Dim } from '../llm/onnx-graph/graph-builder.ts';
import type { ModelProto } from '../llm/onnx-graph/model-io.ts';
import { int64Tensor } from '../llm/onnx-graph/model-io.ts';
import type { NamedWeight } from './tfjs-weights.ts';

interface TfAttr {
  i?: string | number;
  f?: number;
  b?: boolean;
  s?: string;
  type?: string | number;
  list?: { i?: Array<string | number>; s?: string[] };
  shape?: unknown;
}

interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

export interface TfGraphToOnnxOptions {
  /** Graph input placeholder -> ONNX input name and dims (e.g. { input_2: { name: 'audio', dims: ['batch', 43844, 1] } }). */
  inputs: Record<string, { name: string; dims: Dim[] }>;
  /** TF node name -> ONNX output name. */
  outputs: Record<string, { name: string; dims: Dim[] }>;
}

const INT_MAX = 2 ** 62;

const str = (a: TfAttr | undefined): string => (a?.s ? Buffer.from(a.s, 'base64').toString('utf8') : '');
const int = (a: TfAttr | undefined, fallback = 0): number => (a?.i === undefined ? fallback : Number(a.i));
const ints = (a: TfAttr | undefined): number[] => (a?.list?.i ?? []).map(Number);

/** HWIO -> OIHW. */
function oihw(k: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh!; y++) for (let x = 0; x < kw!; x++) for (let i = 0; i < ci!; i++) for (let o = 0; o < co!; o++) out[((o * ci! + i) * kh! + y) * kw! + x] = k[((y * kw! + x) * ci! + i) * co! + o]!;
  return out;
}

export function buildTfGraph(topology: unknown, w: Map<string, NamedWeight>, opts: TfGraphToOnnxOptions): ModelProto {
  const nodes = (topology as { node?: TfNode[] }).node;
  if (!nodes) throw new Error('not a TF.js graph model (modelTopology.node missing)');
  const g = new GraphBuilder('tf_graph');
  const value = new Map<string, string>();
  /** Values of integer constants, for ops whose operands must be static (slices, pads, axes, perms). */
  const constInts = new Map<string, number[]>();

  /** Constants become initializers only when an op reads them as a tensor (kernels and static operands are
   * consumed at conversion time), so the model carries no unused initializers. */
  const lazyConst = new Map<string, () => string>();
  const src = (ref: string): string => {
    const name = ref.replace(/^\^/, '').replace(/:0$/, '');
    let v = value.get(name);
    if (!v && lazyConst.has(name)) {
      v = lazyConst.get(name)!();
      value.set(name, v);
    }
    if (!v) throw new Error(`TF input ${ref} not available (unsupported multi-output or control edge)`);
    return v;
  };
  const staticInts = (ref: string, what: string): number[] => {
    const v = constInts.get(ref.replace(/:0$/, ''));
    if (!v) throw new Error(`${what}: ${ref} must be a constant`);
    return v;
  };

  for (const n of nodes) {
    const a = n.attr ?? {};
    const inp = n.input ?? [];
    const x = () => src(inp[0]!);
    const set = (v: string) => value.set(n.name, v);
    switch (n.op) {
      case 'Const': {
        const wt = w.get(n.name);
        if (!wt) throw new Error(`constant ${n.name} has no weight data`);
        if (wt.data instanceof Int32Array) {
          const vals = Array.from(wt.data);
          constInts.set(n.name, vals);
          lazyConst.set(n.name, () => {
            const name = g.fresh('c_i64');
            g.initializers.push(int64Tensor(name, vals, wt.spec.shape));
            return name;
          });
        } else {
          const data = wt.data;
          lazyConst.set(n.name, () => g.float(g.fresh('c_f32'), data, wt.spec.shape));
        }
        break;
      }
      case 'Placeholder': {
        const spec = opts.inputs[n.name];
        if (!spec) throw new Error(`graph input ${n.name} has no ONNX name (options.inputs)`);
        set(g.input(spec.name, DataType.FLOAT, spec.dims));
        break;
      }
      case 'Identity':
        set(g.op('Identity', [x()]));
        break;
      case 'Shape':
        set(g.op('Shape', [x()]));
        break;
      case 'Reshape':
        set(g.op('Reshape', [x(), src(inp[1]!)]));
        break;
      case 'ExpandDims':
        set(g.op('Unsqueeze', [x(), g.ints(staticInts(inp[1]!, n.name))]));
        break;
      case 'Squeeze':
        set(g.op('Squeeze', [x(), g.ints(ints(a.squeeze_dims))]));
        break;
      case 'Transpose':
        set(g.op('Transpose', [x()], { perm: { ints: staticInts(inp[1]!, n.name) } }));
        break;
      case 'Pack': {
        const axis = int(a.axis);
        set(g.op('Concat', inp.map((r) => g.op('Unsqueeze', [src(r), g.ints([axis])])), { axis: { i: axis } }));
        break;
      }
      case 'ConcatV2': {
        const axis = staticInts(inp[inp.length - 1]!, n.name)[0]!;
        set(g.op('Concat', inp.slice(0, -1).map(src), { axis: { i: axis } }));
        break;
      }
      case 'Pad':
      case 'MirrorPad': {
        const p = staticInts(inp[1]!, n.name);
        const rank = p.length / 2;
        const pads = [...Array.from({ length: rank }, (_, i) => p[2 * i]!), ...Array.from({ length: rank }, (_, i) => p[2 * i + 1]!)];
        const mode = n.op === 'Pad' ? 'constant' : str(a.mode).toLowerCase();
        if (mode !== 'constant' && mode !== 'reflect') throw new Error(`${n.name}: MirrorPad mode ${mode} has no ONNX equivalent`);
        set(g.op('Pad', [x(), g.ints(pads)], { mode: { s: mode } }));
        break;
      }
      case 'StridedSlice': {
        if (int(a.ellipsis_mask)) throw new Error(`${n.name}: ellipsis_mask not supported`);
        const [begin, end, strides] = [1, 2, 3].map((k) => staticInts(inp[k]!, n.name)) as [number[], number[], number[]];
        const [bm, em, sm, nm] = [int(a.begin_mask), int(a.end_mask), int(a.shrink_axis_mask), int(a.new_axis_mask)];
        const starts: number[] = [];
        const ends: number[] = [];
        const steps: number[] = [];
        const axes: number[] = [];
        const squeeze: number[] = [];
        const unsqueeze: number[] = [];
        let d = 0;
        let outDim = 0;
        for (let j = 0; j < begin.length; j++) {
          const bit = 1 << j;
          if (nm & bit) {
            unsqueeze.push(outDim++);
            continue;
          }
          const s = strides[j]!;
          let b = bm & bit ? (s > 0 ? 0 : INT_MAX) : begin[j]!;
          let e = em & bit ? (s > 0 ? INT_MAX : -INT_MAX) : end[j]!;
          if (sm & bit) {
            b = begin[j]!;
            e = b === -1 ? INT_MAX : b + 1;
            squeeze.push(d);
          } else outDim++;
          starts.push(b);
          ends.push(e);
          steps.push(s);
          axes.push(d++);
        }
        let y = g.op('Slice', [x(), g.ints(starts), g.ints(ends), g.ints(axes), g.ints(steps)]);
        if (squeeze.length) y = g.op('Squeeze', [y, g.ints(squeeze)]);
        if (unsqueeze.length) y = g.op('Unsqueeze', [y, g.ints(unsqueeze)]);
        set(y);
        break;
      }
      case 'Conv2D':
      case '_FusedConv2D': {
        if (str(a.data_format) !== 'NHWC') throw new Error(`${n.name}: data format ${str(a.data_format)}`);
        const kw = w.get(inp[1]!);
        if (!kw || !(kw.data instanceof Float32Array)) throw new Error(`${n.name}: kernel ${inp[1]} must be a float constant`);
        const shape = kw.spec.shape;
        const st = ints(a.strides);
        const dil = ints(a.dilations);
        const padding = str(a.padding);
        if (padding !== 'SAME' && padding !== 'VALID') throw new Error(`${n.name}: padding ${padding}`);
        const ins = [g.op('Transpose', [x()], { perm: { ints: [0, 3, 1, 2] } }), g.float(g.fresh('kernel'), oihw(kw.data, shape), [shape[3]!, shape[2]!, shape[0]!, shape[1]!])];
        const fused = n.op === '_FusedConv2D' ? (a.fused_ops?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8')) : [];
        if (fused.length && fused[0] !== 'BiasAdd') throw new Error(`${n.name}: fused ops ${fused.join('+')} not supported`);
        if (fused[0] === 'BiasAdd') ins.push(src(inp[2]!));
        const conv = g.op('Conv', ins, {
          kernel_shape: { ints: [shape[0]!, shape[1]!] },
          strides: { ints: [st[1] ?? 1, st[2] ?? 1] },
          dilations: { ints: [dil[1] ?? 1, dil[2] ?? 1] },
          ...(padding === 'SAME' ? { auto_pad: { s: 'SAME_UPPER' } } : { pads: { ints: [0, 0, 0, 0] } }),
        });
        let y = g.op('Transpose', [conv], { perm: { ints: [0, 2, 3, 1] } });
        for (const f of fused.slice(1)) {
          if (f === 'Relu') y = g.op('Relu', [y]);
          else if (f === 'Relu6') y = g.op('Clip', [y, g.scalar(0), g.scalar(6)]);
          else throw new Error(`${n.name}: fused op ${f} not supported`);
        }
        set(y);
        break;
      }
      case 'Sum':
        set(g.op('ReduceSum', [x(), g.ints(staticInts(inp[1]!, n.name))], { keepdims: { i: a.keep_dims?.b ? 1 : 0 } }));
        break;
      case 'Min':
      case 'Max':
      case 'Mean':
        set(g.op(n.op === 'Min' ? 'ReduceMin' : n.op === 'Max' ? 'ReduceMax' : 'ReduceMean', [x()], { axes: { ints: staticInts(inp[1]!, n.name) }, keepdims: { i: a.keep_dims?.b ? 1 : 0 } }));
        break;
      case 'Square':
        set(g.op('Mul', [x(), x()]));
        break;
      case 'DivNoNan': {
        const b = src(inp[1]!);
        set(g.op('Where', [g.op('Equal', [b, g.scalar(0)]), g.scalar(0), g.op('Div', [x(), b])]));
        break;
      }
      case 'Add':
      case 'AddV2':
      case 'Sub':
      case 'Mul':
      case 'RealDiv':
      case 'Maximum':
      case 'Minimum': {
        const op = { Add: 'Add', AddV2: 'Add', Sub: 'Sub', Mul: 'Mul', RealDiv: 'Div', Maximum: 'Max', Minimum: 'Min' }[n.op]!;
        set(g.op(op, [x(), src(inp[1]!)]));
        break;
      }
      case 'Neg':
      case 'Sqrt':
      case 'Log':
      case 'Sigmoid':
      case 'Relu':
      case 'Tanh':
      case 'Exp':
        set(g.op(n.op === 'Log' ? 'Log' : n.op, [x()]));
        break;
      default:
        throw new Error(`${n.name}: TF op ${n.op} not supported by the converter`);
    }
  }
  for (const [tf, out] of Object.entries(opts.outputs)) {
    g.op('Identity', [src(tf)], {}, [out.name]);
    g.output(out.name, DataType.FLOAT, out.dims);
  }
  return g.model(17);
}
