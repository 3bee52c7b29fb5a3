// Built-in audio encoder of the content features (issue 10 part 1): Spotify's basic-pitch (npm @spotify/basic-pitch,
// Apache-2.0; a CQT front end and a small CNN trained for polyphonic note transcription, so it describes music, not
// speech), converted once to ONNX from its TF.js graph (tf-graph.ts). A clip is resampled to 22,050 Hz mono and cut
// into the package's overlapping 2 s windows exactly as its `evaluateModel` does; the per-frame pitch-contour (264),
// note (88) and onset (88) maps are averaged over the clip's frames into one 440-d vector.
import { join } from 'node:path';
import { asFloat32, createSession, float32, release, run } from '../onnx/index.ts';
import { resample } from './audio-input.ts';
import { converterFingerprint, ensureConverted } from './converted-model.ts';
import type { AudioClip, AudioEncoder, EncoderOptions } from './encoder.ts';
import { buildTfGraph } from './tf-graph.ts';
import { decodeWeights, packageDir, packageVersion, readTfjsModelDir } from './tfjs-weights.ts';

export const BASIC_PITCH_PACKAGE = '@spotify/basic-pitch';
export const BASIC_PITCH_ID = 'basic-pitch';

// From the package's inference.ts (constants of basic_pitch/constants.py).
export const SAMPLE_RATE = 22050;
const FFT_HOP = 256;
const FPS = Math.floor(SAMPLE_RATE / FFT_HOP);
export const WINDOW_SAMPLES = SAMPLE_RATE * 2 - FFT_HOP;
const OVERLAP_FRAMES = 30;
const HALF_OVERLAP = OVERLAP_FRAMES / 2;
const OVERLAP_SAMPLES = OVERLAP_FRAMES * FFT_HOP;
const HOP_SAMPLES = WINDOW_SAMPLES - OVERLAP_SAMPLES;
const FRAMES_PER_WINDOW = 172;
const MAPS = [
  { name: 'contour', width: 264 },
  { name: 'note', width: 88 },
  { name: 'onset', width: 88 },
] as const;
export const BASIC_PITCH_DIM = MAPS.reduce((a, m) => a + m.width, 0);

export function convertBasicPitch(home: string, log?: (m: string) => void) {
  const dir = join(packageDir(BASIC_PITCH_PACKAGE), 'model');
  const { model } = readTfjsModelDir(dir);
  return ensureConverted({
    home,
    id: BASIC_PITCH_ID,
    source: `${BASIC_PITCH_PACKAGE}@${packageVersion(BASIC_PITCH_PACKAGE)}`,
    sourceFiles: [join(dir, 'model.json'), ...model.weightsManifest.flatMap((gr) => gr.paths.map((p) => join(dir, p)))],
    converterSha256: converterFingerprint([import.meta.url, new URL('./tf-graph.ts', import.meta.url).href, new URL('./tfjs-weights.ts', import.meta.url).href]),
    build: () => {
      const { model: m, shards } = readTfjsModelDir(dir);
      const onnx = buildTfGraph(m.modelTopology, decodeWeights(m.weightsManifest, shards), {
        inputs: { input_2: { name: 'audio', dims: ['batch', WINDOW_SAMPLES, 1] } },
        outputs: {
          Identity: { name: 'contour', dims: ['batch', FRAMES_PER_WINDOW, 264] },
          Identity_1: { name: 'note', dims: ['batch', FRAMES_PER_WINDOW, 88] },
          Identity_2: { name: 'onset', dims: ['batch', FRAMES_PER_WINDOW, 88] },
        },
      });
      return { model: onnx, dim: BASIC_PITCH_DIM };
    },
    log,
  });
}

/** The package's prepareData: half an overlap of zeros in front, then frames of WINDOW_SAMPLES every HOP_SAMPLES,
 * the last ones zero-padded (tf.signal.frame with padEnd). */
export function basicPitchWindows(samples: Float32Array): Float32Array[] {
  const x = new Float32Array(OVERLAP_SAMPLES / 2 + samples.length);
  x.set(samples, OVERLAP_SAMPLES / 2);
  const out: Float32Array[] = [];
  for (let start = 0; start < x.length; start += HOP_SAMPLES) {
    const w = new Float32Array(WINDOW_SAMPLES);
    w.set(x.subarray(start, Math.min(x.length, start + WINDOW_SAMPLES)));
    out.push(w);
  }
  return out;
}

/** Frames the package keeps for a clip of n samples (its trim to the original length). */
export function basicPitchFrames(n: number): number {
  return Math.floor(n * (FPS / SAMPLE_RATE));
}

export async function createBasicPitchEncoder(opts: EncoderOptions): Promise<AudioEncoder> {
  const converted = convertBasicPitch(opts.home, opts.log);
  const session = await createSession(converted.onnxPath, { device: 'cpu', threads: opts.threads ?? 2 });
  const batchSize = opts.batchSize ?? 8;
  const encodeOne = async (clip: AudioClip): Promise<Float32Array> => {
    const samples = resample(clip, SAMPLE_RATE);
    const keep = basicPitchFrames(samples.length);
    if (keep < 1) throw new Error(`clip too short (${samples.length} samples at ${SAMPLE_RATE} Hz; basic-pitch needs at least one 11.6 ms frame)`);
    const windows = basicPitchWindows(samples);
    const sum = new Float64Array(BASIC_PITCH_DIM);
    let frames = 0;
    for (let s = 0; s < windows.length && frames < keep; s += batchSize) {
      const batch = windows.slice(s, s + batchSize);
      const x = new Float32Array(batch.length * WINDOW_SAMPLES);
      batch.forEach((w, b) => x.set(w, b * WINDOW_SAMPLES));
      const res = await run(session, { audio: float32(x, [batch.length, WINDOW_SAMPLES, 1]) });
      for (let b = 0; b < batch.length; b++) {
        for (let t = HALF_OVERLAP; t < FRAMES_PER_WINDOW - HALF_OVERLAP && frames < keep; t++, frames++) {
          let off = 0;
          for (const m of MAPS) {
            const data = asFloat32(res[m.name]!);
            const row = (b * FRAMES_PER_WINDOW + t) * m.width;
            for (let k = 0; k < m.width; k++) sum[off + k]! += data[row + k]!;
            off += m.width;
          }
        }
      }
    }
    return Float32Array.from(sum, (v) => v / frames);
  };
  return {
    modality: 'audio',
    ref: { id: BASIC_PITCH_ID, source: converted.meta.source, onnxSha256: converted.meta.onnxSha256, dim: BASIC_PITCH_DIM },
    input: `WAV, mono, resampled to ${SAMPLE_RATE} Hz, 2 s windows as the package frames them; mean over frames of contour (264) + note (88) + onset (88) maps`,
    async encode(clips) {
      const out = new Float32Array(clips.length * BASIC_PITCH_DIM);
      for (let i = 0; i < clips.length; i++) out.set(await encodeOne(clips[i]!), i * BASIC_PITCH_DIM);
      return out;
    },
    close: () => release(session),
  };
}
