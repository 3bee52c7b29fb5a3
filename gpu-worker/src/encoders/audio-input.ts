// Audio input of the content features (issue 10 part 1): WAV decoding (PCM 8/16/24/32-bit, IEEE float 32/64,
// WAVE_FORMAT_EXTENSIBLE; channels averaged to mono) and band-limited resampling to the rate an audio encoder
// expects (Hann-windowed sinc, cut-off at the lower Nyquist). Pure TypeScript: no native decoders.
import type { AudioClip } from './encoder.ts';

export class AudioDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AudioDecodeError';
  }
}

const MAX_SECONDS = 3600;

/** Decodes a RIFF/WAVE file into a mono clip; throws AudioDecodeError with the reason. */
export function decodeWav(bytes: Uint8Array): AudioClip {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new AudioDecodeError('not a WAV file (only RIFF/WAVE audio is read)');
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  for (let o = 12; o + 8 <= bytes.length; ) {
    const id = tag(o);
    const size = dv.getUint32(o + 4, true);
    const body = o + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new AudioDecodeError('WAV fmt chunk too short');
      let format = dv.getUint16(body, true);
      if (format === 0xfffe && size >= 40) format = dv.getUint16(body + 24, true); // extensible: sub-format GUID
      fmt = { format, channels: dv.getUint16(body + 2, true), rate: dv.getUint32(body + 4, true), bits: dv.getUint16(body + 14, true) };
    } else if (id === 'data') {
      data = bytes.subarray(body, Math.min(bytes.length, body + size));
    }
    o = body + size + (size % 2);
  }
  if (!fmt) throw new AudioDecodeError('WAV file has no fmt chunk');
  if (!data) throw new AudioDecodeError('WAV file has no data chunk');
  const { format, channels, rate, bits } = fmt;
  if (channels < 1 || rate < 1000) throw new AudioDecodeError(`WAV header is implausible (${channels} channels, ${rate} Hz)`);
  const bytesPer = bits / 8;
  const pcm = format === 1;
  const float = format === 3;
  if (!(pcm && [8, 16, 24, 32].includes(bits)) && !(float && (bits === 32 || bits === 64))) throw new AudioDecodeError(`WAV encoding not supported (format ${format}, ${bits} bits)`);
  const frames = Math.floor(data.length / (bytesPer * channels));
  if (frames === 0) throw new AudioDecodeError('WAV file has no samples');
  if (frames / rate > MAX_SECONDS) throw new AudioDecodeError(`WAV file is longer than ${MAX_SECONDS} s`);
  const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = (o: number): number => {
    if (float) return bits === 32 ? d.getFloat32(o, true) : d.getFloat64(o, true);
    if (bits === 8) return (d.getUint8(o) - 128) / 128;
    if (bits === 16) return d.getInt16(o, true) / 32768;
    if (bits === 24) return ((d.getUint8(o) | (d.getUint8(o + 1) << 8) | (d.getInt8(o + 2) << 16)) / 8388608);
    return d.getInt32(o, true) / 2147483648;
  };
  const samples = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += read((f * channels + c) * bytesPer);
    samples[f] = s / channels;
  }
  return { samples, sampleRate: rate };
}

/** Encodes a mono clip as 16-bit PCM WAV (tests and fixtures synthesise audio with it). */
export function encodeWav16(clip: AudioClip): Uint8Array {
  const n = clip.samples.length;
  const out = new Uint8Array(44 + n * 2);
  const dv = new DataView(out.buffer);
  const put = (o: number, s: string) => [...s].forEach((ch, i) => (out[o + i] = ch.charCodeAt(0)));
  put(0, 'RIFF');
  dv.setUint32(4, 36 + n * 2, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true);
  dv.setUint16(22, 1, true);
  dv.setUint32(24, clip.sampleRate, true);
  dv.setUint32(28, clip.sampleRate * 2, true);
  dv.setUint16(32, 2, true);
  dv.setUint16(34, 16, true);
  put(36, 'data');
  dv.setUint32(40, n * 2, true);
  for (let i = 0; i < n; i++) dv.setInt16(44 + i * 2, Math.max(-32768, Math.min(32767, Math.round(clip.samples[i]! * 32767))), true);
  return out;
}

const ZERO_CROSSINGS = 16;

/** Resamples to `rate` (identity when equal). */
export function resample(clip: AudioClip, rate: number): Float32Array {
  if (clip.sampleRate === rate) return clip.samples;
  const ratio = rate / clip.sampleRate;
  const cutoff = Math.min(1, ratio);
  const n = Math.floor(clip.samples.length * ratio);
  const out = new Float32Array(n);
  const half = ZERO_CROSSINGS / cutoff;
  const x = clip.samples;
  for (let i = 0; i < n; i++) {
    const t = i / ratio;
    const lo = Math.max(0, Math.ceil(t - half));
    const hi = Math.min(x.length - 1, Math.floor(t + half));
    let s = 0;
    for (let j = lo; j <= hi; j++) {
      const u = (t - j) * cutoff;
      const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
      const win = 0.5 + 0.5 * Math.cos((Math.PI * (t - j)) / half);
      s += x[j]! * sinc * win;
    }
    out[i] = s * cutoff;
  }
  return out;
}
