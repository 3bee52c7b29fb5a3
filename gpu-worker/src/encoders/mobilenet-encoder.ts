// Built-in image encoder of the content features (issue 10 part 1): the MobileNetV2 backbone shipped in the npm
// package nsfwjs (MIT; ImageNet-initialised, fine-tuned on 5 classes), converted once to ONNX up to its global-pooled
// layer (1,280-d) and run by onnxruntime-node. Preprocessing as nsfwjs feeds the model: RGB scaled to [0, 1]
// (pixel / 255); geometry shared by all image encoders (image-input.ts: shorter side to 224, centre crop).
import { join } from 'node:path';
import { asFloat32, createSession, float32, release, run } from '../onnx/index.ts';
import { converterFingerprint, ensureConverted } from './converted-model.ts';
import type { EncoderOptions, ImageEncoder } from './encoder.ts';
import { resizeCenterCrop, type DecodedImage } from './image-input.ts';
import { buildKerasGraph } from './keras-graph.ts';
import { decodeWeights, packageDir, packageVersion, readTfjsModelModules } from './tfjs-weights.ts';

export const MOBILENET_PACKAGE = 'nsfwjs';
export const MOBILENET_ID = 'mobilenet-v2-nsfwjs';
export const MOBILENET_SIZE = 224;
const FEATURE_LAYER = 'flatten_1';

function modelDir(): string {
  return join(packageDir(MOBILENET_PACKAGE), 'dist', 'models', 'mobilenet_v2');
}

export function convertMobileNet(home: string, log?: (m: string) => void) {
  const dir = modelDir();
  return ensureConverted({
    home,
    id: MOBILENET_ID,
    source: `${MOBILENET_PACKAGE}@${packageVersion(MOBILENET_PACKAGE)} models/mobilenet_v2 (${FEATURE_LAYER})`,
    sourceFiles: [join(dir, 'model.min.js'), join(dir, 'group1-shard1of1.min.js')],
    converterSha256: converterFingerprint([import.meta.url, new URL('./keras-graph.ts', import.meta.url).href, new URL('./tfjs-weights.ts', import.meta.url).href]),
    build: () => {
      const { model, shards } = readTfjsModelModules(dir);
      return buildKerasGraph(model.modelTopology, decodeWeights(model.weightsManifest, shards), { outputLayer: FEATURE_LAYER, inputSize: MOBILENET_SIZE });
    },
    log,
  });
}

/** NHWC [size, size, 3] in [0, 1]: the model's expected input. */
export function mobileNetPixels(img: DecodedImage): Float32Array {
  const x = resizeCenterCrop(img, MOBILENET_SIZE);
  for (let i = 0; i < x.length; i++) x[i] = x[i]! / 255;
  return x;
}

export async function createMobileNetEncoder(opts: EncoderOptions): Promise<ImageEncoder> {
  const converted = convertMobileNet(opts.home, opts.log);
  const session = await createSession(converted.onnxPath, { device: 'cpu', threads: opts.threads ?? 2 });
  const dim = converted.meta.dim;
  const batchSize = opts.batchSize ?? 16;
  const px = MOBILENET_SIZE * MOBILENET_SIZE * 3;
  return {
    modality: 'image',
    ref: { id: MOBILENET_ID, source: converted.meta.source, onnxSha256: converted.meta.onnxSha256, dim },
    input: `JPEG/PNG, shorter side to ${MOBILENET_SIZE} + centre crop (bilinear), RGB / 255`,
    async encode(images) {
      const out = new Float32Array(images.length * dim);
      for (let s = 0; s < images.length; s += batchSize) {
        const batch = images.slice(s, s + batchSize);
        const x = new Float32Array(batch.length * px);
        batch.forEach((im, b) => x.set(mobileNetPixels(im), b * px));
        const res = await run(session, { pixel_values: float32(x, [batch.length, MOBILENET_SIZE, MOBILENET_SIZE, 3]) }, ['features']);
        out.set(asFloat32(res.features!), s * dim);
      }
      return out;
    },
    close: () => release(session),
  };
}
