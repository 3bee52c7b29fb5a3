// Whole-dataset feature extraction on a small real fixture (ML-100K posters and titles through the real ONNX
// encoders): per-item notes for a missing file, a corrupt JPEG, empty text and an encoder failure, zero rows with
// presence 0, the manifest contract, and resuming an interrupted run without recomputing finished chunks.
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '@llmrec/shared/npy.ts';
import { parseFeaturesManifest } from '@llmrec/shared/features.ts';
import { tempDirs } from '@llmrec/data/test-support/temp-dirs.ts';
import type { ContentEncoder, ImageEncoder, TextEncoder } from './encoder.ts';
import { extractFeatures, type FeatureItem } from './extract.ts';
import { createMobileNetEncoder } from './mobilenet-encoder.ts';
import { ml100kMovies, posterIds, posterPath, SKIP_NO_ML100K, TEST_HOME } from './real-inputs.test-helper.ts';
import { createUseLiteEncoder } from './use-lite-encoder.ts';

const temp = tempDirs();

/** Counts encode calls; throws for a text containing BOOM (an encoder failure on one item). */
function instrumented<M extends 'text' | 'image'>(enc: ContentEncoder<M>): ContentEncoder<M> & { calls: number } {
  const wrapped = {
    ...enc,
    calls: 0,
    async encode(inputs: Parameters<ContentEncoder<M>['encode']>[0]) {
      wrapped.calls++;
      if (inputs.some((x) => typeof x === 'string' && x.includes('BOOM'))) throw new Error('BOOM is not encodable');
      return enc.encode(inputs);
    },
  };
  return wrapped;
}

describe.skipIf(SKIP_NO_ML100K)('extractFeatures', () => {
  let text: TextEncoder;
  let image: ImageEncoder;
  let items: FeatureItem[];
  beforeAll(async () => {
    text = await createUseLiteEncoder({ home: TEST_HOME });
    image = await createMobileNetEncoder({ home: TEST_HOME });
    const dir = temp('llmrec-extract-');
    const [a, b, c] = posterIds(3);
    const corrupt = join(dir, 'corrupt.jpg');
    const full = readFileSync(posterPath(a!));
    writeFileSync(corrupt, full.subarray(0, Math.floor(full.length * 0.6)));
    const copied = join(dir, 'copy.jpg');
    copyFileSync(posterPath(c!), copied);
    const movies = ml100kMovies();
    const item = (idx: number, title: string, img: string | null, plot?: string): FeatureItem => ({ idx, id: String(idx + 1), title, text: plot ? { plot } : {}, modalities: { image: img, audio: null } });
    items = [
      item(0, movies[a! - 1]!.title, posterPath(a!), movies[a! - 1]!.plot),
      item(1, movies[1]!.title, join(dir, 'missing.jpg')),
      item(2, movies[2]!.title, corrupt),
      item(3, '', null),
      item(4, 'BOOM', posterPath(b!)),
      item(5, movies[c! - 1]!.title, copied),
    ];
  });
  afterAll(async () => {
    await text?.close();
    await image?.close();
  });

  it('writes the contract files with notes, zero rows and presence for unusable inputs', async () => {
    const out = temp('llmrec-features-');
    const res = await extractFeatures({ dataset: 'fixture', items, itemsSha256: 'a'.repeat(64), outDir: out, encoders: { text: instrumented(text), image }, chunkSize: 2 });
    const m = parseFeaturesManifest(JSON.parse(readFileSync(join(out, 'features.json'), 'utf8')));
    expect(m).toEqual(res.manifest);
    expect(m.items).toBe(6);
    const img = m.modalities.image!;
    expect(img.count).toEqual({ present: 3, missing: 3 });
    expect(img.notes.map((n) => n.idx)).toEqual([1, 2]);
    expect(img.notes[0]!.reason).toMatch(/image file not found: .*missing\.jpg/);
    expect(img.notes[1]!.reason).toMatch(/corrupt JPEG/);
    const txt = m.modalities.text!;
    expect(txt.count).toEqual({ present: 4, missing: 2 });
    expect(txt.notes.map((n) => [n.idx, n.reason.split(' ')[0]])).toEqual([[3, 'empty'], [4, 'use-lite']]);
    expect(txt.notes[1]!.reason).toMatch(/BOOM is not encodable/);

    const table = decodeNpy(readFileSync(join(out, img.file)));
    const present = decodeNpy(readFileSync(join(out, img.present)));
    expect(table.shape).toEqual([6, 1280]);
    expect(present.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(present.data)).toEqual([1, 0, 0, 0, 1, 1]);
    const rows = table.data as Float32Array;
    for (let r = 0; r < 6; r++) {
      const row = rows.subarray(r * 1280, (r + 1) * 1280);
      expect(row.some((v) => v !== 0), `row ${r}`).toBe(present.data[r] === 1);
    }
    const t = decodeNpy(readFileSync(join(out, txt.file)));
    expect(t.shape).toEqual([6, 512]);
    // The item with a valid title next to the failing one was still encoded (its chunk was retried item by item).
    expect(Array.from(decodeNpy(readFileSync(join(out, txt.present))).data)).toEqual([1, 1, 1, 0, 0, 1]);
    expect(existsSync(join(out, '.partial'))).toBe(false);
  });

  it('resumes an interrupted run from its finished chunks and reuses complete features', async () => {
    const oneShot = temp('llmrec-features-');
    await extractFeatures({ dataset: 'fixture', items, itemsSha256: 'b'.repeat(64), outDir: oneShot, encoders: { text, image }, chunkSize: 2 });

    const out = temp('llmrec-features-');
    const abort = new AbortController();
    const img1 = instrumented(image);
    const first = await extractFeatures({
      dataset: 'fixture', items, itemsSha256: 'b'.repeat(64), outDir: out, encoders: { text, image: img1 }, chunkSize: 2, signal: abort.signal,
      onProgress: (m, done) => {
        if (m === 'image' && done === 2) abort.abort();
      },
    });
    expect(first.runs.text?.status).toBe('computed');
    expect(first.runs.image).toMatchObject({ status: 'aborted', chunksComputed: 1 });
    expect(img1.calls).toBe(1);
    expect(first.manifest?.modalities.image).toBeUndefined();

    const img2 = instrumented(image);
    const txt2 = instrumented(text);
    const second = await extractFeatures({ dataset: 'fixture', items, itemsSha256: 'b'.repeat(64), outDir: out, encoders: { text: txt2, image: img2 }, chunkSize: 2 });
    expect(second.runs.text?.status).toBe('up-to-date');
    expect(txt2.calls).toBe(0);
    expect(second.runs.image).toMatchObject({ status: 'computed', chunksReused: 1, chunksComputed: 2 });
    expect(img2.calls).toBe(1); // chunk 1 (a corrupt poster and an item without one) has nothing to encode
    expect(readFileSync(join(out, 'image.npy')).equals(readFileSync(join(oneShot, 'image.npy')))).toBe(true);
    expect(readFileSync(join(out, 'text.npy')).equals(readFileSync(join(oneShot, 'text.npy')))).toBe(true);

    const img3 = instrumented(image);
    const third = await extractFeatures({ dataset: 'fixture', items, itemsSha256: 'b'.repeat(64), outDir: out, encoders: { image: img3 }, chunkSize: 2 });
    expect(third.runs.image?.status).toBe('up-to-date');
    expect(img3.calls).toBe(0);
    // Features of other items (a changed items.jsonl) are never reused.
    const img4 = instrumented(image);
    const fourth = await extractFeatures({ dataset: 'fixture', items, itemsSha256: 'c'.repeat(64), outDir: out, encoders: { image: img4 }, chunkSize: 2 });
    expect(fourth.runs.image?.status).toBe('computed');
    expect(fourth.manifest?.modalities.text).toBeUndefined();

    // An interrupted run for one item list leaves chunks; a run for another list drops them (they can never resume).
    const stop = (c: AbortController) => (m: string, done: number) => {
      if (m === 'image' && done === 2) c.abort();
    };
    const a1 = new AbortController();
    await extractFeatures({ dataset: 'fixture', items, itemsSha256: 'd'.repeat(64), outDir: out, encoders: { image }, chunkSize: 2, signal: a1.signal, onProgress: stop(a1) });
    const a2 = new AbortController();
    await extractFeatures({ dataset: 'fixture', items, itemsSha256: 'e'.repeat(64), outDir: out, encoders: { image }, chunkSize: 2, signal: a2.signal, onProgress: stop(a2) });
    expect(readdirSync(join(out, '.partial')).filter((d) => d.startsWith('image-'))).toHaveLength(1);
  });
});
