import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataset, readSplit } from '@llmrec/data/index.ts';
import { EvalJson, findRow } from '../report.ts';
import { qualityFigures } from './quality.ts';
import { explanationsEvalJson, methodResult, type MethodSamples } from './report.ts';
import { evaluateExplanations } from './run-explanations.ts';

describe('explanation quality figures (PETER)', () => {
  it('FCR, DIV and USR on a hand-checked set', () => {
    const q = qualityFigures(
      [
        { text: 'a', items: [1], features: ['genre:Drama', 'cast:X'] },
        { text: 'a', items: [], features: ['genre:Drama'] },
        { text: 'b', items: [2, 3], features: [] },
      ],
      10,
      100,
    );
    expect(q.featureCoverageRatio).toBeCloseTo(2 / 10);
    // Pairs: (1,2) share 1, (1,3) 0, (2,3) 0 -> mean 1/3.
    expect(q.featureDiversity).toBeCloseTo(1 / 3);
    expect(q.uniqueSentenceRatio).toBeCloseTo(2 / 3);
    expect(q.withHistoryItem).toBeCloseTo(2 / 3);
    expect(q.itemCoverageRatio).toBeCloseTo(3 / 100);
  });
});

describe('explanations in the one eval shape', () => {
  const samples = (cited: number[], random: number[], size = cited.map(() => 2)): MethodSamples => {
    const f = (x: number[]) => Float64Array.from(x);
    return { size: f(size), compDrop: f(cited), compRandomDrop: f(random), compRankDrop: f(cited), compRandomRankDrop: f(random), suffDrop: f(random), suffRandomDrop: f(cited), suffRankDrop: f(random), suffRandomRankDrop: f(cited) };
  };
  const quality = qualityFigures([{ text: 'x', items: [1], features: [] }], 1, 1);

  it('rows per method and random baseline, paired comparisons, and the bar read from them', () => {
    const co = methodResult('co-interaction', samples([1, 1.2, 0.9, 1.1], [0.6, 0.5, 0.7, 0.6]), quality);
    const att = methodResult('attribution', samples([3, 2.8, 3.1, 0, 3.3], [1, 1.1, 0.9, 5, 1.2], [2, 2, 2, 0, 2]), quality);
    expect(att.withCitedItems).toBe(4);
    expect(att.comprehensiveness.scoreDrop.cited.mean).toBeCloseTo((3 + 2.8 + 3.1 + 3.3) / 4);
    expect(co.comprehensiveness.scoreDrop.ratio).toBeLessThan(2);
    const report = {
      kind: 'llmrec-explanations-eval' as const, v: 1 as const, dataset: 'd', split: 'loo', phase: 'test' as const, model: 'aligner (v)', protocol: 'p', users: 2, perUser: 2, samples: 10, minCoUsers: 5,
      methods: [co, att],
      attributionVsCoInteraction: { comprehensivenessScoreDrop: att.comprehensiveness.scoreDrop.paired, comprehensivenessRankDrop: att.comprehensiveness.rankDrop.paired, sufficiencyScoreDrop: att.sufficiency.scoreDrop.paired },
      bars: { citedVsRandom: { 'co-interaction': { ratio: co.comprehensiveness.scoreDrop.ratio, p: 0.001, met: false }, attribution: { ratio: att.comprehensiveness.scoreDrop.ratio, p: 0.001, met: true } }, attributionAtLeastCoInteraction: { attribution: 3, coInteraction: 1, met: true } },
      seconds: 1, machine: { cpus: 2, node: '20', note: '' }, command: 'c', createdAt: new Date(0).toISOString(),
    };
    const doc = EvalJson.parse(explanationsEvalJson(report, null));
    expect(doc.evaluation).toBe('explanation');
    expect(findRow(doc, { model: 'aligner', variant: 'attribution', metric: 'comprehensiveness-score-drop', protocol: 'eraser' })!.mean).toBeCloseTo(3.05);
    expect(findRow(doc, { model: 'aligner', variant: 'attribution-random', metric: 'comprehensiveness-score-drop', protocol: 'eraser' })!.mean).toBeCloseTo(1.05);
    expect(doc.comparisons.filter((c) => c.pairing === 'explanations').length).toBe(11);
    expect(doc.notes.join('\n')).toMatch(/co-interaction: .*NOT met/);
  });
});

// End to end on the trained ML-100K artifacts when present (`llmrec data` + `llmrec train`; not in CI).
const home = resolve(process.env.LLMREC_HOME ?? '.llmrec');
const ready = existsSync(join(home, 'artifacts', 'ml-100k', 'loo', 'manifest.json'));
describe.skipIf(!ready)('llmrec eval --explanations on ML-100K (5 users)', () => {
  it('measures both evidence methods against the model; attribution cites what moves the score', async () => {
    const ds = readDataset(join(home, 'datasets', 'ml-100k'));
    const { report } = await evaluateExplanations({ ds, split: readSplit(ds, 'loo'), model: 'aligner', home, maxUsers: 5, perUser: 3, samples: 4, machine: { cpus: 2, node: process.versions.node, note: 'test' }, command: 'test' });
    expect(report.users).toBe(5);
    const [co, att] = report.methods;
    expect(co!.explanations).toBe(15);
    // Removing what attribution cites lowers the score more than random subsets of the same size.
    expect(att!.comprehensiveness.scoreDrop.cited.mean).toBeGreaterThan(att!.comprehensiveness.scoreDrop.random.mean);
  }, 120_000);
});
