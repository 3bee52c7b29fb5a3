// Parity of the converted nsfwjs MobileNetV2 (ONNX, TypeScript preprocessing) with the Keras model in TF.js cut at
// its pooled layer, fed by TF.js resize/crop/normalisation ops, on real ML-100K posters and one large PNG (the
// box-average path); bar: max |diff| <= 1e-4 of the largest reference value.
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { cropGeometry, decodeImage, type DecodedImage } from './image-input.ts';
import { convertMobileNet, createMobileNetEncoder } from './mobilenet-encoder.ts';
import { maxAbsDiff } from './parity.ts';
import { posterIds, posterPath, SKIP_NO_ML100K, TEST_HOME } from './real-inputs.test-helper.ts';
import { referenceMobileNet } from './tfjs-reference.ts';

/** A poster scaled up 5x (nearest) and written as PNG: a real picture over 4 x 224 on its shorter side. */
function largePng(img: DecodedImage): DecodedImage {
  const f = 5;
  const png = new PNG({ width: img.width * f, height: img.height * f });
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const s = (Math.floor(y / f) * img.width + Math.floor(x / f)) * 3;
      const d = (y * png.width + x) * 4;
      png.data[d] = img.rgb[s]!;
      png.data[d + 1] = img.rgb[s + 1]!;
      png.data[d + 2] = img.rgb[s + 2]!;
      png.data[d + 3] = 255;
    }
  }
  return decodeImage(new Uint8Array(PNG.sync.write(png)));
}

describe.skipIf(SKIP_NO_ML100K)('MobileNetV2 (nsfwjs) ONNX conversion', () => {
  it('matches TF.js on real posters, including a large PNG', async () => {
    const images = posterIds(4).map((id) => decodeImage(new Uint8Array(readFileSync(posterPath(id)))));
    images.push(largePng(images[0]!));
    expect(cropGeometry(images[4]!.width, images[4]!.height, 224).factor).toBeGreaterThanOrEqual(2);
    const enc = await createMobileNetEncoder({ home: TEST_HOME, batchSize: 8 });
    const ref = await referenceMobileNet();
    try {
      const a = await enc.encode(images);
      const b = await ref.encode(images);
      expect(a.length).toBe(images.length * 1280);
      const { maxAbs, scale } = maxAbsDiff(a, b);
      expect(scale).toBeGreaterThan(0.5);
      expect(maxAbs).toBeLessThanOrEqual(1e-4 * scale);
      // Different posters give different features (the crop is not constant).
      expect(maxAbsDiff(b.subarray(0, 1280), b.subarray(1280, 2560)).maxAbs).toBeGreaterThan(0.1);
    } finally {
      await enc.close();
    }
  });

  it('records the package, version and layer it was converted from', () => {
    const c = convertMobileNet(TEST_HOME);
    expect(c.meta.source).toBe('nsfwjs@4.3.0 models/mobilenet_v2 (flatten_1)');
    expect(c.meta.dim).toBe(1280);
  });
});
