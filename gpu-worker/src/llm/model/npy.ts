// Minimal .npy (NumPy format v1) reader/writer for float32/float16 matrices: the LLM's token-embedding
// table is stored beside the decoder in this form so Python (projector training) reads it directly.
import { readFileSync, writeFileSync } from 'node:fs';
import { halfToFloat } from '../onnx-graph/model-io.ts';

export interface Matrix { data: Float32Array; shape: number[] }

export function writeNpy(path: string, data: Float32Array, shape: number[]): void {
  if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`npy: ${data.length} values for shape [${shape}]`);
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(new TextEncoder().encode(header), 10);
  const out = new Uint8Array(head.length + data.byteLength);
  out.set(head);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), head.length);
  writeFileSync(path, out);
}

export type NpyArray = Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array;

/** Any 1-D/2-D little-endian numeric .npy (dataset files: int32 indices, int8 split labels, float64 times). */
export function readNpyAny(path: string): { data: NpyArray; shape: number[] } {
  const { descr, shape, bytes } = parseNpy(path);
  const ctor = ({ '<f4': Float32Array, '<f8': Float64Array, '<i4': Int32Array, '|i1': Int8Array, '|u1': Uint8Array } as const)[descr as '<f4'];
  if (!ctor) throw new Error(`${path}: unsupported dtype ${descr}`);
  return { data: new ctor(bytes.buffer), shape };
}

function parseNpy(path: string): { descr: string | undefined; shape: number[]; bytes: Uint8Array } {
  const b = readFileSync(path);
  if (b[0] !== 0x93 || b.subarray(1, 6).toString('latin1') !== 'NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = b[6]!;
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.subarray(start, start + hlen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: fortran-order arrays are not supported`);
  const body = b.subarray(start + hlen);
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
