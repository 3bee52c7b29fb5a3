// Content feature extraction for a whole dataset (issue 10 part 1; contract: shared/src/features.ts): every item's
// text, image and audio through the frozen encoders into one float32 [items, dim] table per modality plus a uint8
// presence vector, rows in dense item order. Work is cut into chunks written under <out>/.partial/ as they finish, so
// an interrupted run resumes where it stopped; a missing or unreadable input (no file, corrupt JPEG, empty text, an
// encoder failure on one item) becomes a per-item note and a zero row with presence 0, never an aborted dataset.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '@llmrec/shared/npy.ts';
import { FEATURES_MANIFEST_FILE, FeaturesManifest, parseFeaturesManifest, type ItemNote, type Modality, type ModalityFeatures } from '@llmrec/shared/features.ts';
import { decodeWav } from './audio-input.ts';
import type { ContentEncoder, ModalityInput } from './encoder.ts';
import { decodeImage } from './image-input.ts';
import { ITEM_TEXT_DESCRIPTION, itemText, type TextItem } from './item-text.ts';

export interface FeatureItem extends TextItem {
  idx: number;
  modalities: { image: string | null; audio: string | null };
}

export type EncoderSet = { [M in Modality]?: ContentEncoder<M> };

export interface ExtractOptions {
  dataset: string;
  items: FeatureItem[];
  /** sha256 of the dataset's items.jsonl (stored in the manifest; features of other items are never reused). */
  itemsSha256: string;
  /** $LLMREC_HOME/features/<dataset>. */
  outDir: string;
  encoders: EncoderSet;
  /** Items per resumable chunk (default 64). */
  chunkSize?: number;
  onProgress?: (modality: Modality, done: number, total: number) => void;
  /** Stops after the chunk in progress (the next run resumes). */
  signal?: AbortSignal;
  log?: (msg: string) => void;
}

export interface ModalityRun {
  status: 'computed' | 'up-to-date' | 'aborted';
  chunksComputed: number;
  chunksReused: number;
  seconds: number;
}

export interface ExtractResult {
  manifest?: FeaturesManifest;
  runs: { [M in Modality]?: ModalityRun };
}

type Loaded<M extends Modality> = { input: ModalityInput[M] } | { missing: true; note?: string };

function sha256(b: Uint8Array | string): string {
  return createHash('sha256').update(b).digest('hex');
}

function loadInput<M extends Modality>(modality: M, item: FeatureItem): Loaded<M> {
  if (modality === 'text') {
    const t = itemText(item);
    return (t ? { input: t } : { missing: true, note: 'empty text (no title, plot or attributes to read)' }) as Loaded<M>;
  }
  const path = modality === 'image' ? item.modalities.image : item.modalities.audio;
  if (!path) return { missing: true };
  if (!existsSync(path)) return { missing: true, note: `${modality} file not found: ${path}` };
  try {
    const bytes = new Uint8Array(readFileSync(path));
    return { input: (modality === 'image' ? decodeImage(bytes) : decodeWav(bytes)) as ModalityInput[M] };
  } catch (e) {
    return { missing: true, note: `${path}: ${(e as Error).message}` };
  }
}

function writeAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

interface ChunkResult {
  present: number[];
  notes: ItemNote[];
}

/** Encodes the loaded inputs of one chunk; a failing batch is retried item by item so one bad input costs one row. */
async function encodeChunk<M extends Modality>(enc: ContentEncoder<M>, items: FeatureItem[], rows: Float32Array): Promise<ChunkResult> {
  const dim = enc.ref.dim;
  const present = items.map(() => 0);
  const notes: ItemNote[] = [];
  const ok: Array<{ k: number; input: ModalityInput[M] }> = [];
  items.forEach((item, k) => {
    const l = loadInput(enc.modality, item);
    if ('input' in l) ok.push({ k, input: l.input });
    else if (l.note) notes.push({ idx: item.idx, id: item.id, reason: l.note });
  });
  const accept = (k: number, v: Float32Array) => {
    const item = items[k]!;
    if (!v.every(Number.isFinite)) return notes.push({ idx: item.idx, id: item.id, reason: `${enc.ref.id} produced non-finite values` });
    rows.set(v, k * dim);
    present[k] = 1;
    return 0;
  };
  if (ok.length === 0) return { present, notes };
  try {
    const out = await enc.encode(ok.map((o) => o.input));
    ok.forEach((o, j) => accept(o.k, out.subarray(j * dim, (j + 1) * dim)));
  } catch {
    for (const o of ok) {
      try {
        accept(o.k, await enc.encode([o.input]));
      } catch (e) {
        const item = items[o.k]!;
        notes.push({ idx: item.idx, id: item.id, reason: `${enc.ref.id} failed: ${(e as Error).message.split('\n')[0]}` });
      }
    }
  }
  notes.sort((a, b) => a.idx - b.idx);
  return { present, notes };
}

function existingManifest(outDir: string, itemsSha256: string): FeaturesManifest | undefined {
  const path = join(outDir, FEATURES_MANIFEST_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const m = parseFeaturesManifest(JSON.parse(readFileSync(path, 'utf8')), path);
    return m.itemsSha256 === itemsSha256 ? m : undefined;
  } catch {
    return undefined;
  }
}

/** What an encoder reads for a modality, recorded as the features' `input` (text: how item-text.ts composes it). */
function inputDescriptionOf(enc: ContentEncoder): string {
  return enc.modality === 'text' ? `${ITEM_TEXT_DESCRIPTION}; ${enc.input}` : enc.input;
}

function upToDate(outDir: string, entry: ModalityFeatures | undefined, enc: ContentEncoder): boolean {
  // a change of what is read (e.g. item-text.ts composing the text otherwise) recomputes the features
  if (!entry || entry.encoder.onnxSha256 !== enc.ref.onnxSha256 || entry.encoder.id !== enc.ref.id || entry.input !== inputDescriptionOf(enc)) return false;
  const file = join(outDir, entry.file);
  return existsSync(file) && existsSync(join(outDir, entry.present)) && sha256(readFileSync(file)) === entry.fileSha256;
}

async function extractModality<M extends Modality>(opts: ExtractOptions, enc: ContentEncoder<M>): Promise<{ run: ModalityRun; entry?: ModalityFeatures }> {
  const t0 = performance.now();
  const { items, outDir } = opts;
  const modality = enc.modality;
  const chunkSize = opts.chunkSize ?? 64;
  const dim = enc.ref.dim;
  const inputDescription = inputDescriptionOf(enc);
  // Partial chunks belong to one (items, encoder, input, chunking) combination; anything else starts over.
  const key = sha256(JSON.stringify({ itemsSha256: opts.itemsSha256, ref: enc.ref, inputDescription, chunkSize }));
  const partialRoot = join(outDir, '.partial');
  const partial = join(partialRoot, `${modality}-${key.slice(0, 16)}`);
  mkdirSync(partial, { recursive: true });
  // Chunks of another encoder or item list for this modality can never be resumed: drop them.
  for (const d of readdirSync(partialRoot)) if (d.startsWith(`${modality}-`) && join(partialRoot, d) !== partial) rmSync(join(partialRoot, d), { recursive: true, force: true });
  const nChunks = Math.ceil(items.length / chunkSize);
  const done = readdirSync(partial).filter((f) => f.endsWith('.json')).length;
  if (done) opts.log?.(`${modality}: resuming, ${done} of ${nChunks} chunks already done`);
  const table = new Float32Array(items.length * dim);
  const present = new Uint8Array(items.length);
  const notes: ItemNote[] = [];
  let computed = 0;
  let reused = 0;
  for (let c = 0; c < nChunks; c++) {
    const lo = c * chunkSize;
    const chunkItems = items.slice(lo, lo + chunkSize);
    const rowsPath = join(partial, `chunk-${String(c).padStart(6, '0')}.f32`);
    const metaPath = `${rowsPath.slice(0, -4)}.json`;
    let result: ChunkResult;
    const rows = table.subarray(lo * dim, (lo + chunkItems.length) * dim);
    if (existsSync(metaPath) && existsSync(rowsPath)) {
      result = JSON.parse(readFileSync(metaPath, 'utf8')) as ChunkResult;
      const bytes = readFileSync(rowsPath);
      rows.set(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
      reused++;
    } else {
      if (opts.signal?.aborted) return { run: { status: 'aborted', chunksComputed: computed, chunksReused: reused, seconds: (performance.now() - t0) / 1000 } };
      result = await encodeChunk(enc, chunkItems, rows);
      writeAtomic(rowsPath, new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
      writeAtomic(metaPath, JSON.stringify(result)); // written last: a chunk counts as done only with both files
      computed++;
    }
    result.present.forEach((p, k) => (present[lo + k] = p));
    notes.push(...result.notes);
    opts.onProgress?.(modality, Math.min(items.length, lo + chunkSize), items.length);
  }
  const file = `${modality}.npy`;
  const presentFile = `${modality}.present.npy`;
  const npy = encodeNpy(table, [items.length, dim]);
  writeAtomic(join(outDir, file), npy);
  writeAtomic(join(outDir, presentFile), encodeNpy(present));
  rmSync(partial, { recursive: true, force: true });
  if (readdirSync(partialRoot).length === 0) rmSync(partialRoot, { recursive: true, force: true });
  const nPresent = present.reduce((a, b) => a + b, 0);
  const entry: ModalityFeatures = {
    encoder: enc.ref,
    file,
    fileSha256: sha256(npy),
    present: presentFile,
    input: inputDescription,
    count: { present: nPresent, missing: items.length - nPresent },
    notes,
  };
  return { run: { status: 'computed', chunksComputed: computed, chunksReused: reused, seconds: (performance.now() - t0) / 1000 }, entry };
}

/** Extracts (or resumes, or reuses) the features of every modality that has an encoder, and writes features.json. */
export async function extractFeatures(opts: ExtractOptions): Promise<ExtractResult> {
  if (opts.items.length === 0) throw new Error(`dataset ${opts.dataset} has no items`);
  opts.items.forEach((it, k) => {
    if (it.idx !== k) throw new Error(`items must be in dense index order: row ${k} has idx ${it.idx}`);
  });
  mkdirSync(opts.outDir, { recursive: true });
  const previous = existingManifest(opts.outDir, opts.itemsSha256);
  const modalities: FeaturesManifest['modalities'] = { ...(previous?.modalities ?? {}) };
  const runs: ExtractResult['runs'] = {};
  let aborted = false;
  for (const m of ['text', 'image', 'audio'] as const) {
    const enc = opts.encoders[m] as ContentEncoder | undefined;
    if (!enc) continue;
    if (upToDate(opts.outDir, modalities[m], enc)) {
      runs[m] = { status: 'up-to-date', chunksComputed: 0, chunksReused: 0, seconds: 0 };
      continue;
    }
    const { run, entry } = await extractModality(opts, enc);
    runs[m] = run;
    if (run.status === 'aborted') {
      aborted = true;
      break;
    }
    modalities[m] = entry;
  }
  if (aborted && !Object.values(modalities).some(Boolean)) return { runs };
  const manifest: FeaturesManifest = FeaturesManifest.parse({
    v: 1,
    kind: 'llmrec-features',
    dataset: opts.dataset,
    items: opts.items.length,
    itemsSha256: opts.itemsSha256,
    createdAt: new Date().toISOString(),
    modalities,
  });
  writeAtomic(join(opts.outDir, FEATURES_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, runs };
}
