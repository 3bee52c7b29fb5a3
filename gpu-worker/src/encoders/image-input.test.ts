// JPEG/PNG decoding and the shared resize + centre-crop geometry of the image encoders.
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { cropGeometry, decodeImage, ImageDecodeError, resizeCenterCrop } from './image-input.ts';
import { posterIds, posterPath, SKIP_NO_ML100K } from './real-inputs.test-helper.ts';

function png(width: number, height: number, px: (x: number, y: number) => [number, number, number, number]): Uint8Array {
  const p = new PNG({ width, height });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) p.data.set(px(x, y), (y * width + x) * 4);
  return new Uint8Array(PNG.sync.write(p));
}

describe('image input', () => {
  it('decodes PNG and composites transparency over white', () => {
    const img = decodeImage(png(3, 2, (x) => (x === 0 ? [255, 0, 0, 255] : x === 1 ? [0, 0, 0, 0] : [0, 0, 255, 128])));
    expect([img.width, img.height]).toEqual([3, 2]);
    expect(Array.from(img.rgb.subarray(0, 9))).toEqual([255, 0, 0, 255, 255, 255, 127, 127, 255]);
  });

  it('rejects unknown formats, empty and truncated files with a reason', () => {
    expect(() => decodeImage(new Uint8Array(4))).toThrow(ImageDecodeError);
    expect(() => decodeImage(new TextEncoder().encode('GIF89a........'))).toThrow(/only JPEG and PNG/);
    const p = png(8, 8, () => [1, 2, 3, 255]);
    expect(() => decodeImage(p.subarray(0, p.length - 20))).toThrow(/corrupt PNG/);
  });

  it.skipIf(SKIP_NO_ML100K)('decodes a real poster and reports a truncated copy as a corrupt JPEG', () => {
    const bytes = new Uint8Array(readFileSync(posterPath(posterIds(1)[0]!)));
    const img = decodeImage(bytes);
    expect(img.width).toBeGreaterThan(100);
    expect(img.rgb.length).toBe(img.width * img.height * 3);
    expect(() => decodeImage(bytes.subarray(0, Math.floor(bytes.length / 2)))).toThrow(/corrupt JPEG/);
  });

  it('scales the shorter side to the model size and crops the centre', () => {
    const g = cropGeometry(185, 278, 224);
    expect(g).toMatchObject({ factor: 1, scaledWidth: 224, scaledHeight: 337, left: 0, top: 56 });
    expect(cropGeometry(2000, 1000, 224)).toMatchObject({ factor: 2, reducedWidth: 1000, reducedHeight: 500, scaledHeight: 224, scaledWidth: 448, top: 0, left: 112 });
    // A tall image whose top half is black and bottom half white: the centre row sits on the boundary.
    const img = decodeImage(png(10, 40, (_x, y) => (y < 20 ? [0, 0, 0, 255] : [255, 255, 255, 255])));
    const out = resizeCenterCrop(img, 10);
    expect(out.length).toBe(10 * 10 * 3);
    expect(out[0]).toBe(0);
    expect(out[out.length - 1]).toBe(255);
    expect(out[(5 * 10 + 5) * 3]).toBeGreaterThan(0);
  });
});
