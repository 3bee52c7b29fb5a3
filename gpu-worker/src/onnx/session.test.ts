import { describe, expect, it } from 'vitest';
import { asFloat32, createSession, cudaListed, float32, int64, OnnxInputError, run } from './index.ts';
import { tinyModelBytes } from './tiny-model.test-helper.ts';

describe('onnx session', () => {
  it('runs a model on CPU and reports the provider it chose', async () => {
    const s = await createSession(tinyModelBytes(3), { device: 'auto' });
    expect(['cpu', 'cuda']).toContain(s.provider);
    if (s.provider === 'cpu') expect(s.fallbackReason).toBeTruthy();
    expect(s.inputNames).toEqual(['x', 'y']);
    expect(s.outputNames).toEqual(['z']);
    const x = [1, 2, 3, -1, 0.5, 4];
    const y = [2, 2, 2, 3, -2, 0];
    const out = await run(s, { x: float32(x, [2, 3]), y: float32(y, [2, 3]) });
    const z = asFloat32(out.z!);
    expect(out.z!.dims).toEqual([2, 3]);
    expect(Array.from(z)).toEqual(x.map((v, i) => v * y[i]! + v));
  });

  it('cpu device never tries CUDA', async () => {
    const s = await createSession(tinyModelBytes(2), { device: 'cpu', threads: 1 });
    expect(s.provider).toBe('cpu');
    expect(s.fallbackReason).toBeUndefined();
  });

  it('rejects wrong input names before running', async () => {
    const s = await createSession(tinyModelBytes(2), { device: 'cpu' });
    const bad = run(s, { x: float32([1, 2], [1, 2]), w: float32([1, 2], [1, 2]) });
    await expect(bad).rejects.toBeInstanceOf(OnnxInputError);
    await expect(bad).rejects.toThrow(/missing \[y\], unexpected \[w\]/);
    await expect(run(s, { x: float32([1, 2], [1, 2]), y: float32([1, 2], [1, 2]) }, ['nope'])).rejects.toThrow(/unknown ONNX outputs/);
  });

  it('explicit cuda fails loudly when CUDA is absent', async () => {
    if (cudaListed()) {
      const r = await createSession(tinyModelBytes(2), { device: 'cuda' }).then(
        (s) => s.provider,
        (e: Error) => e.message,
      );
      expect(typeof r).toBe('string');
    } else {
      await expect(createSession(tinyModelBytes(2), { device: 'cuda' })).rejects.toThrow();
    }
  });

  it('tensor helpers check sizes', () => {
    expect(() => float32([1, 2, 3], [2, 2])).toThrow(/3 elements/);
    expect(int64([1, 2, 3, 4], [2, 2]).type).toBe('int64');
  });
});
