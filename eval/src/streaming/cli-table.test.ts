// The CLI path of the streaming table (`llmrec eval --split streaming --model static,dynamic --seeds ...`) on a
// truncated real ML-100K stream: every seed runs on its own base, the table is cross-checked against direct
// replays, the seed-level paired t-test and CI are present, and the result files are written. The (fallback)
// bases are random frozen bases written into the cache, so the test does not pay for base training.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeSplit, prepareDataset, readDataset, splitExists, writeSplit } from '@llmrec/data/index.ts';
import { SHARED } from '@llmrec/data/test-support/shared-data.ts';
import { mulberry32 } from '@llmrec/shared/adapter/gated-adapter.ts';
import { defaultLearnerConfig } from '@llmrec/shared/adapter/online-learner.ts';
import { defaultTrainConfig } from '@llmrec/shared/adapter/online-trainer.ts';
import { baseForDataset } from './base-for-dataset.ts';
import { EvalJson, findRow } from '../report.ts';
import { isStreamingTable, runStreamingTable } from './cli-table.ts';
import { runStreaming } from './replay.ts';

describe.skipIf(!SHARED)('streaming table through the CLI path (ML-100K, first 120 online events)', () => {
  const home = mkdtempSync(join(tmpdir(), 'stream-table-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('runs every seed, matches direct replays, reports CI and the paired t-test, writes the files', async () => {
    const prep = prepareDataset({ name: 'ml-100k', from: join(SHARED!, 'ml-100k'), home });
    let ds = readDataset(prep.dir);
    if (!splitExists(prep.dir, 'streaming')) writeSplit(prep.dir, computeSplit({ ...ds, hasTimestamps: ds.meta.hasTimestamps }, 'streaming'));
    ds = readDataset(prep.dir);
    mkdirSync(join(home, 'adapter'), { recursive: true });
    for (const seed of [1, 2]) {
      const rnd = mulberry32(100 + seed);
      const f = Float32Array.from({ length: 2 * ds.nItems * 64 }, () => (rnd() - 0.5) * 0.2);
      writeFileSync(join(home, 'adapter', `base-ml-100k-d64-e10-s${seed}.f32`), new Uint8Array(f.buffer));
    }
    expect(isStreamingTable(['static', 'dynamic'])).toBe(true);
    expect(isStreamingTable(['popular', 'dynamic'])).toBe(false);
    const out = join(home, 'results');
    const t = await runStreamingTable({ ds, home, models: ['static', 'dynamic'], seeds: [1, 2], events: 120, base: 'fallback', out, command: 'test', log: () => {} });
    const r = t.result;
    expect(r.events).toBe(120);
    expect(r.seeds).toEqual([1, 2]);
    const [st, dy] = r.rows;
    expect(st!.perSeed.map((s) => s.seed)).toEqual([1, 2]);
    // each seed replays its own base: recompute seed 2 directly
    const { base, events } = baseForDataset(ds, home, { seed: 2 });
    const nPre = events.filter((e) => e.window < 0).length;
    const ev = events.slice(0, nPre + 120);
    expect(st!.perSeed[1]!.ndcg10).toBeCloseTo(runStreaming(base, ev, 'static').ndcg10, 12);
    const cfg = { ...defaultLearnerConfig, train: { ...defaultTrainConfig, seed: 2 } };
    expect(dy!.perSeed[1]!.ndcg10).toBeCloseTo(runStreaming(base, ev, 'dynamic', cfg).ndcg10, 12);
    expect(st!.perSeed[0]!.ndcg10).not.toBe(st!.perSeed[1]!.ndcg10);
    expect(dy!.vsStaticSeeds!.n).toBe(2);
    expect(dy!.vsStaticSeeds!.p).toBeGreaterThanOrEqual(0);
    expect(dy!.vsStaticSeeds!.p).toBeLessThanOrEqual(1);
    expect(st!.ndcg10Ci95).not.toBeNull();
    expect(t.files.every(existsSync)).toBe(true);
    const doc = EvalJson.parse(JSON.parse(readFileSync(t.files[0]!, 'utf8')));
    expect(findRow(doc, { model: 'dynamic', metric: 'NDCG@10', protocol: 'streaming-full' })!.perSeed.map((s) => s.value)).toEqual(dy!.perSeed.map((s) => s.ndcg10));
    expect(doc.comparisons.find((c) => c.model === 'dynamic' && c.pairing === 'seeds')!.p).toBe(dy!.vsStaticSeeds!.p);
    expect(t.markdown).toMatch(/\| dynamic \|/);
  }, 240_000);
});
