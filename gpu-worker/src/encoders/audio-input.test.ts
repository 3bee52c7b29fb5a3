// WAV decoding (PCM widths, float, stereo, extensible header, damaged files) and band-limited resampling.
import { describe, expect, it } from 'vitest';
import { AudioDecodeError, decodeWav, encodeWav16, resample } from './audio-input.ts';

function wav(format: number, bits: number, channels: number, rate: number, body: Uint8Array, extensible = false): Uint8Array {
  const fmtSize = extensible ? 40 : 16;
  const out = new Uint8Array(12 + 8 + fmtSize + 8 + body.length);
  const dv = new DataView(out.buffer);
  const put = (o: number, s: string) => [...s].forEach((c, i) => (out[o + i] = c.charCodeAt(0)));
  put(0, 'RIFF');
  dv.setUint32(4, out.length - 8, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  dv.setUint32(16, fmtSize, true);
  dv.setUint16(20, extensible ? 0xfffe : format, true);
  dv.setUint16(22, channels, true);
  dv.setUint32(24, rate, true);
  dv.setUint32(28, (rate * channels * bits) / 8, true);
  dv.setUint16(32, (channels * bits) / 8, true);
  dv.setUint16(34, bits, true);
  if (extensible) dv.setUint16(20 + 24, format, true);
  put(20 + fmtSize, 'data');
  dv.setUint32(24 + fmtSize, body.length, true);
  out.set(body, 28 + fmtSize);
  return out;
}

describe('WAV input', () => {
  it('round-trips 16-bit PCM', () => {
    const samples = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i / 5) * 0.9);
    const clip = decodeWav(encodeWav16({ samples, sampleRate: 16000 }));
    expect(clip.sampleRate).toBe(16000);
    clip.samples.forEach((v, i) => expect(v).toBeCloseTo(samples[i]!, 4));
  });

  it('reads float32 stereo (averaged to mono), 24-bit and 8-bit PCM, and the extensible header', () => {
    const f = new Float32Array([0.5, -0.5, 1, 0]);
    expect(Array.from(decodeWav(wav(3, 32, 2, 8000, new Uint8Array(f.buffer))).samples)).toEqual([0, 0.5]);
    const b24 = new Uint8Array([0x00, 0x00, 0x40, 0x00, 0x00, 0xc0]); // +0.5, -0.5
    expect(Array.from(decodeWav(wav(1, 24, 1, 8000, b24, true)).samples)).toEqual([0.5, -0.5]);
    expect(Array.from(decodeWav(wav(1, 8, 1, 8000, new Uint8Array([128, 192]))).samples)).toEqual([0, 0.5]);
  });

  it('rejects non-WAV, empty and unsupported files with a reason', () => {
    expect(() => decodeWav(new TextEncoder().encode('ID3 mp3 data...'))).toThrow(AudioDecodeError);
    expect(() => decodeWav(wav(1, 16, 1, 8000, new Uint8Array(0)))).toThrow(/no samples/);
    expect(() => decodeWav(wav(2, 4, 1, 8000, new Uint8Array(8)))).toThrow(/not supported/);
  });

  it('resamples a tone without moving its frequency or losing its level', () => {
    const rate = 44100;
    const hz = 1000;
    const x = Float32Array.from({ length: rate / 10 }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));
    const y = resample({ samples: x, sampleRate: rate }, 16000);
    expect(y.length).toBe(1600);
    // Compare with the ideal tone away from the edges.
    let err = 0;
    for (let i = 200; i < 1400; i++) err = Math.max(err, Math.abs(y[i]! - Math.sin((2 * Math.PI * hz * i) / 16000)));
    expect(err).toBeLessThan(0.01);
    // A tone above the new Nyquist (10 kHz > 8 kHz) is filtered out, not aliased.
    const hi = Float32Array.from({ length: rate / 10 }, (_, i) => Math.sin((2 * Math.PI * 10000 * i) / rate));
    const z = resample({ samples: hi, sampleRate: rate }, 16000);
    expect(Math.max(...Array.from(z.subarray(200, 1400), Math.abs))).toBeLessThan(0.05);
  });
});
