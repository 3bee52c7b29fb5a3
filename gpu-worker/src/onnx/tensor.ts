// Typed tensor constructors for the ONNX sessions (wraps onnxruntime-node's Tensor so callers never import it).
import ort from 'onnxruntime-node';
import type { Tensor } from './session.ts';

function checkSize(n: number, dims: readonly number[]): void {
  const want = dims.reduce((a, b) => a * b, 1);
  if (want !== n) throw new Error(`tensor data has ${n} elements but dims [${dims.join(', ')}] need ${want}`);
}

export function float32(data: Float32Array | number[], dims: readonly number[]): Tensor {
  const d = data instanceof Float32Array ? data : Float32Array.from(data);
  checkSize(d.length, dims);
  return new ort.Tensor('float32', d, dims);
}

/** int64 tensor from plain numbers (indices, ids); values must be safe integers. */
export function int64(data: BigInt64Array | ArrayLike<number>, dims: readonly number[]): Tensor {
  const d = data instanceof BigInt64Array ? data : BigInt64Array.from(Array.from(data as ArrayLike<number>, (v) => BigInt(v)));
  checkSize(d.length, dims);
  return new ort.Tensor('int64', d, dims);
}

export function int32(data: Int32Array | number[], dims: readonly number[]): Tensor {
  const d = data instanceof Int32Array ? data : Int32Array.from(data);
  checkSize(d.length, dims);
  return new ort.Tensor('int32', d, dims);
}

/** Reads a float32 output as a Float32Array (throws on another element type). */
export function asFloat32(t: Tensor): Float32Array {
  if (t.type !== 'float32') throw new Error(`expected a float32 tensor, got ${t.type}`);
  return t.data as Float32Array;
}
