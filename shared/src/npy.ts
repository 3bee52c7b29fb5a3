// NumPy .npy (format 1.0 written; 1.0-3.0 read; little-endian, C order) encoder and decoder: the array format
// of the canonical dataset (docs/dataset-format.md) and of the serving bundle's item-latent table. Runtime-neutral
// (bytes in, typed array out; no node:*), so data/ and the GPU worker share one parser; file I/O stays with them.

export type NpyArray = Int8Array | Uint8Array | Int32Array | Float32Array | Float64Array;

const DESCR: Array<[string, new (n: number) => NpyArray, number]> = [
  ['|i1', Int8Array, 1],
  ['|u1', Uint8Array, 1],
  ['<i4', Int32Array, 4],
  ['<f4', Float32Array, 4],
  ['<f8', Float64Array, 8],
];

function descrOf(a: NpyArray): string {
  if (a instanceof Int8Array) return '|i1';
  if (a instanceof Uint8Array) return '|u1';
  if (a instanceof Int32Array) return '<i4';
  if (a instanceof Float32Array) return '<f4';
  return '<f8';
}

/** Encode a 1-D (or, with `shape`, N-D C-order) typed array as .npy bytes. */
export function encodeNpy(a: NpyArray, shape: readonly number[] = [a.length]): Uint8Array {
  if (shape.reduce((x, y) => x * y, 1) !== a.length) throw new Error(`npy: shape ${shape} does not match length ${a.length}`);
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descrOf(a)}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // magic(6) + version(2) + header-len(2) + header, padded with spaces and ending in \n to a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + a.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), total); // hosts here are little-endian (checked below)
  return out;
}

export interface NpyHeader {
  /** NumPy dtype string as written, e.g. '<f4'. */
  descr: string;
  shape: number[];
  /** Byte offset of the data. */
  offset: number;
}

function asBytes(buf: ArrayBuffer | Uint8Array): Uint8Array {
  return buf instanceof Uint8Array ? buf : new Uint8Array(buf);
}

/** Parse and check the header only (magic, version, dtype string, C order, shape). */
export function parseNpyHeader(buf: ArrayBuffer | Uint8Array, what = 'npy'): NpyHeader {
  const bytes = asBytes(buf);
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') {
    throw new Error(`${what}: not a .npy file`);
  }
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeTxt = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeTxt === undefined) throw new Error(`${what}: bad header ${header.trim()}`);
  if (fortran === 'True') throw new Error(`${what}: Fortran order is not supported`);
  const shape = shapeTxt.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  return { descr, shape, offset: start + hlen };
}

export interface DecodedNpy {
  data: NpyArray;
  shape: number[];
}

/** Decode .npy bytes written by encodeNpy or by NumPy (versions 1.0-3.0, the dtypes above, C order). */
export function decodeNpy(buf: ArrayBuffer | Uint8Array, what = 'npy'): DecodedNpy {
  const bytes = asBytes(buf);
  const { descr, shape, offset: off } = parseNpyHeader(bytes, what);
  const entry = DESCR.find(([d]) => d === descr || (d === '|i1' && descr === '<i1'));
  if (!entry) throw new Error(`${what}: dtype ${descr} is not supported`);
  const [, Ctor, size] = entry;
  const n = shape.reduce((x, y) => x * y, 1);
  if (bytes.length - off < n * size) throw new Error(`${what}: truncated (${bytes.length - off} bytes for ${n} x ${size})`);
  const data = new Ctor(n);
  new Uint8Array(data.buffer).set(bytes.subarray(off, off + n * size));
  return { data, shape };
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('npy: big-endian hosts are not supported');
