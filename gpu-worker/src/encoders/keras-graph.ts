// Keras layers model (TF.js `layers-model` JSON + weights) -> ONNX, for the image encoder of the content features
// (issue 10 part 1): nsfwjs ships MobileNetV2 in this form and the features are the global-pooled 1,280-d output of
// its backbone (`flatten_1`), so the graph is cut at a named layer and the classifier head is never built. Covers the
// layer kinds of a MobileNetV2 (convolutions, depthwise convolutions, batch norm, ReLU6, residual adds, pooling,
// padding, flatten); anything else fails loudly. Input `pixel_values` float32 NHWC [batch, H, W, 3] as the Keras model
// takes it (transposed to NCHW once inside); output `features` [batch, dim].
import { GraphBuilder, DataType } from '../llm/onnx-graph/graph-builder.ts';
import type { ModelProto } from '../llm/onnx-graph/model-io.ts';
import { getWeight, type NamedWeight } from './tfjs-weights.ts';

interface KerasLayer {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes: Array<Array<[string, number, number, unknown]>>;
}

interface Value {
  name: string;
  /** NCHW channels and spatial size (static: the input size is fixed at conversion). */
  c: number;
  h: number;
  w: number;
  flat?: boolean;
}

function pair(v: unknown, what: string): [number, number] {
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  if (typeof v === 'number') return [v, v];
  throw new Error(`${what}: expected a pair of numbers, got ${JSON.stringify(v)}`);
}

/** TF 'same' padding: total = max((ceil(in/s) - 1) * s + k - in, 0), the odd pixel at the end. */
function samePads(size: number, k: number, s: number): [number, number] {
  const total = Math.max((Math.ceil(size / s) - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** HWIO (Keras Conv2D) -> OIHW (ONNX). */
function convKernel(k: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh!; y++) for (let x = 0; x < kw!; x++) for (let i = 0; i < ci!; i++) for (let o = 0; o < co!; o++) out[((o * ci! + i) * kh! + y) * kw! + x] = k[((y * kw! + x) * ci! + i) * co! + o]!;
  return out;
}

/** [kh, kw, C, M] (Keras DepthwiseConv2D) -> [C*M, 1, kh, kw] with output channel c*M + m (ONNX grouped conv). */
function depthwiseKernel(k: Float32Array, [kh, kw, c, m]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh!; y++) for (let x = 0; x < kw!; x++) for (let i = 0; i < c!; i++) for (let j = 0; j < m!; j++) out[((i * m! + j) * kh! + y) * kw! + x] = k[((y * kw! + x) * c! + i) * m! + j]!;
  return out;
}

export interface KerasToOnnxOptions {
  /** Layer whose output is the graph output (e.g. 'flatten_1'); must be reachable from the input. */
  outputLayer: string;
  /** Spatial input size, e.g. 224. */
  inputSize: number;
}

/** Converts a Keras functional model (TF.js modelTopology) up to `outputLayer`. */
export function buildKerasGraph(topology: unknown, w: Map<string, NamedWeight>, opts: KerasToOnnxOptions): { model: ModelProto; dim: number } {
  const cfg = (topology as { model_config?: { class_name?: string; config?: { layers?: KerasLayer[] } } }).model_config;
  const layers = cfg?.config?.layers;
  if (!layers) throw new Error('not a Keras layers model (modelTopology.model_config.config.layers missing)');
  const g = new GraphBuilder('keras_features');
  const values = new Map<string, Value>();
  const S = opts.inputSize;
  const weight = (layer: string, name: string) => {
    const x = w.get(`${layer}/${name}`);
    if (!x) throw new Error(`layer ${layer}: weight ${layer}/${name} missing`);
    return x;
  };

  for (const layer of layers) {
    const c = layer.config;
    const inputs = (layer.inbound_nodes[0] ?? []).map(([src]) => {
      const v = values.get(src);
      if (!v) throw new Error(`layer ${layer.name}: input ${src} not computed yet`);
      return v;
    });
    const x = inputs[0]!;
    const df = c.data_format;
    if (df !== undefined && df !== 'channels_last') throw new Error(`layer ${layer.name}: data_format ${String(df)} not supported`);
    let out: Value;
    switch (layer.class_name) {
      case 'InputLayer': {
        const shape = c.batch_input_shape as Array<number | null>;
        if (shape[1] !== S || shape[2] !== S || shape[3] !== 3) throw new Error(`input ${layer.name}: shape ${JSON.stringify(shape)}, expected [null, ${S}, ${S}, 3]`);
        const nhwc = g.input('pixel_values', DataType.FLOAT, ['batch', S, S, 3]);
        out = { name: g.op('Transpose', [nhwc], { perm: { ints: [0, 3, 1, 2] } }), c: 3, h: S, w: S };
        break;
      }
      case 'ZeroPadding2D': {
        const [[t, b], [l, r]] = c.padding as [[number, number], [number, number]];
        out = { name: g.op('Pad', [x.name, g.ints([0, 0, t, l, 0, 0, b, r])], { mode: { s: 'constant' } }), c: x.c, h: x.h + t + b, w: x.w + l + r };
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const depthwise = layer.class_name === 'DepthwiseConv2D';
        const [kh, kw] = pair(c.kernel_size, `${layer.name}.kernel_size`);
        const [sh, sw] = pair(c.strides, `${layer.name}.strides`);
        if (JSON.stringify(pair(c.dilation_rate ?? 1, 'dilation')) !== '[1,1]') throw new Error(`layer ${layer.name}: dilation not supported`);
        if (c.activation !== 'linear') throw new Error(`layer ${layer.name}: activation ${String(c.activation)} not supported`);
        const kw8 = weight(layer.name, depthwise ? 'depthwise_kernel' : 'kernel');
        const shape = kw8.spec.shape;
        const kernel = depthwise ? depthwiseKernel(kw8.data as Float32Array, shape) : convKernel(kw8.data as Float32Array, shape);
        const co = depthwise ? shape[2]! * shape[3]! : shape[3]!;
        const [pt, pb] = c.padding === 'same' ? samePads(x.h, kh, sh) : [0, 0];
        const [pl, pr] = c.padding === 'same' ? samePads(x.w, kw, sw) : [0, 0];
        if (c.padding !== 'same' && c.padding !== 'valid') throw new Error(`layer ${layer.name}: padding ${String(c.padding)}`);
        const ins = [x.name, g.float(`${layer.name}.kernel`, kernel, depthwise ? [co, 1, kh, kw] : [co, shape[2]!, kh, kw])];
        if (c.use_bias) ins.push(g.float(`${layer.name}.bias`, getWeight(w, `${layer.name}/bias`), [co]));
        const name = g.op('Conv', ins, { kernel_shape: { ints: [kh, kw] }, strides: { ints: [sh, sw] }, pads: { ints: [pt, pl, pb, pr] }, group: { i: depthwise ? x.c : 1 } });
        out = { name, c: co, h: Math.floor((x.h + pt + pb - kh) / sh) + 1, w: Math.floor((x.w + pl + pr - kw) / sw) + 1 };
        break;
      }
      case 'BatchNormalization': {
        if (c.axis !== -1 && c.axis !== 3 && !(Array.isArray(c.axis) && c.axis[0] === 3)) throw new Error(`layer ${layer.name}: batch norm axis ${JSON.stringify(c.axis)}`);
        const p = (n: string, fallback: number) => (w.has(`${layer.name}/${n}`) ? getWeight(w, `${layer.name}/${n}`) : new Float32Array(x.c).fill(fallback));
        const ins = [x.name, g.float(`${layer.name}.gamma`, c.scale === false ? new Float32Array(x.c).fill(1) : p('gamma', 1), [x.c]), g.float(`${layer.name}.beta`, c.center === false ? new Float32Array(x.c) : p('beta', 0), [x.c]), g.float(`${layer.name}.mean`, getWeight(w, `${layer.name}/moving_mean`), [x.c]), g.float(`${layer.name}.var`, getWeight(w, `${layer.name}/moving_variance`), [x.c])];
        out = { ...x, name: g.op('BatchNormalization', ins, { epsilon: { f: Number(c.epsilon ?? 1e-3) } }) };
        break;
      }
      case 'ReLU': {
        if (Number(c.negative_slope ?? 0) !== 0 || Number(c.threshold ?? 0) !== 0) throw new Error(`layer ${layer.name}: leaky/thresholded ReLU not supported`);
        const max = c.max_value === null || c.max_value === undefined ? undefined : Number(c.max_value);
        out = { ...x, name: max === undefined ? g.op('Relu', [x.name]) : g.op('Clip', [x.name, g.scalar(0), g.scalar(max)]) };
        break;
      }
      case 'Add':
        out = { ...x, name: inputs.slice(1).reduce((acc, v) => g.op('Add', [acc, v.name]), x.name) };
        break;
      case 'AveragePooling2D': {
        const [ph, pw] = pair(c.pool_size, `${layer.name}.pool_size`);
        const [sh, sw] = pair(c.strides ?? c.pool_size, `${layer.name}.strides`);
        if (c.padding !== 'valid') throw new Error(`layer ${layer.name}: padding ${String(c.padding)} not supported`);
        out = { name: g.op('AveragePool', [x.name], { kernel_shape: { ints: [ph, pw] }, strides: { ints: [sh, sw] } }), c: x.c, h: Math.floor((x.h - ph) / sh) + 1, w: Math.floor((x.w - pw) / sw) + 1 };
        break;
      }
      case 'GlobalAveragePooling2D':
        out = { name: g.op('ReduceMean', [x.name], { axes: { ints: [2, 3] }, keepdims: { i: 0 } }), c: x.c, h: 1, w: 1, flat: true };
        break;
      case 'Flatten': {
        // Keras flattens NHWC; back to NHWC first unless the map is 1x1 (then both orders agree).
        const src = x.flat || (x.h === 1 && x.w === 1) ? x.name : g.op('Transpose', [x.name], { perm: { ints: [0, 2, 3, 1] } });
        out = { name: g.op('Flatten', [src], { axis: { i: 1 } }), c: x.c * x.h * x.w, h: 1, w: 1, flat: true };
        break;
      }
      default:
        throw new Error(`layer ${layer.name}: Keras layer ${layer.class_name} not supported by the converter`);
    }
    values.set(layer.name, out);
    if (layer.name === opts.outputLayer) {
      if (!out.flat) throw new Error(`output layer ${layer.name} is not a flat feature vector`);
      g.op('Identity', [out.name], {}, ['features']);
      g.output('features', DataType.FLOAT, ['batch', out.c]);
      return { model: g.model(17), dim: out.c };
    }
  }
  throw new Error(`output layer ${opts.outputLayer} not found in the model`);
}
