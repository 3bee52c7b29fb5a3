// `llmrec eval` spawned as a user runs it: --json prints the one eval shape (EvalJson) on stdout, result files go
// to $LLMREC_HOME/results (never the tracked results/ by default), and one-line usage errors.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '@llmrec/data/test-support/shared-data.ts';
import { tempDirs } from '@llmrec/data/test-support/temp-dirs.ts';
import { REPO_ROOT } from '@llmrec/data/index.ts';
import { EvalJson, findRow } from '@llmrec/eval/report.ts';
import { llmrec } from '@llmrec/data/test-support/spawn-cli.ts';

const tmp = tempDirs();

describe('llmrec eval', () => {
  it('--help exits 0; unknown model exits 2 with a one-line reason', () => {
    expect(llmrec(['eval', '--help']).code).toBe(0);
    const r = llmrec(['eval', '--dataset', 'ml-100k', '--model', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^llmrec eval: unknown model 'nope' \(registered: popular, itemknn/)]);
  });

  it.skipIf(!SHARED)('--json prints the one eval shape (EvalJson) for both baselines and writes it under $LLMREC_HOME by default', () => {
    const home = tmp('cli-eval-');
    const data = llmrec(['data', '--dataset', 'ml-100k', '--from', join(SHARED!, 'ml-100k'), '--home', home, '--splits', 'loo']);
    expect(data.code).toBe(0);
    const tracked = readdirSync(join(REPO_ROOT, 'results')).map((f) => [f, statSync(join(REPO_ROOT, 'results', f)).mtimeMs]);
    const r = llmrec(['eval', '--dataset', 'ml-100k', '--split', 'loo', '--model', 'popular,itemknn', '--seeds', '1,2', '--json', '--home', home]);
    expect(r.code).toBe(0);
    const doc = EvalJson.parse(JSON.parse(r.stdout));
    expect(doc).toMatchObject({ formatVersion: 2, kind: 'llmrec-eval', evaluation: 'ranking', dataset: 'ml-100k', split: 'loo', phase: 'test' });
    expect(Object.keys(doc.protocols).sort()).toEqual(['full', 'sampled-100']);
    const metrics = ['HR@10', 'HR@20', 'HR@5', 'NDCG@10', 'NDCG@20', 'NDCG@5', 'Recall@10', 'Recall@20', 'Recall@5'];
    for (const model of ['popular', 'itemknn']) {
      expect(doc.rows.filter((x) => x.model === model && x.protocol === 'full').map((x) => x.metric).sort()).toEqual(metrics);
      for (const m of metrics) {
        const full = findRow(doc, { model, metric: m, protocol: 'full' })!;
        expect(full).toMatchObject({ n: 943, unit: 'users', seedRole: 'none', ci95: null });
        expect(full.perSeed).toEqual([{ seed: null, value: full.mean }]);
        const sampled = findRow(doc, { model, metric: m, protocol: 'sampled-100' })!;
        expect(sampled.perSeed.map((s) => s.seed)).toEqual([1, 2]);
        expect(sampled.seedRole).toBe('sampling');
        expect(sampled.mean).toBeCloseTo((sampled.perSeed[0]!.value + sampled.perSeed[1]!.value) / 2, 12);
      }
      // LOO has one target: Recall = HR, NDCG <= HR, and metrics grow with K
      const v = (m: string) => findRow(doc, { model, metric: m, protocol: 'full' })!.mean;
      expect(v('Recall@10')).toBe(v('HR@10'));
      expect(v('NDCG@10')).toBeLessThanOrEqual(v('HR@10'));
      expect(v('HR@20')).toBeGreaterThanOrEqual(v('HR@10'));
    }
    // sampled ranking is far easier than full ranking
    expect(findRow(doc, { model: 'itemknn', metric: 'NDCG@10', protocol: 'sampled-100' })!.perSeed[0]!.value).toBeGreaterThan(2 * findRow(doc, { model: 'itemknn', metric: 'NDCG@10', protocol: 'full' })!.mean);
    expect(doc.comparisons[0]).toMatchObject({ model: 'itemknn', baseline: 'popular', metric: 'NDCG@10', n: 943, pairing: 'users', test: 'paired-t', effectSize: { name: 'cohen-dz' } });
    const out = join(home, 'results');
    expect(EvalJson.parse(JSON.parse(readFileSync(join(out, 'eval-ml-100k-loo-popular+itemknn.json'), 'utf8'))).rows).toEqual(doc.rows);
    expect(readFileSync(join(out, 'eval-ml-100k-loo-popular+itemknn.md'), 'utf8')).toMatch(/\| itemknn \| full \|/);
    // the tracked results/ folder is left alone unless --out names it
    expect(readdirSync(join(REPO_ROOT, 'results')).map((f) => [f, statSync(join(REPO_ROOT, 'results', f)).mtimeMs])).toEqual(tracked);
    expect(r.stderr).toMatch(/eval itemknn done: 943\/943 users/);
  });
});
