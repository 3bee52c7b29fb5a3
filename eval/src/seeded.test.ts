// The cold-item protocol on real ML-100K: cases hold out the split's items (targets among them, histories without
// them), `full` ranks among the held-out items only while `all-items` ranks among every item, and the seeded
// evaluation gives one row per seed (each its own split) with paired comparisons over seeds and pooled users.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeSplit, decodeNpy, prepareDataset, readDataset } from '@llmrec/data/index.ts';
import { SHARED } from '@llmrec/data/test-support/shared-data.ts';
import { model as popular } from './models/popular.ts';
import { model as random } from './models/random.ts';
import { tfidfFeaturesDir } from './models/tfidf-features.ts';
import { model as tfidfKnn } from './models/tfidf-knn.ts';
import type { ModelSpec } from './models/types.ts';
import { buildCases, runModel } from './runner.ts';
import { evaluateSeeded, modalityDropGrid } from './seeded.ts';

describe.skipIf(!SHARED)('cold-items evaluation on ML-100K', () => {
  const home = mkdtempSync(join(tmpdir(), 'eval-cold-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const prep = SHARED ? prepareDataset({ name: 'ml-100k', from: join(SHARED, 'ml-100k'), home, splits: [] }) : undefined;

  it('targets are held-out items, histories never contain one; full ranks among them, all-items among every item', async () => {
    const ds = readDataset(prep!.dir);
    const split = computeSplit(ds, 'cold-items', 2);
    const held = new Set(split.meta.params.testItems as number[]);
    const valid = new Set(split.meta.params.validItems as number[]);
    const cases = buildCases(ds, split, 'test');
    expect(cases.users.length).toBeGreaterThan(900);
    cases.targets.forEach((t) => expect(held.has(t[0]!)).toBe(true));
    cases.histories.forEach((h) => h.forEach((i) => expect(held.has(i) || valid.has(i)).toBe(false)));
    expect(cases.candidates!.reduce((a, x) => a + x, 0)).toBe(held.size);
    // an oracle that puts each target first among the held-out items but 5 warm items above it
    const warm = [...Array(ds.nItems).keys()].filter((i) => !held.has(i) && !valid.has(i));
    const oracle: ModelSpec = {
      name: 'oracle',
      description: 'test',
      create: () => ({
        score(req) {
          const out = new Float32Array(req.users.length * ds.nItems);
          req.users.forEach((u, b) => {
            const t = cases.targets[cases.users.indexOf(u)]![0]!;
            out[b * ds.nItems + t] = 10;
            const hist = new Set(req.histories[b]);
            warm.filter((i) => !hist.has(i)).slice(0, 5).forEach((i) => (out[b * ds.nItems + i] = 20));
          });
          return out;
        },
      }),
    };
    const run = await runModel(ds, split, oracle, cases, { seeds: [1], home, protocols: ['full', 'all-items'] });
    expect(run.rows.find((r) => r.protocol === 'full')!.metrics['NDCG@10']).toBeCloseTo(1, 12);
    expect(run.rows.find((r) => r.protocol === 'all-items')!.metrics['NDCG@10']).toBeCloseTo(1 / Math.log2(7), 12);
    // validation phase: targets on the validation-cold items, ranked among them
    const vc = buildCases(ds, split, 'valid');
    vc.targets.forEach((t) => expect(valid.has(t[0]!)).toBe(true));
  });

  it('one split per seed, rows per seed, comparisons over seeds and pooled users; CF-only popularity cannot rank cold items', async () => {
    const ds = readDataset(prep!.dir);
    const splits = new Map([1, 2, 3].map((s) => [s, computeSplit(ds, 'cold-items', s)]));
    const r = await evaluateSeeded(ds, [random, popular], {
      seeds: [1, 2, 3], home, splitFor: (s) => splits.get(s)!, seedRole: 'mixed', evaluation: 'cold-items',
      protocols: { full: 'among held-out', 'all-items': 'all' }, machine: { cpus: 1, node: 'x', note: 't' }, command: 't',
    });
    const row = (m: string, p: string) => r.json.rows.find((x) => x.model === m && x.protocol === p && x.metric === 'NDCG@10')!;
    expect(row('random', 'full').perSeed.map((s) => s.seed)).toEqual([1, 2, 3]);
    expect(new Set(row('random', 'full').perSeed.map((s) => s.value)).size).toBe(3);
    expect(row('random', 'full').mean).toBeGreaterThan(0.015); // ~ 4.5 / 168
    expect(row('random', 'full').mean).toBeLessThan(0.045);
    expect(row('popular', 'full').mean).toBe(0); // held-out items have no training interaction: all tie at 0, pessimistic
    expect(r.json.comparisons.filter((c) => c.model === 'popular' && c.baseline === 'random' && c.protocol === 'full').map((c) => c.pairing).sort()).toEqual(['seeds', 'users']);
    expect(r.markdown).toMatch(/\| random \| default \|/);
  });

  it('tfidf-knn scores a candidate by the mean cosine of its hashed TF-IDF text to each history item', async () => {
    const ds = readDataset(prep!.dir);
    const scorer = await tfidfKnn.create({ dataset: ds, split: 'loo', labels: new Int8Array(0), trainMask: new Uint8Array(0), seed: 1, home, log: () => {} });
    const hist = [Int32Array.of(0, 49, 180), Int32Array.of(120)];
    const scores = await scorer.score({ users: Int32Array.of(0, 1), histories: hist, timestamps: [new Float64Array(3), new Float64Array(1)] });
    const x = decodeNpy(readFileSync(join(tfidfFeaturesDir(home, 'ml-100k', ds.dir), 'text.npy')));
    const dim = x.shape[1]!;
    const row = (i: number) => (x.data as Float32Array).subarray(i * dim, (i + 1) * dim);
    const cos = (a: Float32Array, b: Float32Array) => {
      let d = 0, na = 0, nb = 0;
      for (let j = 0; j < dim; j++) (d += a[j]! * b[j]!), (na += a[j]! ** 2), (nb += b[j]! ** 2);
      return d / Math.sqrt(na * nb);
    };
    for (const c of [1, 171, 500, 1681]) {
      const want = [0, 49, 180].map((h) => cos(row(h), row(c))).reduce((a, v) => a + v, 0) / 3;
      expect(scores[c]).toBeCloseTo(want, 5);
    }
    expect(scores[ds.nItems + 120]).toBeCloseTo(1, 5); // an item is its own nearest text
  });

  it('the modality-drop grid: images, text, both at 50 % and 100 %', () => {
    expect(modalityDropGrid(['text', 'image']).map((v) => v.name)).toEqual([
      'default', 'text-missing-50%', 'text-missing-100%', 'image-missing-50%', 'image-missing-100%', 'text+image-missing-50%', 'text+image-missing-100%',
    ]);
  });
});
