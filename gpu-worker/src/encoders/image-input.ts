// Image input of the content features (issue 10 part 1): JPEG/PNG decoding with pure-JS decoders (jpeg-js, pngjs;
// no native modules), then the geometry every image encoder shares: shorter side scaled to the model size and a
// centre crop (bilinear, half-pixel centres; very large images are first box-averaged by an integer factor so the
// bilinear step never skips pixels). Each encoder applies its own value normalisation to the crop.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export interface DecodedImage {
  width: number;
  height: number;
  /** Interleaved RGB, row-major, 0..255. */
  rgb: Uint8Array;
}

export class ImageDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

const MAX_MEGAPIXELS = 100;

function fromRgba(data: Uint8Array, width: number, height: number): DecodedImage {
  // Transparent pixels are composited over white (transparent RGB is often black, which would darken logos).
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const a = data[p * 4 + 3]! / 255;
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.round(data[p * 4 + c]! * a + 255 * (1 - a));
  }
  return { width, height, rgb };
}

/** Decodes JPEG or PNG bytes (by magic number); throws ImageDecodeError with a reason a user can act on. */
export function decodeImage(bytes: Uint8Array): DecodedImage {
  if (bytes.length < 8) throw new ImageDecodeError(`not an image (${bytes.length} bytes)`);
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  try {
    if (isJpeg) {
      // tolerantDecoding off: a truncated or damaged file is reported instead of yielding a half-grey picture.
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxResolutionInMP: MAX_MEGAPIXELS, maxMemoryUsageInMB: 1024 });
      return fromRgba(img.data, img.width, img.height);
    }
    if (isPng) {
      const img = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (img.width * img.height > MAX_MEGAPIXELS * 1e6) throw new Error(`image is ${img.width}x${img.height}, over ${MAX_MEGAPIXELS} megapixels`);
      return fromRgba(new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength), img.width, img.height);
    }
  } catch (e) {
    throw new ImageDecodeError(`corrupt ${isJpeg ? 'JPEG' : 'PNG'}: ${(e as Error).message}`);
  }
  throw new ImageDecodeError('unsupported image format (only JPEG and PNG are read)');
}

/** Integer box-average factor applied before the bilinear resize (1 = none). */
export function boxFactor(width: number, height: number, size: number): number {
  return Math.max(1, Math.floor(Math.min(width, height) / (2 * size)));
}

export interface CropGeometry {
  /** Box-average factor, then the size the reduced image is scaled to, then the crop offset in that image. */
  factor: number;
  reducedWidth: number;
  reducedHeight: number;
  scaledWidth: number;
  scaledHeight: number;
  top: number;
  left: number;
}

/** `shortestEdge` (default: the crop size) is what the shorter side is scaled to before the centre crop, as Hugging
 * Face image processors' size.shortest_edge. */
export function cropGeometry(width: number, height: number, size: number, shortestEdge = size): CropGeometry {
  const edge = Math.max(size, shortestEdge);
  const factor = boxFactor(width, height, edge);
  const reducedWidth = Math.floor(width / factor);
  const reducedHeight = Math.floor(height / factor);
  const scale = edge / Math.min(reducedWidth, reducedHeight);
  const scaledWidth = Math.max(size, Math.round(reducedWidth * scale));
  const scaledHeight = Math.max(size, Math.round(reducedHeight * scale));
  return { factor, reducedWidth, reducedHeight, scaledWidth, scaledHeight, top: Math.floor((scaledHeight - size) / 2), left: Math.floor((scaledWidth - size) / 2) };
}

function boxReduce(img: DecodedImage, f: number, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h * 3);
  const inv = 1 / (f * f);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) s += img.rgb[((y * f + dy) * img.width + x * f + dx) * 3 + c]!;
        out[(y * w + x) * 3 + c] = s * inv;
      }
    }
  }
  return out;
}

/** size x size x 3 float32 crop (0..255, NHWC order), from the geometry above. */
export function resizeCenterCrop(img: DecodedImage, size: number, shortestEdge = size): Float32Array {
  const g = cropGeometry(img.width, img.height, size, shortestEdge);
  const src = g.factor > 1 ? boxReduce(img, g.factor, g.reducedWidth, g.reducedHeight) : Float32Array.from(img.rgb);
  const W = g.reducedWidth;
  const H = g.reducedHeight;
  const ry = H / g.scaledHeight;
  const rx = W / g.scaledWidth;
  const out = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const fy = ry * (y + g.top + 0.5) - 0.5;
    const y0 = Math.max(0, Math.floor(fy));
    const y1 = Math.min(H - 1, Math.ceil(fy));
    const wy = fy - y0;
    for (let x = 0; x < size; x++) {
      const fx = rx * (x + g.left + 0.5) - 0.5;
      const x0 = Math.max(0, Math.floor(fx));
      const x1 = Math.min(W - 1, Math.ceil(fx));
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const tl = src[(y0 * W + x0) * 3 + c]!;
        const tr = src[(y0 * W + x1) * 3 + c]!;
        const bl = src[(y1 * W + x0) * 3 + c]!;
        const br = src[(y1 * W + x1) * 3 + c]!;
        const top = tl + (tr - tl) * wx;
        const bottom = bl + (br - bl) * wx;
        out[(y * size + x) * 3 + c] = top + (bottom - top) * wy;
      }
    }
  }
  return out;
}
