// Item latents from the exported towers of the fusion step (issue 10), for the `content` / `fused` models and the
// modality-drop evaluation: reads the content features the artifacts were trained on (features.json + .npy, checked
// against the manifest's hash), applies a test-time modality drop (a seeded share of the items loses a modality),
// and runs content-tower.onnx or fusion-tower.onnx over every item in batches.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNpy } from '@llmrec/data/npy.ts';
import { asFloat32, float32, run, type OnnxSession } from '@llmrec/gpu-worker/onnx/index.ts';
import { mulberry32 } from '@llmrec/shared/rng.ts';
import type { TowerSpec } from '@llmrec/shared/artifacts.ts';
import { FEATURES_MANIFEST_FILE, parseFeaturesManifest } from '@llmrec/shared/features.ts';
import { mixSeed } from '../rng.ts';
import type { ModalityDrop } from './types.ts';

export interface ItemInputs {
  n: number;
  /** Per tower input name (cf, text, image, audio): row-major [n, dim] features and [n] presence (0/1). */
  features: Map<string, { dim: number; data: Float32Array }>;
  present: Map<string, Float32Array>;
}

/**
 * Content hash of a features folder: the items it describes and, per modality, the encoder and the sha256 of the
 * feature table and of the presence vector. Not the bytes of features.json, which `llmrec features` rewrites (with a
 * new createdAt) on every run even when nothing changed.
 */
export function featuresKey(dir: string): string {
  const file = join(dir, FEATURES_MANIFEST_FILE);
  const m = parseFeaturesManifest(JSON.parse(readFileSync(file, 'utf8')), file);
  const h = createHash('sha256').update(m.itemsSha256);
  for (const [name, spec] of Object.entries(m.modalities)) {
    if (!spec) continue;
    h.update(`${name}\0${spec.encoder.id}\0${spec.encoder.onnxSha256}\0${spec.fileSha256}\0`).update(readFileSync(join(dir, spec.present)));
  }
  return h.digest('hex');
}

/** Reads the content features folder recorded in the artifacts; `key` (featuresKey) must match what training read. */
export function readContentFeatures(dir: string, key: string, nItems: number): ItemInputs {
  const file = join(dir, FEATURES_MANIFEST_FILE);
  const got = featuresKey(dir);
  if (got !== key) throw new Error(`${dir}: the features changed since training (key ${got.slice(0, 12)}..., artifacts say ${key.slice(0, 12)}...): retrain`);
  const m = parseFeaturesManifest(JSON.parse(readFileSync(file, 'utf8')), file);
  if (m.items !== nItems) throw new Error(`${file}: ${m.items} items, the dataset has ${nItems}`);
  const features = new Map<string, { dim: number; data: Float32Array }>();
  const present = new Map<string, Float32Array>();
  for (const [name, spec] of Object.entries(m.modalities)) {
    if (!spec) continue;
    const bytes = readFileSync(join(dir, spec.file));
    if (createHash('sha256').update(bytes).digest('hex') !== spec.fileSha256) throw new Error(`${join(dir, spec.file)}: sha256 differs from ${file}`);
    const x = decodeNpy(new Uint8Array(bytes), `${name} features`);
    const p = decodeNpy(new Uint8Array(readFileSync(join(dir, spec.present))), `${name} presence`);
    const [rows, dim] = x.shape as [number, number];
    if (rows !== nItems || p.shape[0] !== nItems) throw new Error(`${name} features: [${x.shape}] / presence [${p.shape}] for ${nItems} items`);
    features.set(name, { dim, data: Float32Array.from(x.data as ArrayLike<number>) });
    present.set(name, Float32Array.from(p.data as ArrayLike<number>));
  }
  return { n: nItems, features, present };
}

/** Presence after dropping `fraction` of the items that have the modality (seeded, independent per modality). */
export function dropPresence(present: Float32Array, fraction: number, seed: number, modality: string): Float32Array {
  const out = Float32Array.from(present);
  const have: number[] = [];
  for (let i = 0; i < out.length; i++) if (out[i]! > 0) have.push(i);
  let salt = 0;
  for (const c of modality) salt = (Math.imul(salt, 31) + c.charCodeAt(0)) >>> 0;
  const rand = mulberry32(mixSeed(seed, salt));
  for (let k = have.length - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [have[k], have[j]] = [have[j]!, have[k]!];
  }
  const nDrop = Math.round(have.length * Math.min(1, Math.max(0, fraction)));
  for (let k = 0; k < nDrop; k++) out[have[k]!] = 0;
  return out;
}

export function applyDrops(inputs: ItemInputs, drops: readonly ModalityDrop[] | undefined, seed: number): ItemInputs {
  if (!drops?.length) return inputs;
  const present = new Map(inputs.present);
  for (const d of drops) {
    const p = present.get(d.modality);
    if (!p) throw new Error(`modality drop: no '${d.modality}' input (have ${[...present.keys()].join(', ')})`);
    present.set(d.modality, dropPresence(p, d.fraction, seed, d.modality));
  }
  return { ...inputs, present };
}

/** Runs an item tower over every item: returns [n, dim] latents. Inputs missing from `inputs` are fed as absent. */
export async function towerLatents(s: OnnxSession, spec: TowerSpec, inputs: ItemInputs, batch = 512): Promise<Float32Array> {
  const n = inputs.n;
  const out = new Float32Array(n * spec.dim);
  for (let b0 = 0; b0 < n; b0 += batch) {
    const b1 = Math.min(n, b0 + batch);
    const rows = b1 - b0;
    const feeds: Record<string, ReturnType<typeof float32>> = {};
    for (const inp of spec.inputs) {
      if (inp.dim === 0) {
        const p = inputs.present.get(inp.name.replace(/_present$/, ''));
        feeds[inp.name] = float32(p ? p.slice(b0, b1) : new Float32Array(rows), [rows]);
        continue;
      }
      const f = inputs.features.get(inp.name);
      const p = inputs.present.get(inp.name);
      const x = new Float32Array(rows * inp.dim);
      if (f && p) {
        if (f.dim !== inp.dim) throw new Error(`tower input ${inp.name}: features have dim ${f.dim}, the tower expects ${inp.dim}`);
        // an absent modality is fed as zeros (the contract), whatever the table holds
        for (let r = 0; r < rows; r++) if (p[b0 + r]! > 0) x.set(f.data.subarray((b0 + r) * f.dim, (b0 + r + 1) * f.dim), r * f.dim);
      }
      feeds[inp.name] = float32(x, [rows, inp.dim]);
    }
    const res = await run(s, feeds, [spec.output]);
    out.set(asFloat32(res[spec.output]!), b0 * spec.dim);
  }
  return out;
}

/** Only the named modalities stay present (the text-only / image-only variants). */
export function keepModalities(inputs: ItemInputs, keep: readonly string[]): ItemInputs {
  const present = new Map<string, Float32Array>();
  for (const [k, v] of inputs.present) present.set(k, keep.includes(k) ? v : new Float32Array(v.length));
  return { ...inputs, present };
}
