import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, readNpy, writeNpy } from './npy.ts';

describe('npy', () => {
  it('round-trips every dtype with a 64-byte aligned header', () => {
    for (const a of [new Int8Array([-1, 0, 2]), new Int32Array([7, -8, 2 ** 30]), new Float32Array([0.5, -1.25]), new Float64Array([1e10 + 0.5])]) {
      const b = encodeNpy(a);
      expect((10 + new DataView(b.buffer).getUint16(8, true)) % 64).toBe(0);
      const d = decodeNpy(b);
      expect(d.data.constructor).toBe(a.constructor);
      expect(Array.from(d.data)).toEqual(Array.from(a));
      expect(d.shape).toEqual([a.length]);
    }
  });

  it('writes 2-D shapes and rejects mismatches', () => {
    const d = decodeNpy(encodeNpy(new Float32Array(6), [2, 3]));
    expect(d.shape).toEqual([2, 3]);
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/shape/);
    expect(() => decodeNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toThrow(/not a .npy/);
  });

  it('is read by NumPy (np.load) with the right dtype and values', () => {
    if (!existsSync('/usr/bin/python3')) return;
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    writeNpy(join(dir, 'a.npy'), new Int32Array([3, -4, 5]));
    writeNpy(join(dir, 'b.npy'), new Float64Array([0.25, 1e9]));
    let out: string;
    try {
      out = execFileSync('/usr/bin/python3', ['-c', `import numpy as np; a=np.load('${dir}/a.npy'); b=np.load('${dir}/b.npy'); print(a.dtype, a.tolist(), b.dtype, b.tolist())`], { encoding: 'utf8' });
    } catch {
      return; // numpy not installed on this machine
    }
    expect(out.trim()).toBe('int32 [3, -4, 5] float64 [0.25, 1000000000.0]');
    // and NumPy-written files come back
    execFileSync('/usr/bin/python3', ['-c', `import numpy as np; np.save('${dir}/c.npy', np.array([1,2,-3], dtype=np.int8))`]);
    expect(Array.from(readNpy(join(dir, 'c.npy')).data)).toEqual([1, 2, -3]);
  });
});
