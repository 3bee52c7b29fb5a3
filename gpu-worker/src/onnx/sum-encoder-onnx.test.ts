import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sumEncoderOnnx } from './sum-encoder-onnx.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const latents = (n: number, dim: number) => Float32Array.from({ length: n * dim }, (_, i) => Math.sin(i + 1));

describe('sumEncoderOnnx', () => {
  it('writes the same bytes as before (the baseline bundle version hashes them)', () => {
    expect(sha(sumEncoderOnnx(latents(3, 4), 4))).toBe('86c4fd21141934c2ec5bb804c1babc229041aa7c7bf50d0f3b8b4063b1de4f7a');
    expect(sha(sumEncoderOnnx(latents(50, 16), 16))).toBe('cd71bd1dd3722ba87259e5267519e257b9738d63642c9d71bbdd53270b21c058');
    expect(sha(sumEncoderOnnx(latents(1, 1), 1))).toBe('f7e7819ab7daac91e26bdf9ecb9a5e7bb764a7914ed1d6c51c807d6702d1d231');
  });
});
