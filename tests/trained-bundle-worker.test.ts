// The serving bundle `llmrec train` writes, as the worker uses it (issue 10 -> 11), on a tiny synthetic dataset
// trained with content features (text + image): (1) the bundle is self-contained for content attribution — the
// features the tower was trained on are copied into the artifacts and named by hash in the bundle, so the worker
// starts after the original features folder is gone, and a changed copy is refused; (2) the catalog's item writer
// accepts the tower the fusion step exports (inputs per modality + `<modality>_present`, output z_item) and embeds a
// new item through it: the stored latent equals PyTorch's content-tower output for the same features
// (tower-parity.json), and the worker's scoring view holds it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset, readItems, readUsers, REPO_ROOT } from '@llmrec/data/index.ts';
import { hasTorch, PYTHON } from '@llmrec/data/test-support/python.ts';
import { defaultConfig, runPipeline } from '@llmrec/cli/commands/train.ts';
import { addArtifacts, buildBundle } from '@llmrec/cli/commands/publish.ts';
import { loadServingModel } from '@llmrec/gpu-worker/artifacts.ts';
import { contentAttributionFromEnv } from '@llmrec/gpu-worker/attribution/content-attribution.ts';
import { loadBundleContentTower } from '@llmrec/gpu-worker/catalog/content-tower.ts';
import { ItemWriter } from '@llmrec/gpu-worker/catalog/item-writer.ts';
import { WorkerCatalog } from '@llmrec/gpu-worker/catalog/live-state.ts';
import type { LatentModel } from '@llmrec/gpu-worker/model.ts';
import { SERVING_BUNDLE_FILE, ServingBundle } from '@llmrec/shared/api/serving-bundle.ts';
import { base64ToFloat32, bytesToBase64 } from '@llmrec/shared/base64.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { publishBundle } from '@llmrec/shared/kv/publish.ts';
import { getTyped } from '@llmrec/shared/kv/typed.ts';
import { LiveItem } from '@llmrec/shared/kv/values.ts';

type Case = { item: number; inputs: Record<string, number[]>; present: Record<string, number>; content: number[] };

describe.skipIf(!hasTorch())('trained serving bundle in the worker (tiny synthetic dataset)', () => {
  let home: string;
  let serving: string;
  let feats: string;
  let model: LatentModel;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'llmrec-bundle-'));
    const ds = join(home, 'datasets', 'synthetic');
    feats = join(home, 'features-synthetic');
    const training = join(REPO_ROOT, 'training');
    execFileSync(PYTHON, ['-m', 'llmrec_train.synthetic', ds, '--users', '40', '--items', '30'], { cwd: training });
    execFileSync(PYTHON, ['-c', `from llmrec_train.synthetic import write_features; write_features(${JSON.stringify(ds)}, ${JSON.stringify(feats)})`], { cwd: training });
    const c = defaultConfig('synthetic');
    const config = {
      sasrec: { ...c.sasrec, hidden: 16, maxlen: 12, epochs: 2, eval_every: 2 },
      aligner: { ...c.aligner, dim: 32, hidden: 32, epochs: 1, text: { kind: 'hashed-tfidf', dim: 64 } },
      fusion: { ...c.fusion, hidden: 16, epochs: 2, batch: 64, con_items: 16 },
      pq: { ...c.pq, m: 4, k: 16, iters: 5, finetune_steps: 0 },
    };
    await runPipeline({ datasetDir: ds, dataset: 'synthetic', split: 'loo', home, config, features: feats, threads: 1, force: false });
    serving = join(home, 'artifacts', 'synthetic', 'serving');
    model = await loadServingModel(serving, { device: 'cpu' });
  }, 240_000);
  afterAll(async () => {
    await model?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('carries the features the tower was trained on: attribution starts without the features folder; a changed copy is refused', async () => {
    const sb = ServingBundle.parse(JSON.parse(readFileSync(join(serving, SERVING_BUNDLE_FILE), 'utf8')));
    const ref = sb.contentTower?.features;
    expect(ref, 'bundle names its features').toBeDefined();
    const copied = join(serving, dirname(ref!.path));
    for (const m of ['text', 'image']) expect(readFileSync(join(copied, `${m}.npy`))).toEqual(readFileSync(join(feats, `${m}.npy`)));
    rmSync(feats, { recursive: true, force: true }); // the training machine's folder is gone; so is $LLMREC_HOME's
    const attribution = await contentAttributionFromEnv(serving, model, { LLMREC_HOME: join(home, 'nowhere') });
    expect(attribution).toBeDefined();
    const [effects] = await attribution!([1, 2, 3], [4]);
    expect(effects!.length).toBeGreaterThan(0);
    expect(effects!.every((e) => Number.isFinite(e.effect))).toBe(true);

    const table = join(copied, 'text.npy');
    const saved = readFileSync(table);
    const changed = Buffer.from(saved);
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 1;
    writeFileSync(table, changed);
    await expect(contentAttributionFromEnv(serving, model, {})).rejects.toThrow(/hash mismatch/);
    writeFileSync(table, saved);
  }, 60_000);

  it("the item writer embeds a new item through the fusion step's exported tower, as PyTorch does", async () => {
    const tower = await loadBundleContentTower(serving, { device: 'cpu' });
    expect(tower!.inputs).toEqual([{ modality: 'text', dim: 12 }, { modality: 'image', dim: 20 }]);
    expect(tower!.dim).toBe(model.dim);

    // Publish the catalog with the bundle's latents and offline PQ, as `llmrec publish` does.
    const ds = join(home, 'datasets', 'synthetic');
    const bundle = buildBundle(readDataset(ds), readItems(ds), readUsers(ds).map((u) => u.id), 10);
    addArtifacts(bundle, serving);
    const store = createMemoryStore();
    const rep = await publishBundle(store, bundle);

    // The frozen encoders give, for the new item, the features of a reference item of the parity file (text and image).
    const parity = JSON.parse(readFileSync(join(home, 'artifacts', 'synthetic', 'loo', 'tower-parity.json'), 'utf8')) as { cases: Case[] };
    const ref = parity.cases.find((c) => c.present.text === 1 && c.present.image === 1)!;
    const fixed = (dim: number, v: number[]) => ({ id: `fixed-${dim}`, dim, encode: async (xs: readonly unknown[]) => Float32Array.from({ length: xs.length * dim }, (_, i) => v[i % dim]!) });
    const live = new WorkerCatalog(store, model);
    const writer = new ItemWriter({ catalog: live, tower, encoders: { text: fixed(12, ref.inputs.text!), image: fixed(20, ref.inputs.image!) }, fetchImage: () => Promise.reject(new Error('offline')) });
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...Array.from({ length: 60 }, (_, i) => i)]);
    const res = await writer.upsert([{ id: 'new1', title: 'A new item', description: 'never seen in training', image: { base64: bytesToBase64(jpeg) }, available: true }]);
    expect(res.items).toEqual([{ id: 'new1', idx: 30, status: 'created' }]);

    const rec = (await getTyped(store, LiveItem, keys.liveItem(rep.version, 'new1')))!;
    const z = base64ToFloat32(rec.z!);
    expect(z.length).toBe(ref.content.length);
    expect(Math.max(...ref.content.map((v, j) => Math.abs(v - z[j]!)))).toBeLessThan(1e-4);
    expect(Object.keys(rec.features).sort()).toEqual(['image', 'text']);
    const view = live.scoring();
    expect(view.items).toBe(31);
    expect(Array.from(view.latents.subarray(30 * model.dim, 31 * model.dim))).toEqual(Array.from(z));
    await tower!.close();
    expect(existsSync(join(serving, SERVING_BUNDLE_FILE))).toBe(true);
  }, 60_000);
});
