// float32 .npy files (NumPy format 1.0-3.0, little-endian, C order): the item-latent table of the serving
// bundle. The codec is shared/src/npy.ts; this file only narrows it to float32.
import { decodeNpy, encodeNpy, parseNpyHeader } from '@llmrec/shared/npy.ts';

export function readNpyFloat32(buf: Uint8Array, what = 'npy'): { data: Float32Array; shape: number[] } {
  const { descr } = parseNpyHeader(buf, what);
  if (descr !== '<f4') throw new Error(`${what}: expected float32 little-endian (<f4), got ${descr}`);
  return decodeNpy(buf, what) as { data: Float32Array; shape: number[] };
}

/** float32 array -> .npy bytes (format 1.0). */
export function writeNpyFloat32(data: Float32Array, shape: readonly number[]): Uint8Array {
  return encodeNpy(data, shape);
}
