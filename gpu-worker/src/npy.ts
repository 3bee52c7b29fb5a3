// Minimal reader for float32 .npy files (NumPy format 1.0/2.0, little-endian, C order): the item-latent
// table of the serving bundle. The worker keeps its own copy so it imports nothing outside shared/.
export function readNpyFloat32(buf: Uint8Array): { data: Float32Array; shape: number[] } {
  const magic = String.fromCharCode(...buf.subarray(0, 6));
  if (magic !== '\x93NUMPY') throw new Error('not a .npy file');
  const major = buf[6]!;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(buf.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4') throw new Error(`expected float32 little-endian (<f4), got ${descr}`);
  if (fortran !== 'False') throw new Error('Fortran-order arrays are not supported');
  const shape = (shapeStr ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const off = start + headerLen;
  if (buf.byteLength - off < n * 4) throw new Error(`.npy data truncated: need ${n * 4} bytes, have ${buf.byteLength - off}`);
  const copy = new Uint8Array(n * 4);
  copy.set(buf.subarray(off, off + n * 4));
  return { data: new Float32Array(copy.buffer), shape };
}

/** float32 array -> .npy bytes (format 1.0). */
export function writeNpyFloat32(data: Float32Array, shape: readonly number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
