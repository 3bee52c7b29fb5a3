// The `features` step of `llmrec train` (issue 10): which item content features the fusion step reads, in the
// content-features contract (shared/src/features.ts). In order: an explicit folder (--features), the encoders'
// output at $LLMREC_HOME/features/<dataset>/ (`llmrec features`), else hashed TF-IDF text written in the same
// layout by the Python side (cached by the items' and the code's hash). A folder computed from another items.jsonl
// is refused: the rows would belong to other items.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FEATURES_MANIFEST_FILE, featuresDir, parseFeaturesManifest, type FeaturesManifest } from '@llmrec/shared/features.ts';
import { tfidfFeaturesDir } from '@llmrec/eval/models/tfidf-features.ts';
import { CliError } from '../command.ts';
import { log } from '../progress.ts';

export interface ResolvedFeatures {
  dir: string;
  /** sha256 of features.json (it carries the sha256 of every table): the fusion step's cache key. */
  sha256: string;
  manifest: FeaturesManifest;
  origin: 'given' | 'encoders' | 'hashed-tfidf';
}

const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

function readChecked(dir: string, itemsSha: string, origin: ResolvedFeatures['origin']): ResolvedFeatures {
  const file = join(dir, FEATURES_MANIFEST_FILE);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let manifest: FeaturesManifest;
  try {
    manifest = parseFeaturesManifest(JSON.parse(raw), file);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (manifest.itemsSha256 !== itemsSha) throw new CliError(`${file} was computed from another items.jsonl than the dataset's: re-run \`llmrec features\` (or pass --features)`);
  return { dir, sha256: sha256(raw), manifest, origin };
}

export function resolveFeatures(o: { home: string; dataset: string; datasetDir: string; given?: string }): ResolvedFeatures {
  const itemsSha = sha256(readFileSync(join(o.datasetDir, 'items.jsonl')));
  if (o.given) return readChecked(resolve(o.given), itemsSha, 'given');
  const enc = featuresDir(o.home, o.dataset);
  if (existsSync(join(enc, FEATURES_MANIFEST_FILE))) return readChecked(enc, itemsSha, 'encoders');
  log('train', `features: no encoder features at ${enc} (llmrec features); the text modality is hashed TF-IDF`);
  return readChecked(tfidfFeaturesDir(o.home, o.dataset, o.datasetDir, 2048, (m) => log('train', m)), itemsSha, 'hashed-tfidf');
}
