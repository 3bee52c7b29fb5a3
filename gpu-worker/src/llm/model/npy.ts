// .npy file reader/writer for float32/float16 matrices (header parsing and encoding: shared/src/npy.ts): the LLM's
// token-embedding table is stored beside the decoder in this form so Python (projector training) reads it directly.
import { readFileSync, writeFileSync } from 'node:fs';
import { encodeNpy, parseNpyHeader } from '@llmrec/shared/npy.ts';
import { halfToFloat } from '../onnx-graph/model-io.ts';

export interface Matrix { data: Float32Array; shape: number[] }

export function writeNpy(path: string, data: Float32Array, shape: number[]): void {
  if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`npy: ${data.length} values for shape [${shape}]`);
  writeFileSync(path, encodeNpy(data, shape));
}

export type NpyArray = Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array;

/** Any 1-D/2-D little-endian numeric .npy (dataset files: int32 indices, int8 split labels, float64 times). */
export function readNpyAny(path: string): { data: NpyArray; shape: number[] } {
  const { descr, shape, bytes } = parseNpy(path);
  const ctor = ({ '<f4': Float32Array, '<f8': Float64Array, '<i4': Int32Array, '|i1': Int8Array, '|u1': Uint8Array } as const)[descr as '<f4'];
  if (!ctor) throw new Error(`${path}: unsupported dtype ${descr}`);
  return { data: new ctor(bytes.buffer), shape };
}

function parseNpy(path: string): { descr: string; shape: number[]; bytes: Uint8Array } {
  const b = readFileSync(path);
  // Header checks are the shared codec's; the dtypes read here (float16, uint8) are this module's own.
  const { descr, shape, offset } = parseNpyHeader(b, path);
  const body = b.subarray(offset);
  const bytes = new Uint8Array(body.length);
  bytes.set(body);
  return { descr, shape, bytes };
}

export function readNpy(path: string): Matrix {
  const { descr, shape, bytes } = parseNpy(path);
  if (descr === '<f4') return { data: new Float32Array(bytes.buffer), shape };
  if (descr === '<f2') return { data: Float32Array.from(new Uint16Array(bytes.buffer), halfToFloat), shape };
  throw new Error(`${path}: unsupported dtype ${descr} (float32 or float16 expected)`);
}
