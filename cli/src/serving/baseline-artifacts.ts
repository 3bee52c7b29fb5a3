// Baseline serving bundle, for running the serving path before (or without) the offline training artifacts:
// a bag-of-items model (user = sum of history input embeddings, score = z_u . z_i; BPR-trained in TypeScript
// by eval/src/streaming/fallback-base.ts) exported as the same two files a trained bundle has — an item-latent
// table (.npy) and a user-encoder ONNX graph — so the worker runs its real ONNX path either way.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDataset } from '@llmrec/data/read.ts';
import { defaultFallbackBase, trainFallbackBase } from '@llmrec/eval/streaming/fallback-base.ts';
import { writeNpyFloat32 } from '@llmrec/gpu-worker/npy.ts';
import { SERVING_BUNDLE_FILE, ServingBundle } from '@llmrec/shared/api/serving-bundle.ts';
import { sumEncoderOnnx } from '@llmrec/gpu-worker/onnx/sum-encoder-onnx.ts';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

export interface BaselineOptions {
  datasetDir: string;
  outDir: string;
  dim?: number;
  epochs?: number;
  maxLen?: number;
  log?: (msg: string) => void;
}

/** Builds (or reuses, when the dataset and options are unchanged) the baseline bundle; returns its manifest path. */
export function buildBaselineBundle(opts: BaselineOptions): string {
  const log = opts.log ?? (() => {});
  const cfg = { ...defaultFallbackBase, dim: opts.dim ?? 64, epochs: opts.epochs ?? 8, maxLen: opts.maxLen ?? 50 };
  const datasetJson = readFileSync(join(opts.datasetDir, 'dataset.json'), 'utf8');
  const inputHash = sha(JSON.stringify({ datasetJson, cfg, format: 1 }));
  const manifestPath = join(opts.outDir, SERVING_BUNDLE_FILE);
  if (existsSync(manifestPath)) {
    try {
      const old = ServingBundle.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
      if (old.notes.includes(`input-hash:${inputHash}`)) {
        log(`baseline bundle up to date (${old.version})`);
        return manifestPath;
      }
    } catch {
      /* rebuild */
    }
  }
  const ds = readDataset(opts.datasetDir);
  const sequences: number[][] = [];
  for (let u = 0; u < ds.nUsers; u++) {
    const s: number[] = [];
    for (let r = ds.userStart[u]!; r < ds.userStart[u + 1]!; r++) s.push(ds.interactions.item[r]!);
    sequences.push(s);
  }
  log(`training baseline bag-of-items encoder: ${ds.nUsers} users, ${ds.nItems} items, dim ${cfg.dim}, ${cfg.epochs} epochs`);
  const base = trainFallbackBase(ds.nItems, sequences, cfg, log);
  mkdirSync(opts.outDir, { recursive: true });
  const latBytes = writeNpyFloat32(base.itemLatents, [ds.nItems, cfg.dim]);
  const encBytes = sumEncoderOnnx(base.historyEmb, cfg.dim);
  writeFileSync(join(opts.outDir, 'item-latents.npy'), latBytes);
  writeFileSync(join(opts.outDir, 'user-encoder.onnx'), encBytes);
  const latSha = sha(latBytes);
  const encSha = sha(encBytes);
  const bundle = ServingBundle.parse({
    v: 1,
    kind: 'serving-bundle',
    version: `baseline-${ds.meta.name}-${sha(latSha + encSha).slice(0, 10)}`,
    dataset: ds.meta.name,
    source: 'baseline-bag-of-items',
    createdAt: new Date().toISOString(),
    itemLatents: { path: 'item-latents.npy', sha256: latSha, items: ds.nItems, dim: cfg.dim },
    userEncoder: { path: 'user-encoder.onnx', sha256: encSha, input: 'history', output: 'user_latent', maxlen: cfg.maxLen },
    notes: [`input-hash:${inputHash}`, 'bag-of-items baseline trained on all interactions (no held-out split): a serving stand-in, not an evaluated model'],
  });
  writeFileSync(manifestPath, JSON.stringify(bundle, null, 2) + '\n');
  log(`baseline bundle ${bundle.version} written to ${opts.outDir}`);
  return manifestPath;
}
