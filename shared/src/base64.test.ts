import { describe, expect, it } from 'vitest';
import { base64ToBytes, base64ToFloat32, base64ToFloat64, bytesToBase64, float32ToBase64, float64ToBase64 } from './base64.ts';

describe('base64 (the one helper for binary KV values)', () => {
  it('bytes round-trip, also past the 32 KiB chunk of the encoder, and match the standard alphabet', () => {
    expect(bytesToBase64(Uint8Array.from([0, 255, 62, 63]))).toBe('AP8+Pw==');
    const big = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 7919) % 256);
    expect(base64ToBytes(bytesToBase64(big))).toEqual(big);
  });

  it('floats are little-endian and round-trip exactly (also -0, extremes, subnormals, views at an offset)', () => {
    expect(float32ToBase64(new Float32Array([1]))).toBe('AACAPw=='); // 0x3f800000 little-endian
    const f = new Float32Array([1.5, -0, 3.4028234663852886e38, 1e-45, Number.NaN]);
    expect(base64ToFloat32(float32ToBase64(f))).toEqual(f);
    const d = new Float64Array([Math.PI, -1e308, 5e-324]);
    expect(base64ToFloat64(float64ToBase64(d))).toEqual(d);
    const backing = new Float32Array([9, 8, 7, 6]);
    expect(Array.from(base64ToFloat32(float32ToBase64(backing.subarray(1, 3))))).toEqual([8, 7]);
  });

  it('a length that is not whole floats is an error, not a truncated array', () => {
    expect(() => base64ToFloat32(bytesToBase64(new Uint8Array(6)))).toThrow(/not a whole number of 4-byte floats/);
    expect(() => base64ToFloat64(bytesToBase64(new Uint8Array(12)))).toThrow(/8-byte/);
  });
});
