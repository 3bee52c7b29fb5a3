// Fixtures with the I/O of the real content path, for tests and benchmarks until the fusion step's tower and the
// encoders package land: a linear content tower in ONNX (z_item = sum over modalities of present_m * x_m W_m,
// written with the worker's ONNX writer and run by onnxruntime like the real one), a hashed bag-of-words text
// encoder and a byte-histogram image encoder. Not models of content: they only give the pipeline real tensors.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURES_MANIFEST_FILE } from '@llmrec/shared/features.ts';
import { encodeNpy } from '@llmrec/shared/npy.ts';
import type { ServingBundleInput } from '@llmrec/shared/api/serving-bundle.ts';
import { GraphBuilder, valueInfo } from '../llm/onnx-graph/graph-builder.ts';
import { encodeModel } from '../llm/onnx-graph/model-io.ts';
import { DataType } from '../llm/onnx-graph/onnx-schema.ts';
import type { ItemEncoders } from './item-encoders.ts';

/** ONNX bytes of a linear tower: inputs `<m>` [B, dim_m] and `<m>_present` [B], output `z_item` [B, out]. */
export function linearTowerOnnx(weights: Record<string, { w: Float32Array; dim: number }>, out: number): Uint8Array {
  const g = new GraphBuilder('fixture-content-tower');
  let acc: string | null = null;
  for (const [m, { w, dim }] of Object.entries(weights)) {
    if (w.length !== dim * out) throw new Error(`${m}: ${w.length} weights for [${dim}, ${out}]`);
    g.input(m, DataType.FLOAT, ['batch', dim]);
    g.input(`${m}_present`, DataType.FLOAT, ['batch']);
    const proj = g.op('MatMul', [m, g.float(`W_${m}`, w, [dim, out])]);
    const mask = g.op('Unsqueeze', [`${m}_present`, g.ints([1])]);
    const term = g.op('Mul', [proj, mask]);
    acc = acc === null ? term : g.op('Add', [acc, term]);
  }
  if (acc === null) throw new Error('a tower needs at least one modality');
  g.op('Identity', [acc], {}, ['z_item']);
  g.outputs.push(valueInfo('z_item', DataType.FLOAT, ['batch', out]));
  return encodeModel(g.model());
}

/** The serving bundle's `contentTower` entry for a tower file at `path` (relative to the bundle) holding `onnx`. */
export function towerBundleEntry(path: string, onnx: Uint8Array, dims: Record<string, number>, out: number): NonNullable<ServingBundleInput['contentTower']> {
  const names = Object.keys(dims);
  return {
    path,
    sha256: createHash('sha256').update(onnx).digest('hex'),
    inputs: [...names.map((name) => ({ name, dim: dims[name]! })), ...names.map((name) => ({ name: `${name}_present`, dim: 0 }))],
    output: 'z_item',
    dim: out,
    modalities: names.map((name) => ({ name, encoder: 'fixture', source: 'fixture', dim: dims[name]! })),
  };
}

/**
 * An offline features folder (shared/src/features.ts layout) in which no published item has content: what the
 * worker's content attribution loads beside a fixture tower (items written through the API bring their own).
 */
export function writeEmptyFeatures(dir: string, dataset: string, items: number, dims: Record<string, number>): void {
  mkdirSync(dir, { recursive: true });
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const modalities = Object.fromEntries(
    Object.entries(dims).map(([name, width]) => {
      const data = encodeNpy(new Float32Array(items * width), [items, width]);
      writeFileSync(join(dir, `${name}.npy`), data);
      writeFileSync(join(dir, `${name}.present.npy`), encodeNpy(new Int8Array(items), [items]));
      return [name, { encoder: { id: name, source: 'fixture', onnxSha256: sha(data), dim: width }, file: `${name}.npy`, fileSha256: sha(data), present: `${name}.present.npy`, input: 'none', count: { present: 0, missing: items }, notes: [] }];
    }),
  );
  writeFileSync(join(dir, FEATURES_MANIFEST_FILE), JSON.stringify({ v: 1, kind: 'llmrec-features', dataset, items, itemsSha256: sha(new Uint8Array(0)), createdAt: new Date(0).toISOString(), modalities }));
}

function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Fixture encoders: text = L2-normalised hashed bag of lower-case words; image = normalised histogram of byte values. */
export function fixtureEncoders(textDim = 32, imageDim = 16): Required<Pick<ItemEncoders, 'text' | 'image'>> {
  return {
    text: {
      id: `fixture-hashed-words-${textDim}`,
      dim: textDim,
      async encode(texts) {
        const out = new Float32Array(texts.length * textDim);
        texts.forEach((t, r) => {
          for (const w of t.toLowerCase().match(/[a-z0-9]+/g) ?? []) out[r * textDim + (hash32(w) % textDim)]! += 1;
          let n = 0;
          for (let d = 0; d < textDim; d++) n += out[r * textDim + d]! ** 2;
          if (n > 0) for (let d = 0; d < textDim; d++) out[r * textDim + d]! /= Math.sqrt(n);
        });
        return out;
      },
    },
    image: {
      id: `fixture-byte-histogram-${imageDim}`,
      dim: imageDim,
      async encode(images) {
        const out = new Float32Array(images.length * imageDim);
        images.forEach((b, r) => {
          for (const v of b) out[r * imageDim + ((v * imageDim) >> 8)]! += 1 / b.length;
        });
        return out;
      },
    },
  };
}

/** The token a fixture text encoder maps to bucket `d` (lets a test aim a word at a latent direction). */
export function wordForBucket(d: number, dim = 32): string {
  for (let i = 0; ; i++) if (hash32(`w${i}`) % dim === d) return `w${i}`;
}
