// Attribution of an item's score to its content (evidence by effect, item side), through the serving bundle's
// content tower (gpu-worker/src/catalog/content-tower.ts: `<modality>` [B, d] + `<modality>_present` [B] ->
// `z_item`, the fusion step's export) and the offline feature tables (shared/src/features.ts). A modality's effect
// on an item = z_u . z_item(as it is) - z_u . z_item(that modality zeroed and marked absent); every (item,
// modality) row of a request in one tower run. Items written through the item API (issue 11) are attributed
// from the features the item writer stored with them (LiveItem.features), not from the offline tables.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** The feature tables of the tower's modalities, from `<dir>/features.json`; a missing one is an error naming it. */
export function loadFeatureTables(dir: string, tower: ContentTower): Partial<Record<Modality, FeatureTable>> {
  const path = join(dir, FEATURES_MANIFEST_FILE);
  if (!existsSync(path)) throw new Error(`the serving bundle has a content tower but ${path} does not exist: set LLMREC_FEATURES to the features folder (llmrec features)`);
  const manifest = parseFeaturesManifest(JSON.parse(readFileSync(path, 'utf8')), path);
  const out: Partial<Record<Modality, FeatureTable>> = {};
  for (const { modality, dim } of tower.inputs) {
    const m = manifest.modalities[modality];
    if (!m) throw new Error(`${path} has no '${modality}' features, which the content tower reads`);
    const table = readNpyAny(join(dir, m.file));
    if (table.shape[1] !== dim) throw new Error(`${join(dir, m.file)}: width ${table.shape[1]}, the content tower reads ${dim}`);
    out[modality] = { data: Float32Array.from(table.data), present: Uint8Array.from(readNpyAny(join(dir, m.present)).data) };
  }
  return out;
}

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

/**
 * Content attribution for the serving bundle in `bundleDir` when it has a content tower (the given one, else loaded
 * from the bundle), with features from LLMREC_FEATURES or $LLMREC_HOME/features/<dataset>; undefined without a tower.
 */
export async function contentAttributionFromEnv(bundleDir: string, model: LatentModel, env: Record<string, string | undefined>, tower?: ContentTower | null, live?: WorkerCatalog): Promise<ContentAttribution | undefined> {
  const t = tower === undefined ? await loadBundleContentTower(bundleDir, { device: 'cpu', threads: 1 }) : tower;
  if (!t) return undefined;
  const manifest = bundleDir.endsWith('.json') ? bundleDir : join(bundleDir, SERVING_BUNDLE_FILE);
  const dataset = (JSON.parse(readFileSync(manifest, 'utf8')) as { dataset?: string }).dataset ?? '';
  return contentAttribution(t, loadFeatureTables(env.LLMREC_FEATURES ?? featuresDir(env.LLMREC_HOME ?? '.llmrec', dataset), t), model, live);
}
