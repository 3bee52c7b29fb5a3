// User-supplied Hugging Face-layout ONNX exports in the content-encoder slots (issue 10 part 1), e.g. what
// `optimum-cli export onnx` writes for all-MiniLM-L6-v2, CLIP ViT-B/32 or wav2vec2-base: <dir>/model.onnx (or
// <dir>/onnx/model.onnx) beside tokenizer.json / preprocessor_config.json. Same contract as the built-ins:
//   text:  input_ids + attention_mask (+ token_type_ids as zeros) -> last_hidden_state, mean over real tokens, L2-normalised
//          (tokenizer.json through the pure-JS @huggingface/tokenizers; truncated to model_max_length, at most 512)
//   image: pixel_values NCHW -> image_embeds (else pooler_output); shorter side to size.shortest_edge, centre crop to
//          crop_size (bilinear; HF's CLIP processor resizes bicubic), rescale and image_mean/std from the config
//   audio: input_values [1, samples] (+ attention_mask of ones) -> last_hidden_state, mean over frames; resampled to
//          sampling_rate, zero-mean/unit-variance when do_normalize; clips over 30 s run in 30 s segments
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';
import { asFloat32, createSession, float32, int64, release, run, type OnnxSession, type Tensor } from '../onnx/index.ts';
import { resample } from './audio-input.ts';
import { sha256Hex } from './converted-model.ts';
import type { AudioClip, AudioEncoder, EncoderOptions, ImageEncoder, TextEncoder } from './encoder.ts';
import { resizeCenterCrop } from './image-input.ts';

const MAX_TEXT_TOKENS = 512;
const AUDIO_SEGMENT_SECONDS = 30;

function readJson<T>(path: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not readable JSON (${(e as Error).message})`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new Error(`${path}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

interface Export {
  dir: string;
  onnxPath: string;
  session: OnnxSession;
  ref: { id: string; source: string; onnxSha256: string };
}

async function openExport(dirArg: string, opts: EncoderOptions, need: string[]): Promise<Export> {
  const dir = resolve(dirArg);
  const onnxPath = [join(dir, 'model.onnx'), join(dir, 'onnx', 'model.onnx')].find(existsSync);
  if (!onnxPath) throw new Error(`${dir}: no model.onnx (nor onnx/model.onnx); expected a Hugging Face ONNX export folder`);
  for (const f of need) if (!existsSync(join(dir, f))) throw new Error(`${dir}: ${f} missing (the export folder needs it beside the model)`);
  const session = await createSession(onnxPath, { device: 'cpu', threads: opts.threads ?? 2 });
  return { dir, onnxPath, session, ref: { id: `onnx:${basename(dir)}`, source: dir, onnxSha256: sha256Hex(readFileSync(onnxPath)) } };
}

function pickOutput(s: OnnxSession, names: string[], what: string): string {
  const name = names.find((n) => s.outputNames.includes(n));
  if (!name) throw new Error(`${s.source}: ${what} export needs an output named ${names.join(' or ')} (has ${s.outputNames.join(', ')})`);
  return name;
}

/** Mean over axis 1 of [B, T, D] with a [B, T] 0/1 mask (all ones when undefined). */
function maskedMean(t: Tensor, mask?: ArrayLike<number | bigint>): { data: Float32Array; dim: number } {
  const [B, T, D] = t.dims as [number, number, number];
  const x = asFloat32(t);
  const out = new Float32Array(B * D);
  for (let b = 0; b < B; b++) {
    let n = 0;
    for (let j = 0; j < T; j++) {
      if (mask && Number(mask[b * T + j]) === 0) continue;
      n++;
      for (let d = 0; d < D; d++) out[b * D + d]! += x[(b * T + j) * D + d]!;
    }
    for (let d = 0; d < D; d++) out[b * D + d]! /= Math.max(n, 1);
  }
  return { data: out, dim: D };
}

function l2Rows(x: Float32Array, dim: number): Float32Array {
  for (let r = 0; r < x.length / dim; r++) {
    const row = x.subarray(r * dim, (r + 1) * dim);
    const n = Math.hypot(...row) || 1;
    for (let d = 0; d < dim; d++) row[d] = row[d]! / n;
  }
  return x;
}

const TokenizerConfig = z.object({ model_max_length: z.number().optional() }).passthrough();

export async function createHfTextEncoder(dirArg: string, opts: EncoderOptions): Promise<TextEncoder> {
  const ex = await openExport(dirArg, opts, ['tokenizer.json']);
  const tokJson = readJson(join(ex.dir, 'tokenizer.json'), z.record(z.string(), z.unknown()));
  const cfgPath = join(ex.dir, 'tokenizer_config.json');
  const cfg = existsSync(cfgPath) ? readJson(cfgPath, TokenizerConfig) : {};
  const tokenizer = new Tokenizer(tokJson, cfg);
  const maxLen = Math.min(MAX_TEXT_TOKENS, cfg.model_max_length && cfg.model_max_length < 1e6 ? cfg.model_max_length : MAX_TEXT_TOKENS);
  // Where the special tokens sit around a text (e.g. [CLS] ... [SEP]), so truncation keeps them.
  const probe = tokenizer.encode('hello world').ids;
  const body = tokenizer.encode('hello world', { add_special_tokens: false }).ids;
  const prefix = probe.findIndex((_, i) => body.every((id, k) => probe[i + k] === id));
  if (prefix < 0) throw new Error(`${ex.dir}/tokenizer.json: cannot locate the text between its special tokens`);
  const suffix = probe.length - prefix - body.length;
  const ids = (text: string): number[] => {
    const full = tokenizer.encode(text).ids;
    if (full.length <= maxLen) return full;
    return [...full.slice(0, maxLen - suffix), ...full.slice(full.length - suffix)];
  };
  for (const n of ['input_ids', 'attention_mask']) if (!ex.session.inputNames.includes(n)) throw new Error(`${ex.onnxPath}: text export needs input ${n} (has ${ex.session.inputNames.join(', ')})`);
  const out = pickOutput(ex.session, ['last_hidden_state', 'sentence_embedding'], 'text');
  const batchSize = opts.batchSize ?? 16;
  const runBatch = async (texts: string[]) => {
    const toks = texts.map(ids);
    const T = Math.max(1, ...toks.map((t) => t.length));
    const flat = new BigInt64Array(toks.length * T);
    const mask = new BigInt64Array(toks.length * T);
    toks.forEach((t, b) => t.forEach((id, j) => {
      flat[b * T + j] = BigInt(id);
      mask[b * T + j] = 1n;
    }));
    const feeds: Record<string, Tensor> = { input_ids: int64(flat, [toks.length, T]), attention_mask: int64(mask, [toks.length, T]) };
    if (ex.session.inputNames.includes('token_type_ids')) feeds.token_type_ids = int64(new BigInt64Array(toks.length * T), [toks.length, T]);
    const res = await run(ex.session, feeds, [out]);
    const t = res[out]!;
    const pooled = t.dims.length === 3 ? maskedMean(t, mask) : { data: asFloat32(t).slice(), dim: t.dims[1]! };
    return { data: l2Rows(pooled.data, pooled.dim), dim: pooled.dim };
  };
  const dim = (await runBatch(['probe'])).dim;
  return {
    modality: 'text',
    ref: { ...ex.ref, dim },
    input: `text, ${basename(ex.dir)} tokenizer.json, first ${maxLen} tokens; mean of ${out} over tokens, L2-normalised`,
    async encode(texts) {
      const res = new Float32Array(texts.length * dim);
      for (let s = 0; s < texts.length; s += batchSize) res.set((await runBatch(texts.slice(s, s + batchSize))).data, s * dim);
      return res;
    },
    close: () => release(ex.session),
  };
}

const SizeSpec = z.union([z.number(), z.object({ shortest_edge: z.number() }), z.object({ height: z.number(), width: z.number() })]);
const ImagePreprocessor = z.object({
  image_mean: z.array(z.number()).length(3),
  image_std: z.array(z.number()).length(3),
  crop_size: SizeSpec.optional(),
  size: SizeSpec.optional(),
  do_rescale: z.boolean().optional(),
  rescale_factor: z.number().optional(),
  do_normalize: z.boolean().optional(),
});

const edge = (s: z.infer<typeof SizeSpec> | undefined): number | undefined => (s === undefined ? undefined : typeof s === 'number' ? s : 'shortest_edge' in s ? s.shortest_edge : Math.min(s.height, s.width));

export async function createHfImageEncoder(dirArg: string, opts: EncoderOptions): Promise<ImageEncoder> {
  const ex = await openExport(dirArg, opts, ['preprocessor_config.json']);
  const pp = readJson(join(ex.dir, 'preprocessor_config.json'), ImagePreprocessor);
  const crop = edge(pp.crop_size) ?? edge(pp.size) ?? 224;
  const shortest = edge(pp.size) ?? crop;
  const scale = pp.do_rescale === false ? 1 : (pp.rescale_factor ?? 1 / 255);
  const normalise = pp.do_normalize !== false;
  if (!ex.session.inputNames.includes('pixel_values')) throw new Error(`${ex.onnxPath}: image export needs input pixel_values (has ${ex.session.inputNames.join(', ')})`);
  const out = pickOutput(ex.session, ['image_embeds', 'pooler_output'], 'image');
  const feeds = (x: Float32Array, n: number) => {
    const f: Record<string, Tensor> = { pixel_values: float32(x, [n, 3, crop, crop]) };
    // CLIP exports sometimes keep the text branch's inputs; a one-token dummy satisfies them.
    for (const name of ex.session.inputNames) if (name !== 'pixel_values') f[name] = int64(new BigInt64Array(n), [n, 1]);
    return f;
  };
  /** NCHW, rescaled and normalised as the processor config says. */
  const pixels = (img: Parameters<ImageEncoder['encode']>[0][number]) => {
    const hwc = resizeCenterCrop(img, crop, shortest);
    const chw = new Float32Array(3 * crop * crop);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < crop * crop; p++) {
        const v = hwc[p * 3 + c]! * scale;
        chw[c * crop * crop + p] = normalise ? (v - pp.image_mean[c]!) / pp.image_std[c]! : v;
      }
    }
    return chw;
  };
  const dim = asFloat32((await run(ex.session, feeds(new Float32Array(3 * crop * crop), 1), [out]))[out]!).length;
  const batchSize = opts.batchSize ?? 8;
  return {
    modality: 'image',
    ref: { ...ex.ref, dim },
    input: `JPEG/PNG, shorter side to ${shortest} + centre crop ${crop} (bilinear), x*${scale.toPrecision(4)}${normalise ? ', (x - image_mean) / image_std' : ''}; ${out}`,
    async encode(images) {
      const res = new Float32Array(images.length * dim);
      const px = 3 * crop * crop;
      for (let s = 0; s < images.length; s += batchSize) {
        const batch = images.slice(s, s + batchSize);
        const x = new Float32Array(batch.length * px);
        batch.forEach((im, b) => x.set(pixels(im), b * px));
        res.set(asFloat32((await run(ex.session, feeds(x, batch.length), [out]))[out]!), s * dim);
      }
      return res;
    },
    close: () => release(ex.session),
  };
}

const AudioPreprocessor = z.object({ sampling_rate: z.number().int().positive(), do_normalize: z.boolean().optional() });

export async function createHfAudioEncoder(dirArg: string, opts: EncoderOptions): Promise<AudioEncoder> {
  const ex = await openExport(dirArg, opts, ['preprocessor_config.json']);
  const pp = readJson(join(ex.dir, 'preprocessor_config.json'), AudioPreprocessor);
  if (!ex.session.inputNames.includes('input_values')) throw new Error(`${ex.onnxPath}: audio export needs input input_values (has ${ex.session.inputNames.join(', ')})`);
  const out = pickOutput(ex.session, ['last_hidden_state'], 'audio');
  const segment = AUDIO_SEGMENT_SECONDS * pp.sampling_rate;
  const runSegment = async (x: Float32Array) => {
    const feeds: Record<string, Tensor> = { input_values: float32(x, [1, x.length]) };
    if (ex.session.inputNames.includes('attention_mask')) feeds.attention_mask = int64(new BigInt64Array(x.length).fill(1n), [1, x.length]);
    const t = (await run(ex.session, feeds, [out]))[out]!;
    return { ...maskedMean(t), frames: t.dims[1]! };
  };
  const encodeOne = async (clip: AudioClip) => {
    const x = Float32Array.from(resample(clip, pp.sampling_rate));
    if (pp.do_normalize) {
      const mean = x.reduce((a, b) => a + b, 0) / x.length;
      const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
      const inv = 1 / Math.sqrt(variance + 1e-7);
      for (let i = 0; i < x.length; i++) x[i] = (x[i]! - mean) * inv;
    }
    let acc: Float64Array | undefined;
    let frames = 0;
    for (let s = 0; s < x.length; s += segment) {
      const r = await runSegment(x.subarray(s, Math.min(x.length, s + segment)));
      acc ??= new Float64Array(r.dim);
      for (let d = 0; d < r.dim; d++) acc[d]! += r.data[d]! * r.frames;
      frames += r.frames;
    }
    if (!acc || frames === 0) throw new Error('clip produced no frames (too short for this model)');
    return Float32Array.from(acc, (v) => v / frames);
  };
  const dim = (await encodeOne({ samples: new Float32Array(pp.sampling_rate), sampleRate: pp.sampling_rate })).length;
  return {
    modality: 'audio',
    ref: { ...ex.ref, dim },
    input: `WAV, mono, resampled to ${pp.sampling_rate} Hz${pp.do_normalize ? ', zero mean / unit variance' : ''}; mean of ${out} over frames (30 s segments)`,
    async encode(clips) {
      const res = new Float32Array(clips.length * dim);
      for (let i = 0; i < clips.length; i++) res.set(await encodeOne(clips[i]!), i * dim);
      return res;
    },
    close: () => release(ex.session),
  };
}
