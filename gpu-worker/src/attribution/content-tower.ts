// Attribution of an item's score to its content (evidence by effect, item side): through the content tower of
// the multimodal fusion step (issue "Content that counts"; I/O contract in the team brief): one float32 input per
// modality `<m>` [B, dim_m] plus `<m>_present` [B] (0/1), output `z_item` [B, D] in the user encoder's space.
// A modality's effect on an item = z_u . z_item(all present) - z_u . z_item(that modality zeroed and marked
// absent); every (item, modality) row of a request in one tower run.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { SERVING_BUNDLE_FILE } from '@llmrec/shared/api/serving-bundle.ts';
import type { ContentAttribution } from '@llmrec/shared/evidence/explain-with-model.ts';
import type { ContentEvidence } from '@llmrec/shared/evidence/schema.ts';
import { FEATURES_MANIFEST_FILE, featuresDir, parseFeaturesManifest } from '@llmrec/shared/features.ts';
import type { LatentModel } from '../model.ts';
import { readNpyAny } from '../llm/model/npy.ts';
import { asFloat32, createSession, float32, run, type OnnxSession } from '../onnx/index.ts';

export interface ModalityTable {
  name: string;
  dim: number;
  /** [items, dim] */
  data: Float32Array;
  /** [items], 1 = the item has this modality. */
  present: Uint8Array;
}

export interface ContentTower {
  session: OnnxSession;
  modalities: ModalityTable[];
  output: string;
}

/** Checks the tower's I/O against the contract and the feature tables. */
export function contentTower(session: OnnxSession, modalities: ModalityTable[], output = 'z_item'): ContentTower {
  const missing = modalities.flatMap((m) => [m.name, `${m.name}_present`]).filter((n) => !session.inputNames.includes(n));
  if (missing.length) throw new Error(`content tower has inputs [${session.inputNames}], missing ${missing.join(', ')}`);
  const extra = session.inputNames.filter((n) => !modalities.some((m) => n === m.name || n === `${m.name}_present`));
  if (extra.length) throw new Error(`content tower needs inputs without feature tables: ${extra.join(', ')}`);
  if (!session.outputNames.includes(output)) throw new Error(`content tower has outputs [${session.outputNames}], not ${output}`);
  return { session, modalities, output };
}

/** Loads the tower ONNX and the feature tables named by $LLMREC_HOME/features/<dataset>/features.json. */
export async function loadContentTower(onnxPath: string, featuresDir: string): Promise<ContentTower> {
  const manifest = parseFeaturesManifest(JSON.parse(readFileSync(join(featuresDir, FEATURES_MANIFEST_FILE), 'utf8')), join(featuresDir, FEATURES_MANIFEST_FILE));
  const session = await createSession(onnxPath, { device: 'cpu', threads: 1 });
  const modalities: ModalityTable[] = [];
  for (const [name, m] of Object.entries(manifest.modalities)) {
    if (!m || !session.inputNames.includes(name)) continue;
    const table = readNpyAny(join(featuresDir, m.file));
    const present = readNpyAny(join(featuresDir, m.present));
    modalities.push({ name, dim: table.shape[1]!, data: Float32Array.from(table.data), present: Uint8Array.from(present.data) });
  }
  return contentTower(session, modalities);
}

/** Per item, per modality the item has: the drop of z_u . z_item when that modality is switched off. */
export function contentAttribution(tower: ContentTower, model: LatentModel): ContentAttribution {
  return async (history: readonly number[], items: readonly number[]): Promise<ContentEvidence[][]> => {
    const zu = await model.encodeUsers([history]);
    // Rows: per item, first all modalities as they are, then one row per present modality switched off.
    const rows: { item: number; off: string | null }[] = [];
    for (const it of items) {
      rows.push({ item: it, off: null });
      for (const m of tower.modalities) if (m.present[it]) rows.push({ item: it, off: m.name });
    }
    const feeds: Record<string, ReturnType<typeof float32>> = {};
    for (const m of tower.modalities) {
      const x = new Float32Array(rows.length * m.dim);
      const p = new Float32Array(rows.length);
      rows.forEach((r, b) => {
        if (r.off === m.name || !m.present[r.item]) return;
        x.set(m.data.subarray(r.item * m.dim, (r.item + 1) * m.dim), b * m.dim);
        p[b] = 1;
      });
      feeds[m.name] = float32(x, [rows.length, m.dim]);
      feeds[`${m.name}_present`] = float32(p, [rows.length]);
    }
    const z = asFloat32((await run(tower.session, feeds, [tower.output]))[tower.output]!);
    const d = z.length / rows.length;
    if (d !== model.dim) throw new Error(`content tower z_item has dim ${d}, the user encoder ${model.dim}`);
    const score = (b: number) => {
      let s = 0;
      for (let k = 0; k < d; k++) s += zu[k]! * z[b * d + k]!;
      return s;
    };
    const out: ContentEvidence[][] = [];
    let base = 0;
    rows.forEach((r, b) => {
      if (r.off === null) {
        base = score(b);
        out.push([]);
      } else out[out.length - 1]!.push({ modality: r.off, effect: base - score(b) });
    });
    return out.map((e) => e.sort((a, b) => b.effect - a.effect));
  };
}

/** The serving bundle's content tower entry (shared/src/api/serving-bundle.ts `contentTower`), read loosely until it lands there. */
const BundleTower = z.object({ path: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), output: z.string().default('z_item') });

/**
 * The content tower named by a serving bundle, with its feature tables from `featuresDir`, or null when the bundle
 * has none. The file's sha256 is checked like every bundle file.
 */
export async function contentTowerFromBundle(manifestPath: string, featuresDir: string): Promise<ContentTower | null> {
  const raw = JSON.parse(readFileSync(manifestPath, 'utf8')) as { contentTower?: unknown };
  if (raw.contentTower === undefined) return null;
  const t = BundleTower.parse(raw.contentTower);
  const p = isAbsolute(t.path) ? t.path : join(dirname(manifestPath), t.path);
  const got = createHash('sha256').update(readFileSync(p)).digest('hex');
  if (got !== t.sha256) throw new Error(`hash mismatch for content tower ${p}: manifest says ${t.sha256.slice(0, 12)}..., file is ${got.slice(0, 12)}...`);
  return loadContentTower(p, featuresDir);
}

/**
 * Content attribution for the serving bundle in `artifactsDir` (folder or manifest), when it has a content tower:
 * features from LLMREC_FEATURES, else $LLMREC_HOME/features/<dataset>. undefined without a tower; a tower without
 * its features is a start-up error naming where they were looked for.
 */
export async function contentAttributionFromEnv(artifactsDir: string, model: LatentModel, env: Record<string, string | undefined>): Promise<ContentAttribution | undefined> {
  const manifest = artifactsDir.endsWith('.json') ? artifactsDir : join(artifactsDir, SERVING_BUNDLE_FILE);
  const raw = JSON.parse(readFileSync(manifest, 'utf8')) as { contentTower?: unknown; dataset?: string };
  if (raw.contentTower === undefined) return undefined;
  const dir = env.LLMREC_FEATURES ?? featuresDir(env.LLMREC_HOME ?? '.llmrec', raw.dataset ?? '');
  if (!existsSync(join(dir, FEATURES_MANIFEST_FILE))) throw new Error(`${manifest} has a content tower but ${join(dir, FEATURES_MANIFEST_FILE)} does not exist: set LLMREC_FEATURES to the features folder (llmrec features)`);
  return contentAttribution((await contentTowerFromBundle(manifest, dir))!, model);
}
