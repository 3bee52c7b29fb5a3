// The runner on real ML-100K LOO: full-ranking HR@10 of popularity cross-checked with an independent sort-based
// computation; sampled negatives reproducible and never interacted; the streaming order (predict, then learn).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataset, readDataset, readSplit } from '@llmrec/data/index.ts';
import { SHARED } from '@llmrec/data/test-support/shared-data.ts';
import { evaluateDataset } from './evaluate.ts';
import { model as popular } from './models/popular.ts';
import type { ModelSpec } from './models/types.ts';
import { buildCases, runModel } from './runner.ts';
import { runStreaming } from './streaming.ts';

const machine = { cpus: 1, node: 'x', note: 'test' };

describe.skipIf(!SHARED)('runner on ML-100K', () => {
  const home = mkdtempSync(join(tmpdir(), 'eval-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const prep = SHARED ? prepareDataset({ name: 'ml-100k', from: join(SHARED, 'ml-100k'), home }) : undefined;

  it('LOO full ranking of popularity matches a sort-based re-computation', async () => {
    const ds = readDataset(prep!.dir);
    const split = readSplit(ds, 'loo');
    const cases = buildCases(ds, split, 'test');
    expect(cases.users.length).toBe(943);
    expect(cases.histories[0]!.length).toBe(ds.userStart[1]! - ds.userStart[0]! - 1); // train + valid
    const run = await runModel(ds, split, popular, cases, { seeds: [1], home, protocols: ['full'] });
    // independent: sort items by (count desc, then target last among ties), drop history, find the target
    const count = new Float64Array(ds.nItems);
    split.labels.forEach((l, r) => l === 0 && count[ds.interactions.item[r]!]!++);
    let hits = 0;
    cases.users.forEach((_, b) => {
      const t = cases.targets[b]![0]!;
      const hist = new Set(cases.histories[b]);
      const order = [...Array(ds.nItems).keys()].filter((i) => !hist.has(i)).sort((x, y) => count[y]! - count[x]! || (x === t ? 1 : y === t ? -1 : 0));
      if (order.indexOf(t) < 10) hits++;
    });
    expect(run.rows[0]!.metrics['HR@10']).toBeCloseTo(hits / 943, 12);
  });

  it('sampled figures are reproducible per seed and differ across seeds', async () => {
    const ds = readDataset(prep!.dir);
    const split = readSplit(ds, 'loo');
    const o = { seeds: [1, 2], home, protocols: ['sampled' as const], machine, command: 't' };
    const a = await evaluateDataset(ds, split, ['popular'], o);
    const b = await evaluateDataset(ds, split, ['popular'], o);
    expect(a.results.map((r) => r.metrics['NDCG@10'])).toEqual(b.results.map((r) => r.metrics['NDCG@10']));
    expect(a.results[0]!.metrics['NDCG@10']).not.toBe(a.results[1]!.metrics['NDCG@10']);
    expect(a.summary[0]!.ci95['NDCG@10']).toBeGreaterThan(0);
  });

  it('streaming: each window is predicted before the model learns it', async () => {
    const ds = readDataset(prep!.dir);
    const split = readSplit(ds, 'streaming');
    const seen = new Set<number>(); // rows' windows learned so far
    const log: string[] = [];
    let lastLearned = -1;
    const probe: ModelSpec = {
      name: 'probe',
      description: 'records call order',
      create: (ctx) => {
        expect(ctx.trainMask.reduce((a, x) => a + x, 0)).toBe(70000);
        return {
          score: (req) => {
            log.push(`score ${req.users.length}`);
            return new Float32Array(req.users.length * ds.nItems);
          },
          learn: (ev) => {
            expect(ev.window).toBeGreaterThan(lastLearned);
            expect(seen.has(ev.window)).toBe(false);
            seen.add(ev.window);
            lastLearned = ev.window;
            log.push(`learn ${ev.window}`);
          },
        };
      },
    };
    const run = await runStreaming(ds, split, probe, { seeds: [1], home, protocols: ['full'] });
    expect(run.rows[0]!.users).toBe(30000);
    expect(run.series.reduce((a, p) => a + p.events, 0)).toBe(30000);
    expect(seen.size).toBe(run.series.length);
    expect(log[0]).toMatch(/^score/);
    expect(log.at(-1)).toMatch(/^learn/);
    // constant scores + pessimistic ties: never a hit
    expect(run.rows[0]!.metrics['HR@20']).toBe(0);
  });
});
