// The content features a trained content tower read (issue 10 -> 11), copied into the artifacts folder so a serving
// bundle is self-contained: the worker's content attribution (gpu-worker/src/attribution/content-attribution.ts) needs
// the catalogue's feature tables, and without this copy it depended on a features folder of the training machine
// ($LLMREC_HOME/features/<dataset> or LLMREC_FEATURES), which a published bundle does not carry and which may since
// have been re-extracted with other encoders. Only the modalities the tower reads are copied; the features.json
// written beside them is the training one restricted to those modalities (each table keeps its sha256), so the copy
// is a valid features folder (shared/src/features.ts) that the artifacts manifest names with its hash.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactFile } from '@llmrec/shared/artifacts.ts';
import { FEATURES_MANIFEST_FILE, Modality, parseFeaturesManifest, type FeaturesManifest } from '@llmrec/shared/features.ts';
import { CliError } from '../command.ts';

/** Sub-folder of an artifacts folder holding the copy. */
export const TOWER_FEATURES_DIR = 'features';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * Copies the tables of `modalities` from the features folder `src` into `<outDir>/features/` and writes the
 * restricted features.json there; returns the artifacts-manifest entry of that features.json (path relative to
 * `outDir`). A table whose bytes no longer match the hash in `src`'s features.json is refused: it is not what the
 * tower was trained on.
 */
export function copyTowerFeatures(src: string, outDir: string, modalities: readonly string[]): ArtifactFile {
  const file = join(src, FEATURES_MANIFEST_FILE);
  const manifest = parseFeaturesManifest(JSON.parse(readFileSync(file, 'utf8')), file);
  const dir = join(outDir, TOWER_FEATURES_DIR);
  mkdirSync(dir, { recursive: true });
  const kept: FeaturesManifest['modalities'] = {};
  for (const name of modalities) {
    const m = Modality.safeParse(name);
    const spec = m.success ? manifest.modalities[m.data] : undefined;
    if (!m.success || !spec) throw new CliError(`${file} has no '${name}' features, which the content tower was trained on`);
    const table = readFileSync(join(src, spec.file));
    if (sha256(table) !== spec.fileSha256) throw new CliError(`${join(src, spec.file)}: sha256 differs from ${file} (the features changed since training: retrain)`);
    writeFileSync(join(dir, spec.file), table);
    copyFileSync(join(src, spec.present), join(dir, spec.present));
    kept[m.data] = spec;
  }
  const text = JSON.stringify({ ...manifest, modalities: kept }, null, 1);
  writeFileSync(join(dir, FEATURES_MANIFEST_FILE), text);
  return { path: `${TOWER_FEATURES_DIR}/${FEATURES_MANIFEST_FILE}`, sha256: sha256(text), bytes: Buffer.byteLength(text) };
}
