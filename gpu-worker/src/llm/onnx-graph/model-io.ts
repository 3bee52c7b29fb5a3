// Reads and writes ONNX models as plain objects (protobufjs over onnx-schema.ts), including tensors
// kept in external-data files, which every decoder larger than 2 GB uses (Hugging Face `onnx/` layout).
import { mkdirSync, openSync, readSync, closeSync, readFileSync, writeFileSync, writeSync, statSync } from 'node:fs';
import { dirname, join, isAbsolute, normalize } from 'node:path';
import { DataType, modelProtoType } from './onnx-schema.ts';

export interface StringEntry { key: string; value: string }
export interface TensorProto {
  name?: string;
  dims?: number[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  externalData?: StringEntry[];
  dataLocation?: number;
  [k: string]: unknown;
}
export interface AttributeProto {
  name: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  [k: string]: unknown;
}
export interface NodeProto { input?: string[]; output?: string[]; name?: string; opType: string; domain?: string; attribute?: AttributeProto[]; [k: string]: unknown }
export interface DimProto { dimValue?: number; dimParam?: string }
export interface ValueInfoProto { name: string; type?: { tensorType?: { elemType?: number; shape?: { dim?: DimProto[] } } }; [k: string]: unknown }
export interface GraphProto {
  name?: string;
  node?: NodeProto[];
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  valueInfo?: ValueInfoProto[];
  [k: string]: unknown;
}
export interface ModelProto {
  irVersion?: number;
  opsetImport?: { domain?: string; version?: number }[];
  producerName?: string;
  producerVersion?: string;
  graph?: GraphProto;
  metadataProps?: StringEntry[];
  [k: string]: unknown;
}

/** Decodes ONNX bytes into a plain object (int64 as numbers; tensors keep their bytes as views). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const T = modelProtoType();
  return T.toObject(T.decode(bytes), { longs: Number, defaults: false }) as ModelProto;
}

export function encodeModel(model: ModelProto): Uint8Array {
  const T = modelProtoType();
  return T.encode(T.fromObject(model)).finish();
}

export function readModel(path: string): ModelProto {
  return decodeModel(readFileSync(path));
}

const ELEM_BYTES: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.INT64]: 8, [DataType.INT32]: 4, [DataType.FLOAT16]: 2, [DataType.BFLOAT16]: 2, [DataType.DOUBLE]: 8, [DataType.UINT8]: 1, [DataType.INT8]: 1, [DataType.BOOL]: 1 };

export function elementCount(t: TensorProto): number {
  return (t.dims ?? []).reduce((a, b) => a * b, 1);
}

function entry(t: TensorProto, key: string): string | undefined {
  return t.externalData?.find((e) => e.key === key)?.value;
}

/** The tensor's little-endian bytes, from raw_data, a typed field, or its external-data file (relative to modelDir). */
export function tensorBytes(t: TensorProto, modelDir = '.'): Uint8Array {
  if (t.dataLocation === 1) {
    const loc = entry(t, 'location');
    if (!loc || isAbsolute(loc) || normalize(loc).startsWith('..')) throw new Error(`tensor ${t.name}: bad external-data location ${String(loc)}`);
    const offset = Number(entry(t, 'offset') ?? 0);
    const length = Number(entry(t, 'length') ?? statSync(join(modelDir, loc)).size - offset);
    const buf = new Uint8Array(length);
    const fd = openSync(join(modelDir, loc), 'r');
    try {
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buf, got, length - got, offset + got);
        if (n <= 0) throw new Error(`tensor ${t.name}: external data ${loc} is shorter than offset+length`);
        got += n;
      }
    } finally {
      closeSync(fd);
    }
    return buf;
  }
  if (t.rawData && t.rawData.length) return t.rawData;
  const n = elementCount(t);
  if (t.dataType === DataType.FLOAT && t.floatData) return new Uint8Array(Float32Array.from(t.floatData).buffer);
  if (t.dataType === DataType.INT64 && t.int64Data) return new Uint8Array(BigInt64Array.from(t.int64Data.map((v) => BigInt(v))).buffer);
  if (t.dataType === DataType.INT32 && t.int32Data) return new Uint8Array(Int32Array.from(t.int32Data).buffer);
  if (t.dataType === DataType.FLOAT16 && t.int32Data) return new Uint8Array(Uint16Array.from(t.int32Data).buffer);
  if (t.dataType === DataType.DOUBLE && t.doubleData) return new Uint8Array(Float64Array.from(t.doubleData).buffer);
  if (n === 0) return new Uint8Array(0);
  throw new Error(`tensor ${t.name}: unsupported storage (data_type ${t.dataType})`);
}

/** Copies into a fresh aligned buffer so typed-array views are legal whatever the source offset. */
function aligned(bytes: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out.buffer;
}

/** float32 values of a FLOAT / FLOAT16 / DOUBLE tensor. */
export function tensorFloat32(t: TensorProto, modelDir = '.'): Float32Array {
  const b = tensorBytes(t, modelDir);
  if (t.dataType === DataType.FLOAT) return new Float32Array(aligned(b));
  if (t.dataType === DataType.DOUBLE) return Float32Array.from(new Float64Array(aligned(b)));
  if (t.dataType === DataType.FLOAT16) return Float32Array.from(new Uint16Array(aligned(b)), halfToFloat);
  if (t.dataType === DataType.BFLOAT16) return Float32Array.from(new Uint16Array(aligned(b)), (h) => new Float32Array(new Uint32Array([h << 16]).buffer)[0]!);
  throw new Error(`tensor ${t.name}: data_type ${t.dataType} is not a float type`);
}

export function tensorInt64(t: TensorProto, modelDir = '.'): number[] {
  const b = tensorBytes(t, modelDir);
  if (t.dataType === DataType.INT64) return Array.from(new BigInt64Array(aligned(b)), Number);
  if (t.dataType === DataType.INT32) return Array.from(new Int32Array(aligned(b)));
  throw new Error(`tensor ${t.name}: data_type ${t.dataType} is not an integer type`);
}

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

export function floatTensor(name: string, data: Float32Array, dims: number[]): TensorProto {
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`tensor ${name}: ${data.length} values for dims [${dims}]`);
  return { name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function int64Tensor(name: string, values: number[], dims: number[] = [values.length]): TensorProto {
  return { name, dims, dataType: DataType.INT64, rawData: new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer) };
}

export interface WriteOptions {
  /** Move initializers of at least this many bytes to `<file>.data` beside the model (default: never). */
  externalDataThreshold?: number;
  /** Where external data of the source model lives, to inline or re-externalise it. */
  sourceDir?: string;
}

/**
 * Writes the model; with externalDataThreshold, large initializers go to one external-data file at
 * 4096-aligned offsets (the ONNX convention, mmap-friendly) and the protobuf stays far below 2 GB.
 */
export function writeModel(path: string, model: ModelProto, opts: WriteOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const inits = model.graph?.initializer ?? [];
  const threshold = opts.externalDataThreshold;
  const dataName = `${path.split('/').pop()}.data`;
  let fd: number | undefined;
  let offset = 0;
  const out: TensorProto[] = [];
  try {
    for (const t of inits) {
      const external = t.dataLocation === 1;
      const bytes = external || (threshold !== undefined && (t.rawData?.length ?? 0) >= threshold) ? tensorBytes(t, opts.sourceDir ?? dirname(path)) : undefined;
      if (bytes && threshold !== undefined && bytes.length >= threshold) {
        fd ??= openSync(join(dirname(path), dataName), 'w');
        const pad = (4096 - (offset % 4096)) % 4096;
        if (pad) writeSync(fd, new Uint8Array(pad), 0, pad, offset);
        offset += pad;
        writeSync(fd, bytes, 0, bytes.length, offset);
        const { rawData: _r, floatData: _f, int64Data: _i, int32Data: _i32, ...rest } = t;
        out.push({ ...rest, dataLocation: 1, externalData: [{ key: 'location', value: dataName }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(bytes.length) }] });
        offset += bytes.length;
      } else if (bytes) {
        const { externalData: _e, dataLocation: _d, ...rest } = t;
        out.push({ ...rest, rawData: bytes });
      } else out.push(t);
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const graph = { ...model.graph, initializer: out };
  writeFileSync(path, encodeModel({ ...model, graph }));
}
