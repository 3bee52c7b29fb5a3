import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, parseNpyHeader } from './npy.ts';

// The codec shared by data/ (dataset files) and the GPU worker (item latents); file I/O is tested in data/.
describe('shared npy codec', () => {
  it('decodes from an ArrayBuffer and from an offset view of a larger buffer', () => {
    const a = Float32Array.from([0.5, -1.25, 3, 4, 5, 6]);
    const bytes = encodeNpy(a, [2, 3]);
    const fromBuffer = decodeNpy(bytes.slice().buffer);
    expect(fromBuffer.shape).toEqual([2, 3]);
    expect(Array.from(fromBuffer.data)).toEqual(Array.from(a));
    const host = new Uint8Array(bytes.length + 11);
    host.set(bytes, 7);
    const fromView = decodeNpy(host.subarray(7, 7 + bytes.length));
    expect(fromView.data).toBeInstanceOf(Float32Array);
    expect(Array.from(fromView.data)).toEqual(Array.from(a));
  });

  it('reads format 2.0 headers (4-byte header length) as NumPy writes them for long headers', () => {
    const v1 = encodeNpy(new Int32Array([9, -2, 7]));
    const hlen = new DataView(v1.buffer).getUint16(8, true);
    const v2 = new Uint8Array(v1.length + 2);
    v2.set(v1.subarray(0, 8));
    v2[6] = 2;
    new DataView(v2.buffer).setUint32(8, hlen, true);
    v2.set(v1.subarray(10), 12);
    const d = decodeNpy(v2);
    expect(d.data).toBeInstanceOf(Int32Array);
    expect(Array.from(d.data)).toEqual([9, -2, 7]);
    expect(parseNpyHeader(v2)).toEqual({ descr: '<i4', shape: [3], offset: 12 + hlen });
  });

  it('rejects truncated data, Fortran order and unknown dtypes with the source named', () => {
    const b = encodeNpy(new Float64Array([1, 2, 3]));
    expect(() => decodeNpy(b.subarray(0, b.length - 1), 'x.npy')).toThrow(/^x\.npy: truncated/);
    const setHeader = (from: string, to: string) => {
      const c = b.slice();
      const text = new TextDecoder().decode(c.subarray(10, 64)).replace(from, to);
      c.set(new TextEncoder().encode(text), 10);
      return c;
    };
    expect(() => decodeNpy(setHeader("'fortran_order': False", "'fortran_order': True "))).toThrow(/Fortran order/);
    expect(() => decodeNpy(setHeader("'<f8'", "'<i8'"))).toThrow(/dtype <i8 is not supported/);
  });
});
