// End-to-end check of the offline pipeline on a tiny synthetic dataset (seconds): Python steps -> manifest with
// hashes -> ONNX graphs loaded through gpu-worker/src/onnx reproduce the PyTorch outputs to 1e-4; PQ codes
// decode in TypeScript; a second run reuses every cached step.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVING_BUNDLE_FILE, ServingBundle } from '@llmrec/shared/api/serving-bundle.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '@llmrec/data/npy.ts';
import { REPO_ROOT } from '@llmrec/data/paths.ts';
import { llmrec } from '@llmrec/data/test-support/spawn-cli.ts';
import { asFloat32, createSession, float32, int64, run } from '@llmrec/gpu-worker/onnx/index.ts';
import { padHistories, parseArtifactsManifest } from '@llmrec/shared/artifacts.ts';
import { adcScores, createPqIndex } from '@llmrec/shared/pq/index.ts';
import { model as alignerModel, pqModel } from '@llmrec/eval/models/aligner.ts';
import { model as sasrecModel } from '@llmrec/eval/models/sasrec.ts';
import { content as contentModel, fused as fusedModel } from '@llmrec/eval/models/content-fused.ts';
import { readContentFeatures, towerLatents } from '@llmrec/eval/models/item-towers.ts';
import { computeSplit, readDataset, writeSplit } from '@llmrec/data/index.ts';
import type { FitContext } from '@llmrec/eval/models/types.ts';
import { defaultConfig, runPipeline } from './train.ts';
import { hasTorch as hasPythonTorch, PYTHON } from '@llmrec/data/test-support/python.ts';

const python = PYTHON;
const hasTorch = hasPythonTorch();
if (!hasTorch) console.warn(`train.test: skipped — ${python} has no torch (apt-get install python3-torch)`);

describe.skipIf(!hasTorch)('llmrec train pipeline (tiny synthetic dataset)', () => {
  let home: string;
  let ds: string;
  const config = () => {
    const c = defaultConfig('synthetic');
    return {
      sasrec: { ...c.sasrec, hidden: 16, maxlen: 12, epochs: 4, eval_every: 2 },
      aligner: { ...c.aligner, dim: 32, hidden: 32, epochs: 2, text: { kind: 'hashed-tfidf', dim: 128 } },
      fusion: { ...c.fusion, hidden: 16, epochs: 2, batch: 64, con_items: 16 },
      pq: { ...c.pq, m: 4, k: 16, iters: 5, finetune_steps: 30 },
    };
  };

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'llmrec-train-'));
    ds = join(home, 'datasets', 'synthetic');
    execFileSync(python, ['-m', 'llmrec_train.synthetic', ds, '--users', '40', '--items', '30'], { cwd: join(REPO_ROOT, 'training') });
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('trains, exports and reproduces PyTorch outputs through onnxruntime-node to 1e-4', { timeout: 240_000 }, async () => {
    const res = await runPipeline({ datasetDir: ds, dataset: 'synthetic', split: 'loo', home, config: config(), features: 'tfidf', threads: 1, force: false });
    const m = parseArtifactsManifest(JSON.parse(readFileSync(join(res.dir, 'manifest.json'), 'utf8')));
    expect(m.items).toBe(30);
    expect(m.textFeatures.kind).toBe('hashed-tfidf');
    expect(m.features.modalities.text?.encoder).toBe('hashed-tfidf'); // --features tfidf: hashed TF-IDF text only
    for (const f of Object.values(m.files)) {
      const buf = readFileSync(join(res.dir, f.path));
      expect(createHash('sha256').update(buf).digest('hex')).toBe(f.sha256);
    }
    const parity = JSON.parse(readFileSync(join(res.dir, m.files.parity.path), 'utf8')) as { maxlen: number; histories: number[][]; user_repr: number[][]; scores: number[][]; z_u: number[][] };
    // The parity histories are item index + 1; padHistories takes 0-based indices.
    const hist = parity.histories.map((h) => h.map((v) => v - 1));
    const b = hist.length;
    const x = int64(padHistories(hist, m.input.maxlen), [b, m.input.maxlen]);
    const sas = await createSession(join(res.dir, m.files.sasrecEncoder.path), { device: 'cpu' });
    const ue = await createSession(join(res.dir, m.files.userEncoder.path), { device: 'cpu' });
    expect(sas.inputNames).toEqual(['history']);
    const so = await run(sas, { history: x });
    const uo = await run(ue, { history: x });
    const maxDiff = (got: Float32Array, want: number[][]) => Math.max(...want.flat().map((v, i) => Math.abs(v - got[i]!)));
    expect(maxDiff(asFloat32(so.user_repr!), parity.user_repr)).toBeLessThan(1e-4);
    expect(maxDiff(asFloat32(so.scores!), parity.scores)).toBeLessThan(1e-4);
    expect(maxDiff(asFloat32(uo.z_u!), parity.z_u)).toBeLessThan(1e-4);
    // A shorter (unpadded) input gives the same z_u as its left-padded form.
    const last = hist[b - 1]!.slice(-3);
    const short = await run(ue, { history: int64(last.map((v) => v + 1), [1, 3]) });
    const padded = await run(ue, { history: int64(padHistories([last], m.input.maxlen), [1, m.input.maxlen]) });
    expect(maxDiff(asFloat32(short.z_u!), [Array.from(asFloat32(padded.z_u!))])).toBeLessThan(1e-4);

    // PQ: ADC over the coded table approximates z_u . z_i; codes are 4 bytes per 32-float item.
    const books = decodeNpy(readFileSync(join(res.dir, m.files.pqCodebooks.path)));
    const codes = new Uint8Array(readFileSync(join(res.dir, m.files.pqCodes.path)));
    const pq = createPqIndex(books.data as Float32Array, books.shape, codes, m.items);
    const zi = decodeNpy(readFileSync(join(res.dir, m.files.itemLatents.path)));
    const zu = Array.from(asFloat32(uo.z_u!).subarray(0, zi.shape[1]!));
    const approx = adcScores(pq, zu);
    const exact = Array.from({ length: m.items }, (_, i) => zu.reduce((acc, v, j) => acc + v * (zi.data[i * zi.shape[1]! + j] as number), 0));
    const corr = pearson(Array.from(approx), exact);
    expect(corr).toBeGreaterThan(0.8);
    expect(m.metrics.pq.compressionCodes).toBe(32);
    // The codebooks were refined after k-means (codes fixed); the manifest reports both.
    expect(m.metrics.pq.finetuneSteps).toBe(30);
    expect(m.metrics.pq.ndcg10RatioKmeansOnly).toBeGreaterThan(0);
    expect(m.metrics.pq.kmeansRelativeReconstructionError).toBeGreaterThanOrEqual(0);
    // The serving bundle names the same offline PQ files, so `llmrec publish` ships what was measured here.
    const sb = ServingBundle.parse(JSON.parse(readFileSync(join(home, 'artifacts', 'synthetic', 'serving', SERVING_BUNDLE_FILE), 'utf8')));
    expect(sb.pq?.codebooks).toMatchObject({ m: 4, k: 16, dsub: 8, sha256: m.files.pqCodebooks.sha256 });
    expect(sb.pq?.codes.sha256).toBe(m.files.pqCodes.sha256);

    // The eval models (`llmrec eval --model sasrec|aligner|aligner-pq`) score through the same artifacts.
    const ctx = { dataset: { meta: { name: 'synthetic' }, nItems: m.items }, split: 'loo', home, log: () => {} } as unknown as FitContext;
    const req = { users: Int32Array.from(hist.map((_, i) => i)), histories: hist.map((h) => Int32Array.from(h)), timestamps: hist.map((h) => new Float64Array(h.length)) };
    const sScores = await (await sasrecModel.create(ctx)).score(req);
    expect(maxDiff(sScores, parity.scores)).toBeLessThan(1e-4);
    const aScores = await (await alignerModel.create(ctx)).score(req);
    const pScores = await (await pqModel.create(ctx)).score(req);
    const n = m.items;
    for (let i = 0; i < n; i++) expect(aScores[(b - 1) * n + i]).toBeCloseTo(parity.z_u[b - 1]!.reduce((acc, v, j) => acc + v * (zi.data[i * zi.shape[1]! + j] as number), 0), 3);
    expect(Array.from(pScores.subarray(0, n))).toEqual(Array.from(adcScores(pq, asFloat32(uo.z_u!).subarray(0, zi.shape[1]!))));

    const again = await runPipeline({ datasetDir: ds, dataset: 'synthetic', split: 'loo', home, config: config(), features: 'tfidf', threads: 1, force: false });
    expect(Object.values(again.seconds).every((s) => s === 0)).toBe(true);
    expect(again.manifest.key).toBe(m.key);
  });

  it('fusion: both towers reproduce PyTorch through onnxruntime-node; held-out items are scored from content alone', async () => {
    const feats = join(home, 'features-synthetic');
    execFileSync(python, ['-c', `from llmrec_train.synthetic import write_features; write_features(${JSON.stringify(ds)}, ${JSON.stringify(feats)})`], { cwd: join(REPO_ROOT, 'training') });
    const data = readDataset(ds);
    const split = computeSplit(data, 'cold-items', 3);
    writeSplit(ds, split);
    const res = await runPipeline({ datasetDir: ds, dataset: 'synthetic', split: 'cold-items-s3', home, config: config(), features: feats, threads: 1, force: false });
    const m = res.manifest;
    expect(Object.keys(m.features.modalities)).toEqual(['text', 'image']);
    expect(m.contentTower.inputs.map((i) => i.name)).toEqual(['text', 'image', 'text_present', 'image_present']);
    expect(m.fusionTower.inputs.map((i) => i.name)).toEqual(['cf', 'text', 'image', 'cf_present', 'text_present', 'image_present']);
    expect(m.metrics.fusion.coldValid?.['ndcg@10']).toBeGreaterThanOrEqual(0);
    type Case = { item: number; inputs: Record<string, number[]>; present: Record<string, number>; fused: number[]; content: number[] };
    const parity = JSON.parse(readFileSync(join(res.dir, m.files.towerParity.path), 'utf8')) as { cases: Case[] };
    const feeds = (spec: typeof m.contentTower, c: Case) =>
      Object.fromEntries(spec.inputs.map((i) => [i.name, i.dim ? float32(c.inputs[i.name]!.map((v) => v * (c.present[i.name]! > 0 ? 1 : 0)), [1, i.dim]) : float32([c.present[i.name.replace(/_present$/, '')]!], [1])]));
    const ct = await createSession(join(res.dir, m.files.contentTower.path), { device: 'cpu' });
    const ft = await createSession(join(res.dir, m.files.fusionTower.path), { device: 'cpu' });
    let worst = 0;
    for (const c of parity.cases) {
      const gotC = asFloat32((await run(ct, feeds(m.contentTower, c))).z_item!);
      const gotF = asFloat32((await run(ft, feeds(m.fusionTower, c))).z_item!);
      c.content.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - gotC[j]!))));
      c.fused.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - gotF[j]!))));
    }
    expect(parity.cases.some((c) => c.present.image === 0)).toBe(true);
    expect(worst).toBeLessThan(1e-4);

    // The eval models: `fused` through the shipped table equals the fusion tower rerun (no drop); every held-out item's
    // fused latent is its content-tower latent; `content` ranks from the content tower only.
    const ctx = { dataset: data, split: 'cold-items', labels: split.labels, trainMask: Uint8Array.from(split.labels, (l) => (l === 0 ? 1 : 0)), seed: 1, home, artifacts: res.dir, log: () => {} } as FitContext;
    const req = { users: Int32Array.of(0, 1), histories: [Int32Array.of(1, 2, 3), Int32Array.of(10, 11)], timestamps: [new Float64Array(3), new Float64Array(2)] };
    const fromTable = await (await fusedModel.create(ctx)).score(req);
    const rerun = await (await fusedModel.create({ ...ctx, drop: [{ modality: 'image', fraction: 0 }] })).score(req);
    expect(Math.max(...Array.from(fromTable, (v, i) => Math.abs(v - rerun[i]!)))).toBeLessThan(1e-4);
    const zi = decodeNpy(readFileSync(join(res.dir, m.files.itemLatents.path)));
    const cfl = decodeNpy(readFileSync(join(res.dir, m.files.cfLatents.path)));
    const dim = zi.shape[1]!;
    const inputs = readContentFeatures(feats, m.features.sha256, data.nItems);
    const zc = await towerLatents(ct, m.contentTower, inputs);
    for (const i of split.meta.params.testItems as number[]) for (let j = 0; j < dim; j++) expect(zi.data[i * dim + j] as number).toBeCloseTo(zc[i * dim + j]!, 4);
    const warm = Array.from({ length: data.nItems }, (_, i) => i).filter((i) => !(split.meta.params.testItems as number[]).includes(i) && !(split.meta.params.validItems as number[]).includes(i));
    expect(Math.max(...warm.map((i) => Math.abs((zi.data[i * dim] as number) - (cfl.data[i * dim] as number))))).toBeGreaterThan(0); // warm items: CF + content, not content alone
    const cScores = await (await contentModel.create(ctx)).score(req);
    const n = data.nItems;
    const unit = (i: number) => {
      const row = Array.from(zc.subarray(i * dim, (i + 1) * dim));
      const norm = Math.hypot(...row);
      return row.map((v) => v / norm);
    };
    // the user's content profile: the unit mean of the history's unit content latents; an item's score is its cosine
    const mean = Array.from({ length: dim }, (_, j) => (unit(1)[j]! + unit(2)[j]! + unit(3)[j]!) / 3);
    const q = mean.map((v) => v / Math.hypot(...mean));
    for (let i = 0; i < n; i++) expect(cScores[i]).toBeCloseTo(q.reduce((a, v, j) => a + v * unit(i)[j]!, 0), 4);

    // features that changed after training are refused, and so are features of another items.jsonl
    const pres = join(feats, 'image.present.npy');
    const saved = readFileSync(pres);
    const flipped = Buffer.from(saved);
    flipped[flipped.length - 1] = flipped[flipped.length - 1] ? 0 : 1;
    writeFileSync(pres, flipped);
    await expect(contentModel.create(ctx)).rejects.toThrow(/features changed since training/);
    writeFileSync(pres, saved);
    const other = join(home, 'features-other');
    execFileSync(python, ['-c', `from llmrec_train.synthetic import write_features; write_features(${JSON.stringify(ds)}, ${JSON.stringify(other)})`], { cwd: join(REPO_ROOT, 'training') });
    const fj = JSON.parse(readFileSync(join(other, 'features.json'), 'utf8'));
    writeFileSync(join(other, 'features.json'), JSON.stringify({ ...fj, itemsSha256: '0'.repeat(64) }));
    await expect(runPipeline({ datasetDir: ds, dataset: 'synthetic', split: 'cold-items-s3', home, config: config(), features: other, threads: 1, force: false })).rejects.toThrow(/another items\.jsonl/);
  }, 240_000);

  it('`llmrec train` writes its result files under $LLMREC_HOME/results (or --out), never into the tracked results/', () => {
    const cfg = join(home, 'cfg.json');
    writeFileSync(cfg, JSON.stringify(config()));
    const snapshot = () => readdirSync(join(REPO_ROOT, 'results')).map((f) => [f, statSync(join(REPO_ROOT, 'results', f)).mtimeMs]);
    const tracked = snapshot();
    const args = ['train', '--dataset', 'synthetic', '--dataset-dir', ds, '--home', home, '--config', cfg, '--features', 'tfidf'];
    expect(llmrec(args).code).toBe(0);
    expect(JSON.parse(readFileSync(join(home, 'results', 'train-synthetic-loo.json'), 'utf8'))).toMatchObject({ dataset: 'synthetic', split: 'loo' });
    const out = join(home, 'elsewhere');
    expect(llmrec([...args, '--out', out]).code).toBe(0);
    expect(readFileSync(join(out, 'train-synthetic-loo.md'), 'utf8')).toMatch(/^# llmrec train — synthetic \/ loo/);
    expect(snapshot()).toEqual(tracked);
  }, 120_000);

  it('--sasrec-from: a SASRec run trained elsewhere becomes the step, the later steps train on it; another config is refused', async () => {
    const root = join(home, 'cache', 'train', 'synthetic', 'loo');
    const trained = readdirSync(root).filter((d) => d.startsWith('sasrec-')).map((d) => join(root, d))[0]!;
    const other = mkdtempSync(join(tmpdir(), 'llmrec-adopt-'));
    try {
      const res = await runPipeline({ datasetDir: ds, dataset: 'synthetic', split: 'loo', home: other, config: config(), features: 'tfidf', threads: 1, force: false, sasrecFrom: trained });
      const ref = JSON.parse(readFileSync(join(trained, 'done.json'), 'utf8')) as { metrics: { test: unknown } };
      expect(res.seconds.sasrec).toBe(0); // not trained again in this fresh home
      expect(res.manifest.metrics.sasrec.test).toEqual(ref.metrics.test); // the adopted run's own figures
      expect(readdirSync(join(other, 'cache', 'train', 'synthetic', 'loo')).some((d) => d.startsWith('aligner-'))).toBe(true);
      // the exported SASRec item table is the adopted backbone's, byte for byte (the trained pipeline's artifacts)
      const first = parseArtifactsManifest(JSON.parse(readFileSync(join(home, 'artifacts', 'synthetic', 'loo', 'manifest.json'), 'utf8')));
      expect(res.manifest.files.sasrecItems.sha256).toBe(first.files.sasrecItems.sha256);
      const c = config();
      await expect(runPipeline({ datasetDir: ds, dataset: 'synthetic', split: 'loo', home: other, config: { ...c, sasrec: { ...c.sasrec, lr: 0.5 } }, features: 'tfidf', threads: 1, force: false, sasrecFrom: trained }))
        .rejects.toThrow(/lr: .* \(pipeline: 0.5\)/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  }, 240_000);

  it('uses a frozen ONNX sentence encoder for item text when configured', async () => {
    const fx = join(home, 'fixture');
    execFileSync(python, ['-m', 'llmrec_train.fixtures', 'sentence-encoder', fx], { cwd: join(REPO_ROOT, 'training'), stdio: 'ignore' });
    const c = config();
    c.aligner.text = { kind: 'onnx', model: join(fx, 'encoder.onnx'), vocab: join(fx, 'vocab.txt') } as never;
    const res = await runPipeline({ datasetDir: ds, dataset: 'synthetic', split: 'loo', home, config: c, features: 'tfidf', threads: 1, force: false });
    expect(res.seconds.sasrec).toBe(0); // same backbone: cached
    expect(res.manifest.textFeatures.kind).toBe('precomputed');
    expect(res.manifest.textFeatures.dim).toBe(8);
    expect(res.manifest.textFeatures.source).toMatch(/^onnx:encoder\.onnx sha256:[0-9a-f]{12}$/);
  }, 240_000);
});

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let num = 0, da = 0, db = 0;
  for (let i = 0; i < n; i++) {
    num += (a[i]! - ma) * (b[i]! - mb);
    da += (a[i]! - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}
