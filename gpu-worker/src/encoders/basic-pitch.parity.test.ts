// basic-pitch (audio slot) converted to ONNX, against the package's own BasicPitch.evaluateModel in TF.js, on clips
// the test synthesises (no dataset here has audio): a tone, a chord, noise; plus what the features mean (the note
// map peaks at the pitches played) and WAV input at another sample rate through the resampler.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@llmrec/shared/rng.ts';
import { decodeWav, encodeWav16 } from './audio-input.ts';
import { basicPitchFrames, basicPitchWindows, BASIC_PITCH_DIM, createBasicPitchEncoder, SAMPLE_RATE } from './basic-pitch-encoder.ts';
import { maxAbsDiff } from './parity.ts';
import { TEST_HOME } from './real-inputs.test-helper.ts';
import { referenceBasicPitch } from './tfjs-reference.ts';

const midiHz = (m: number) => 440 * 2 ** ((m - 69) / 12);

function tones(midi: number[], seconds: number, rate = SAMPLE_RATE): Float32Array {
  const n = Math.floor(seconds * rate);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) for (const m of midi) x[i]! += (0.5 / midi.length) * Math.sin((2 * Math.PI * midiHz(m) * i) / rate);
  return x;
}

function noise(seconds: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: Math.floor(seconds * SAMPLE_RATE) }, () => 0.3 * (2 * r() - 1));
}

/** MIDI numbers of the k strongest note activations (the note map starts at MIDI 21, A0). */
const topNotes = (f: Float32Array, k: number) => Array.from(f.subarray(264, 352)).map((v, i) => [v, i + 21] as const).sort((a, b) => b[0] - a[0]).slice(0, k).map(([, m]) => m).sort((a, b) => a - b);

describe('basic-pitch audio encoder', () => {
  it('frames audio as the package does', () => {
    expect(basicPitchWindows(new Float32Array(22050 * 3)).map((w) => w.length)).toEqual([43844, 43844]);
    expect(basicPitchFrames(22050)).toBe(86);
  });

  it('matches the package run in TF.js on a tone, a chord and noise', async () => {
    const clips = [tones([69], 2.5), tones([60, 64, 67], 4.2), noise(1.5, 7)];
    const enc = await createBasicPitchEncoder({ home: TEST_HOME });
    const ref = await referenceBasicPitch();
    try {
      const a = await enc.encode(clips.map((samples) => ({ samples, sampleRate: SAMPLE_RATE })));
      expect(a.length).toBe(3 * BASIC_PITCH_DIM);
      const b = new Float32Array(a.length);
      for (let c = 0; c < clips.length; c++) b.set(await ref.encode(clips[c]!), c * BASIC_PITCH_DIM);
      const { maxAbs, scale } = maxAbsDiff(a, b);
      expect(scale).toBeGreaterThan(0.1);
      expect(maxAbs).toBeLessThanOrEqual(1e-4 * scale);
      expect(topNotes(a.subarray(0, BASIC_PITCH_DIM), 1)).toEqual([69]);
      expect(topNotes(a.subarray(BASIC_PITCH_DIM, 2 * BASIC_PITCH_DIM), 3)).toEqual([60, 64, 67]);
    } finally {
      await enc.close();
    }
  });

  it('reads a 44.1 kHz WAV through the resampler to the same pitches', async () => {
    const wav = encodeWav16({ samples: tones([57, 64], 2, 44100), sampleRate: 44100 });
    const clip = decodeWav(wav);
    expect(clip.sampleRate).toBe(44100);
    const enc = await createBasicPitchEncoder({ home: TEST_HOME });
    try {
      expect(topNotes(await enc.encode([clip]), 2)).toEqual([57, 64]);
      await expect(enc.encode([{ samples: new Float32Array(100), sampleRate: SAMPLE_RATE }])).rejects.toThrow(/too short/);
    } finally {
      await enc.close();
    }
  });
});
