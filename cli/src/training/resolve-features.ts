// The `features` step of `llmrec train` (issue 10): which item content features the fusion step reads, in the
// content-features contract (shared/src/features.ts). In order: an explicit folder (--features DIR), hashed TF-IDF
// text only (--features tfidf, written in the same layout by the Python side and cached by the items' and the code's
// hash), else the encoders package's extractFeatures with the default frozen encoders (text, plus images / audio when
// the dataset has them) into $LLMREC_HOME/features/<dataset>/ — cached and resumable there, so a second run only
// checks it is up to date. A folder computed from another items.jsonl is refused: its rows would be other items.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readDatasetMeta, readItems } from '@llmrec/data/index.ts';
import { extractFeatures, openEncoder, type EncoderSet } from '@llmrec/gpu-worker/encoders/index.ts';
import { FEATURES_MANIFEST_FILE, featuresDir, parseFeaturesManifest, type FeaturesManifest, type Modality } from '@llmrec/shared/features.ts';
import { featuresKey } from '@llmrec/eval/models/item-towers.ts';
import { tfidfFeaturesDir } from '@llmrec/eval/models/tfidf-features.ts';
import { CliError } from '../command.ts';
import { log, progress, type Progress } from '../progress.ts';

export interface ResolvedFeatures {
  dir: string;
  /** Content hash of the folder (featuresKey): the fusion step's cache key and what the evaluation checks. */
  sha256: string;
  manifest: FeaturesManifest;
  origin: 'given' | 'encoders' | 'hashed-tfidf';
}

const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

function readChecked(dir: string, itemsSha: string, origin: ResolvedFeatures['origin']): ResolvedFeatures {
  const file = join(dir, FEATURES_MANIFEST_FILE);
  let manifest: FeaturesManifest;
  try {
    manifest = parseFeaturesManifest(JSON.parse(readFileSync(file, 'utf8')), file);
  } catch (e) {
    throw new CliError(`cannot use ${file}: ${(e as Error).message}`);
  }
  if (manifest.itemsSha256 !== itemsSha) throw new CliError(`${file} was computed from another items.jsonl than the dataset's: re-run \`llmrec features\` (or pass --features)`);
  return { dir, sha256: featuresKey(dir), manifest, origin };
}

/** The default encoders over the dataset's modalities, through the encoders package (cached in $LLMREC_HOME). */
async function extractDefault(home: string, dataset: string, datasetDir: string, itemsSha: string): Promise<string> {
  const meta = readDatasetMeta(datasetDir);
  const modalities: Modality[] = ['text', ...(meta.modalities.image > 0 ? (['image'] as const) : []), ...(meta.modalities.audio > 0 ? (['audio'] as const) : [])];
  const encoders: EncoderSet = {};
  const out = featuresDir(home, dataset);
  const bars = new Map<Modality, Progress>();
  try {
    for (const m of modalities) (encoders as Record<string, unknown>)[m] = await openEncoder(m, undefined, { home, threads: 2, log: (s: string) => log('features', s) });
    const r = await extractFeatures({
      dataset, items: readItems(datasetDir), itemsSha256: itemsSha, outDir: out, encoders, log: (s) => log('features', s),
      onProgress: (m, done, total) => {
        let bar = bars.get(m);
        if (!bar) bars.set(m, (bar = progress(`features ${m}`, total, { unit: 'items' })));
        bar.update(done);
      },
    });
    for (const b of bars.values()) b.done();
    log('train', `features: ${Object.entries(r.runs).map(([m, x]) => `${m} ${x.status}`).join(', ')} (${out})`);
  } catch (e) {
    throw new CliError(`content features for ${dataset} failed: ${(e as Error).message} (pass --features tfidf to train on hashed TF-IDF text only, or --features DIR)`);
  } finally {
    for (const e of Object.values(encoders)) await e?.close();
  }
  return out;
}

/** given: a features folder, 'tfidf', or undefined (the default encoders). */
export async function resolveFeatures(o: { home: string; dataset: string; datasetDir: string; given?: string }): Promise<ResolvedFeatures> {
  const itemsSha = sha256(readFileSync(join(o.datasetDir, 'items.jsonl')));
  if (o.given === 'tfidf') return readChecked(tfidfFeaturesDir(o.home, o.dataset, o.datasetDir, 2048, (m) => log('train', m)), itemsSha, 'hashed-tfidf');
  if (o.given) return readChecked(resolve(o.given), itemsSha, 'given');
  return readChecked(await extractDefault(o.home, o.dataset, o.datasetDir, itemsSha), itemsSha, 'encoders');
}
