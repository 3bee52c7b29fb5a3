// Base64 for the binary values kept in KV as JSON strings (PQ codes and codebooks, adapter weights,
// statistics, job checkpoints): the one implementation, on Web APIs only (btoa/atob), so it runs on Workers,
// Node and in the browser. Floats are little-endian, the byte order every reader of these values assumes.

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  // Chunked: String.fromCharCode(...) on a multi-MB array would overflow the argument limit.
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toLittleEndian(a: Float32Array | Float64Array, width: 4 | 8): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.length * width);
  const view = new DataView(out.buffer);
  a.forEach((v, i) => (width === 4 ? view.setFloat32(i * 4, v, true) : view.setFloat64(i * 8, v, true)));
  return out;
}

function fromLittleEndian(bytes: Uint8Array, width: 4 | 8): Float32Array | Float64Array {
  if (bytes.byteLength % width !== 0) throw new RangeError(`${bytes.byteLength} bytes are not a whole number of ${width}-byte floats`);
  const n = bytes.byteLength / width;
  // base64ToBytes returns a fresh array at offset 0, so a view is aligned.
  if (LITTLE_ENDIAN) return width === 4 ? new Float32Array(bytes.buffer, bytes.byteOffset, n) : new Float64Array(bytes.buffer, bytes.byteOffset, n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = width === 4 ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = width === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
  return out;
}

export const float32ToBase64 = (a: Float32Array): string => bytesToBase64(toLittleEndian(a, 4));
export const float64ToBase64 = (a: Float64Array): string => bytesToBase64(toLittleEndian(a, 8));
export const base64ToFloat32 = (b64: string): Float32Array => fromLittleEndian(base64ToBytes(b64), 4) as Float32Array;
export const base64ToFloat64 = (b64: string): Float64Array => fromLittleEndian(base64ToBytes(b64), 8) as Float64Array;
