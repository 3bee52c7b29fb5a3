// Attribution of an item's score to its content (evidence by effect, item side), through the serving bundle's
// content tower (gpu-worker/src/catalog/content-tower.ts: `<modality>` [B, d] + `<modality>_present` [B] ->
// `z_item`, the fusion step's export) and the offline feature tables (shared/src/features.ts). A modality's effect
// on an item = z_u . z_item(as it is) - z_u . z_item(that modality zeroed and marked absent); every (item,
// modality) row of a request in one tower run. The offline tables come with the bundle (`contentTower.features`,
// copied by `llmrec train`), so a published bundle needs no features folder of the training machine. Items written
// through the item API (issue 11) are attributed from the features the item writer stored with them
// (LiveItem.features), not from the offline tables.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import type { ContentAttribution } from '@llmrec/shared/evidence/explain-with-model.ts';
import type { ContentEvidence } from '@llmrec/shared/evidence/schema.ts';
import { FEATURES_MANIFEST_FILE, featuresDir, parseFeaturesManifest, type Modality } from '@llmrec/shared/features.ts';
import { SERVING_BUNDLE_FILE } from '@llmrec/shared/api/serving-bundle.ts';
import { base64ToFloat32 } from '@llmrec/shared/base64.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { mgetTyped } from '@llmrec/shared/kv/typed.ts';
import { LiveItem } from '@llmrec/shared/kv/values.ts';
import { loadBundleContentTower, type ContentTower } from '../catalog/content-tower.ts';
import { encodeUsersLive } from '../catalog/encode-users.ts';
import type { WorkerCatalog } from '../catalog/live-state.ts';
import { readNpyAny } from '../llm/model/npy.ts';
import type { LatentModel } from '../model.ts';

/** One modality's offline features: [items, dim] and presence [items] (1 = the item has it). */
export interface FeatureTable {
  data: Float32Array;
  present: Uint8Array;
}

/**
 * The feature tables of the tower's modalities, from `<dir>/features.json` (each table hash-checked against it); a
 * missing one is an error naming it. `sha256`, when given, is the hash of features.json the serving bundle recorded.
 */
export function loadFeatureTables(dir: string, tower: ContentTower, sha256?: string): Partial<Record<Modality, FeatureTable>> {
  const path = join(dir, FEATURES_MANIFEST_FILE);
  if (!existsSync(path)) throw new Error(`the serving bundle has a content tower but ${path} does not exist: retrain (llmrec train copies the features into the bundle) or set LLMREC_FEATURES to the features folder (llmrec features)`);
  const text = readFileSync(path);
  if (sha256 !== undefined && hex(text) !== sha256) throw new Error(`hash mismatch for ${path}: bundle says ${sha256.slice(0, 12)}..., file is ${hex(text).slice(0, 12)}...`);
  const manifest = parseFeaturesManifest(JSON.parse(text.toString('utf8')), path);
  const out: Partial<Record<Modality, FeatureTable>> = {};
  for (const { modality, dim } of tower.inputs) {
    const m = manifest.modalities[modality];
    if (!m) throw new Error(`${path} has no '${modality}' features, which the content tower reads`);
    const bytes = readFileSync(join(dir, m.file));
    if (hex(bytes) !== m.fileSha256) throw new Error(`hash mismatch for ${join(dir, m.file)}: ${path} says ${m.fileSha256.slice(0, 12)}...`);
    const table = readNpyAny(join(dir, m.file));
    if (table.shape[1] !== dim) throw new Error(`${join(dir, m.file)}: width ${table.shape[1]}, the content tower reads ${dim}`);
    out[modality] = { data: Float32Array.from(table.data), present: Uint8Array.from(readNpyAny(join(dir, m.present)).data) };
  }
  return out;
}

const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** One item's content features per modality (absent modality: no entry). */
type ItemFeatures = Partial<Record<Modality, Float32Array>>;

/** Features of items whose content came through the item API (created, or changed since publish), by index. */
async function liveFeatures(live: WorkerCatalog, items: readonly number[]): Promise<Map<number, ItemFeatures>> {
  const view = live.view;
  const out = new Map<number, ItemFeatures>();
  if (!view || !live.version) return out;
  const touched = [...new Set(items)].filter((i) => i < view.items && view.metaRev.has(view.ids[i]!));
  const recs = await mgetTyped(live.store, LiveItem, touched.map((i) => keys.liveItem(live.version!, view.ids[i]!)));
  recs.forEach((r, j) => {
    if (!r || Object.keys(r.features).length === 0) return;
    out.set(touched[j]!, Object.fromEntries(Object.entries(r.features).map(([m, b]) => [m, base64ToFloat32(b)])) as ItemFeatures);
  });
  return out;
}

/**
 * Per item, per modality the item has: the drop of z_u . z_item when that modality is switched off. With the live
 * catalog, items written through the item API use their stored features and histories may name them.
 */
export function contentAttribution(tower: ContentTower, tables: Partial<Record<Modality, FeatureTable>>, model: LatentModel, live?: WorkerCatalog): ContentAttribution {
  return async (history, items) => {
    const zu = live ? await encodeUsersLive(model, live.scoring(), [history]) : await model.encodeUsers([history]);
    const fromApi = live ? await liveFeatures(live, items) : new Map<number, ItemFeatures>();
    const featureOf = (item: number, modality: Modality, dim: number): Float32Array | null => {
      const own = fromApi.get(item);
      if (own) return own[modality]?.length === dim ? own[modality]! : null;
      const t = tables[modality];
      return t?.present[item] ? t.data.subarray(item * dim, (item + 1) * dim) : null;
    };
    // Rows: per item, first all modalities as they are, then one row per present modality switched off.
    const rows: { item: number; off: Modality | null }[] = [];
    for (const it of items) {
      rows.push({ item: it, off: null });
      for (const { modality, dim } of tower.inputs) if (featureOf(it, modality, dim)) rows.push({ item: it, off: modality });
    }
    const features: Partial<Record<Modality, Float32Array>> = {};
    const present: Partial<Record<Modality, Float32Array>> = {};
    for (const { modality, dim } of tower.inputs) {
      const x = (features[modality] = new Float32Array(rows.length * dim));
      const p = (present[modality] = new Float32Array(rows.length));
      rows.forEach((r, b) => {
        const f = r.off === modality ? null : featureOf(r.item, modality, dim);
        if (!f) return;
        x.set(f, b * dim);
        p[b] = 1;
      });
    }
    const z = await tower.embed(rows.length, features, present);
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

/** How a serving bundle's content tower names the features it was trained on (`contentTower.features`). */
const BundleFeaturesRef = z.object({ contentTower: z.object({ features: z.object({ path: z.string().min(1), sha256: z.string() }).optional() }).optional() });

/**
 * The content tower of the serving bundle in `bundleDir` (the given one, else loaded from the bundle) with the
 * feature tables of its modalities; undefined without a tower. Features: the copy the bundle names
 * (`contentTower.features`, what `llmrec train` writes: hash-checked), else LLMREC_FEATURES, else
 * $LLMREC_HOME/features/<dataset> (bundles from before the copy).
 */
export async function bundleContentFromEnv(bundleDir: string, env: Record<string, string | undefined>, tower?: ContentTower | null): Promise<{ tower: ContentTower; tables: Partial<Record<Modality, FeatureTable>> } | undefined> {
  const t = tower === undefined ? await loadBundleContentTower(bundleDir, { device: 'cpu', threads: 1 }) : tower;
  if (!t) return undefined;
  const manifest = bundleDir.endsWith('.json') ? bundleDir : join(bundleDir, SERVING_BUNDLE_FILE);
  const raw = JSON.parse(readFileSync(manifest, 'utf8')) as { dataset?: string };
  const ref = BundleFeaturesRef.safeParse(raw);
  if (!ref.success) throw new Error(`${manifest}: contentTower.features: ${ref.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const own = ref.data.contentTower?.features;
  if (own) {
    const file = isAbsolute(own.path) ? own.path : join(dirname(manifest), own.path);
    return { tower: t, tables: loadFeatureTables(dirname(file), t, own.sha256) };
  }
  return { tower: t, tables: loadFeatureTables(env.LLMREC_FEATURES ?? featuresDir(env.LLMREC_HOME ?? '.llmrec', raw.dataset ?? ''), t) };
}

/** Content attribution for the serving bundle in `bundleDir` when it has a content tower (bundleContentFromEnv), undefined without one. */
export async function contentAttributionFromEnv(bundleDir: string, model: LatentModel, env: Record<string, string | undefined>, tower?: ContentTower | null, live?: WorkerCatalog): Promise<ContentAttribution | undefined> {
  const c = await bundleContentFromEnv(bundleDir, env, tower);
  return c && contentAttribution(c.tower, c.tables, model, live);
}
