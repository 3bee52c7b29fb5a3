// `llmrec eval` spawned as a user runs it: --json shape (dataset, split, protocol, model, seed, metrics) on stdout,
// results files written, and one-line usage errors.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '@llmrec/data/test-support/shared-data.ts';
import { tempDirs } from '@llmrec/data/test-support/temp-dirs.ts';
import { EvalReport } from '@llmrec/eval/report.ts';
import { llmrec } from '@llmrec/data/test-support/spawn-cli.ts';

const tmp = tempDirs();

describe('llmrec eval', () => {
  it('--help exits 0; unknown model exits 2 with a one-line reason', () => {
    expect(llmrec(['eval', '--help']).code).toBe(0);
    const r = llmrec(['eval', '--dataset', 'ml-100k', '--model', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^llmrec eval: unknown model 'nope' \(registered: popular, itemknn/)]);
  });

  it.skipIf(!SHARED)('--json prints the report for both baselines and writes results files', () => {
    const home = tmp('cli-eval-');
    const out = join(home, 'results');
    const data = llmrec(['data', '--dataset', 'ml-100k', '--from', join(SHARED!, 'ml-100k'), '--home', home, '--splits', 'loo']);
    expect(data.code).toBe(0);
    const r = llmrec(['eval', '--dataset', 'ml-100k', '--split', 'loo', '--model', 'popular,itemknn', '--seeds', '1,2', '--json', '--home', home, '--out', out]);
    expect(r.code).toBe(0);
    const rep = EvalReport.parse(JSON.parse(r.stdout));
    expect(rep.results.map((x) => `${x.model}/${x.protocol}/${x.seed}`)).toEqual(['popular/full/null', 'popular/sampled/1', 'popular/sampled/2', 'itemknn/full/null', 'itemknn/sampled/1', 'itemknn/sampled/2']);
    for (const x of rep.results) {
      expect(x).toMatchObject({ dataset: 'ml-100k', split: 'loo', users: 943 });
      expect(Object.keys(x.metrics).sort()).toEqual(['HR@10', 'HR@20', 'HR@5', 'NDCG@10', 'NDCG@20', 'NDCG@5', 'Recall@10', 'Recall@20', 'Recall@5']);
      // LOO has one target: Recall = HR, NDCG <= HR, and metrics grow with K
      expect(x.metrics['Recall@10']).toBe(x.metrics['HR@10']);
      expect(x.metrics['NDCG@10']!).toBeLessThanOrEqual(x.metrics['HR@10']!);
      expect(x.metrics['HR@20']!).toBeGreaterThanOrEqual(x.metrics['HR@10']!);
    }
    // sampled ranking is far easier than full ranking
    const full = rep.results.find((x) => x.model === 'itemknn' && x.protocol === 'full')!;
    const sampled = rep.results.find((x) => x.model === 'itemknn' && x.seed === 1)!;
    expect(sampled.metrics['NDCG@10']!).toBeGreaterThan(2 * full.metrics['NDCG@10']!);
    expect(rep.comparisons[0]).toMatchObject({ model: 'itemknn', baseline: 'popular', metric: 'NDCG@10', users: 943 });
    expect(existsSync(join(out, 'eval-ml-100k-loo-popular+itemknn.json'))).toBe(true);
    expect(readFileSync(join(out, 'eval-ml-100k-loo-popular+itemknn.md'), 'utf8')).toMatch(/\| itemknn \| full \|/);
    expect(r.stderr).toMatch(/eval itemknn done: 943\/943 users/);
  });
});
