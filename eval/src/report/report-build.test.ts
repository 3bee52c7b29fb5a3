// The report's building blocks without training: figures and paired tests from cached runs, sections that say
// "not available" for missing inputs instead of showing numbers, and the Markdown / HTML printers (escaping,
// one data-report-* element per table and plot, a rendered SVG per plot).
import { LlmEvalRecord } from './llm-row.ts';
import { configMismatches, SasrecSeedsRecord } from './backbone-record.ts';
import { describe, expect, it } from 'vitest';
import { EVAL_JSON_VERSION, evalComparison, EvalJson, evalRow } from '../report.ts';
import { pairedTTest } from '../stats.ts';
import { newestDocs } from './external.ts';
import type { ReportInputs } from './inputs.ts';
import type { ReportDoc } from './model.ts';
import { renderHtml, renderMarkdown, renderPlots } from './render.ts';
import { compareRuns, figureOf, type RunRecord } from './run-record.ts';
import { buildSections } from './sections.ts';

function rec(model: string, trainingSeed: number | null, full: number, sampled: number[], perUser: number[]): RunRecord {
  return {
    v: 1, dataset: 'ml-100k', split: 'loo', model, trainingSeed, users: perUser.length,
    rows: [{ model, protocol: 'full', seed: null, users: perUser.length, metrics: { 'NDCG@10': full, 'HR@10': 2 * full } },
      ...sampled.map((v, i) => ({ model, protocol: 'sampled' as const, seed: i + 1, users: perUser.length, metrics: { 'NDCG@10': v, 'HR@10': 2 * v } }))],
    perUser: { 'NDCG@10': perUser, 'HR@10': perUser.map((x) => (x > 0 ? 1 : 0)) }, fitSeconds: 1, scoreSeconds: 2, command: `c ${model}`, commit: 'abc', createdAt: 'now',
  };
}

const base = [rec('itemknn', null, 0.05, [0.3, 0.32], [0, 0.5, 0, 0.2])];
const sas = [rec('sasrec', 1, 0.1, [0.5, 0.52], [1, 0.5, 0, 0.63]), rec('sasrec', 2, 0.12, [0.55, 0.5], [1, 0.63, 0.5, 0.2]), rec('sasrec', 3, 0.11, [0.5, 0.5], [0.5, 0.5, 0.2, 0.2])];

describe('report figures', () => {
  it('trained models: one value per training seed (sampled = mean over sampling seeds), CI over seeds', () => {
    const f = figureOf(sas, 'NDCG@10', 'full')!;
    expect(f.perSeed).toEqual([0.1, 0.12, 0.11]);
    expect(f.over).toBe('training seeds');
    expect(f.ci95!).toBeCloseTo((4.302653 * 0.01) / Math.sqrt(3), 5);
    expect(figureOf(sas, 'NDCG@10', 'sampled')!.perSeed).toEqual([0.51, 0.525, 0.5]);
    const b = figureOf(base, 'NDCG@10', 'sampled')!;
    expect(b).toMatchObject({ perSeed: [0.3, 0.32], over: 'sampling seeds' });
    expect(figureOf(base, 'NDCG@10', 'full')).toMatchObject({ mean: 0.05, ci95: null, over: 'none' });
  });

  it('comparison: paired t over users per training seed, largest p, mean d_z', () => {
    const c = compareRuns(sas, base, 'itemknn', 'NDCG@10')!;
    const ts = sas.map((r) => pairedTTest(r.perUser['NDCG@10']!, base[0]!.perUser['NDCG@10']!));
    expect(c.p).toBe(Math.max(...ts.map((t) => t.p)));
    expect(c.d).toBeCloseTo(ts.reduce((a, t) => a + t.d, 0) / 3, 12);
    expect(c.seeds).toBe(3);
  });
});

/** A modality-drop document as `llmrec eval --modality-drop` writes it: two models, the default and one variant. */
function dropDoc(createdAt: string, fusedDrop = 0.07): EvalJson {
  const rows = [];
  for (const [model, variant, v] of [['fused', 'default', 0.1], ['fused', 'text-missing-100%', fusedDrop], ['content', 'default', 0.05], ['content', 'text-missing-100%', 0.01]] as const) {
    for (const [metric, k] of [['NDCG@10', 1], ['HR@10', 2]] as const) rows.push(evalRow({ model, variant, metric, protocol: 'full', perSeed: [1, 2, 3].map((seed) => ({ seed, value: k * (v + seed / 1000) })), seedRole: 'mixed', n: 4, unit: 'users' }));
  }
  return EvalJson.parse({
    formatVersion: EVAL_JSON_VERSION, kind: 'llmrec-eval', evaluation: 'modality-drop', dataset: 'ml-100k', split: 'cold-items', phase: 'test', protocols: { full: 'among held-out items' }, ties: 'pessimistic', rows,
    comparisons: [evalComparison({ model: 'fused', variant: 'text-missing-100%', baseline: 'fused', baselineVariant: 'default', metric: 'NDCG@10', protocol: 'full', pairing: 'users' }, pairedTTest([0, 0.5, 0, 0.2], [1, 0.5, 0.3, 0.2]))],
    series: [], timing: [], machine: { cpus: 2, node: '20', note: 'test' }, command: 'llmrec eval --modality-drop', commit: 'abc', createdAt, notes: [],
  });
}

describe('other evaluations (EvalJson documents)', () => {
  const doc = dropDoc('2026-01-02');
  const inputs: ReportInputs = { datasets: ['ml-100k'], seeds: [1, 2, 3], missingModels: {}, runs: [], train: [], streaming: { ok: false, why: 'x' }, external: [{ doc, file: 'results/x.json' }], bench: {}, datasetNotes: {} };
  const s = buildSections(inputs).find((x) => x.id === 'modality-robustness')!;

  it('one row per model and variant with its figures, the paired test against the default and the source file', () => {
    const t = s.tables[0]!;
    expect(t.id).toBe('modality-ml-100k-cold-items');
    expect(t.columns.slice(0, 4)).toEqual(['model', 'variant', 'NDCG@10 (full)', 'HR@10 (full)']);
    expect(t.rows.map((r) => `${r[0]}/${r[1]}`)).toEqual(['fused/default', 'fused/text-missing-100%', 'content/default', 'content/text-missing-100%']);
    const drop = t.rows[1]!;
    expect(drop[2]).toBe('0.0720 ± 0.0025'); // mean of 0.071, 0.072, 0.073; t(2) 4.303 * 0.001 / sqrt(3)
    expect(drop[4]).toBe('fused/default');
    expect(drop[5]).toBe(fmtSignedRef(pairedTTest([0, 0.5, 0, 0.2], [1, 0.5, 0.3, 0.2]).meanDiff));
    expect(drop[6]).toMatch(/\(paired-t over 4 users\)$/);
    expect(t.rows[0]![4]).toBe('—'); // the baseline itself has no test
    expect(t.notes.join(' ')).toContain('`results/x.json`');
    expect(s.plots.map((p) => p.id)).toEqual(['modality-ml-100k-cold-items']);
    expect(s.unavailable).toEqual(['not available: published anchor: no published modality-drop figure on these splits and protocols']);
  });

  it('missing documents are said to be missing; a newer document of the same evaluation and models replaces the older', () => {
    const none = buildSections({ ...inputs, external: [] });
    for (const id of ['modality-robustness', 'explanation-quality']) {
      expect(none.find((x) => x.id === id)!.tables).toEqual([]);
      expect(none.find((x) => x.id === id)!.unavailable[0]).toMatch(/^not available: no (modality-drop|explanation) evaluation/);
    }
    const older = { doc: dropDoc('2026-01-01', 0.02), file: 'old.json' };
    const newer = { doc: dropDoc('2026-01-03', 0.03), file: 'new.json' };
    expect(newestDocs([older, newer, { doc, file: 'mid.json' }]).map((d) => d.file)).toEqual(['new.json']);
    const other = { doc: { ...doc, split: 'loo' }, file: 'loo.json' };
    expect(newestDocs([older, other]).map((d) => d.file)).toEqual(['old.json', 'loo.json']);
  });
});

const fmtSignedRef = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

describe('report sections and printers', () => {
  const inputs: ReportInputs = {
    datasets: ['ml-100k'], seeds: [1, 2, 3], missingModels: { fused: "model 'fused' is not registered" }, runs: [rec('popular', null, 0.04, [0.2], [0, 0, 0, 0.3]), ...base, ...sas],
    train: [], streaming: { ok: false, why: 'skipped (--no-streaming)' }, external: [], bench: { llm: { ok: false, why: 'no results/bench-llm.json' } }, datasetNotes: {},
  };
  const sections = buildSections(inputs);

  it('missing inputs are said to be missing, with the reason, never filled in', () => {
    const main = sections.find((s) => s.id === 'main')!.tables[0]!;
    expect(main.rows.find((r) => r[0]!.startsWith('fused'))![1]).toBe("not available: model 'fused' is not registered");
    expect(sections.find((s) => s.id === 'component-ablation')!.unavailable[0]).toBe('not available: skipped (--no-streaming)');
    expect(sections.find((s) => s.id === 'explanation-quality')!.tables).toEqual([]);
    const sasRow = main.rows.find((r) => r[0]!.startsWith('SASRec'))!;
    expect(sasRow[1]).toMatch(/^0\.1100 ± 0\.0248$/);
    expect(sasRow[5]).toBe('itemknn');
    // published anchors sit beside our rows with their source
    expect(main.rows.some((r) => r[0]!.includes('pmixer') && r[10]!.startsWith('source: '))).toBe(true);
  });

  it('"+ LLM" comes from the LLM evaluation record when one exists, with its source, and is not available otherwise', () => {
    const main = (inp: ReportInputs) => buildSections(inp).find((s) => s.id === 'main')!.tables[0]!;
    const llmLine = (t: ReturnType<typeof main>) => t.rows.find((r) => r[0]!.startsWith('+ LLM'))!;
    expect(llmLine(main(inputs))[1]).toMatch(/^not available: /);
    const stat = (mean: number) => ({ mean, ci95: 0.01, n: 943 });
    const record = LlmEvalRecord.parse({
      kind: 'llmrec-llm-eval', dataset: 'ml-100k', llm: '.llmrec/llm/stories260K-x', latentModel: 'aligner-abc', chosenWeightOnValid: 0.25, command: 'npx tsx eval/src/llm/llm-eval.ts --out results/llm-eval-ml-100k.json',
      test: { users: 943, llmOff: { ndcg10: stat(0.118), hr10: stat(0.22) }, llmOn: { w: 0.25, ndcg10: stat(0.1161), hr10: stat(0.2195) }, llmOnlyNdcg10: 0.068, pairedNdcg10OnMinusOff: { meanDiff: -0.0019, p: 0.04, d: -0.07 } },
    });
    const t = main({ ...inputs, llmEval: { 'ml-100k': { record, file: 'results/llm-eval-ml-100k.json' } } });
    const row = llmLine(t);
    expect(row.slice(1, 11)).toEqual(['0.1161 ± 0.0100', '0.2195 ± 0.0100', '', '', 'LLM off (aligner-abc)', '−0.0019', '0.040', '-0.07', 'one training; CI over users', 'results/llm-eval-ml-100k.json']);
    expect(t.notes.some((n) => n.includes('chosen: 0.25') && n.includes('stories260K'))).toBe(true);
  });

  it('the component ablation gets "− evidence soft tokens" and "− evidence" from the LLM evaluation record, paired against + LLM (full)', () => {
    const comp = (inp: ReportInputs) => buildSections(inp).find((s) => s.id === 'component-ablation')!;
    expect(comp(inputs).unavailable.some((u) => u.startsWith('not available: − evidence soft tokens, − evidence on ML-100K: no results/llm-eval-ml-100k.json'))).toBe(true);
    const stat = (mean: number) => ({ mean, ci95: 0.01, n: 943 });
    const variant = (w: number, nd: number, llmNd: number, hit1: number) => ({ chosenWeightOnValid: w, test: { ndcg10: stat(nd), hr10: stat(nd * 2), llmOnlyNdcg10: stat(llmNd), hit1Llm: stat(hit1) } });
    const paired = (meanDiff: number, p: number) => ({ meanDiff, p, d: meanDiff * 10 });
    const base = {
      kind: 'llmrec-llm-eval', dataset: 'ml-100k', llm: '.llmrec/llm/stories260K-x', latentModel: 'aligner-abc', chosenWeightOnValid: 0.05, command: 'npx tsx eval/src/llm/llm-eval.ts --evidence-ablation --out results/llm-eval-ml-100k.json',
      test: { users: 943, llmOff: { ndcg10: stat(0.118), hr10: stat(0.22) }, llmOn: { w: 0.05, ndcg10: stat(0.1191), hr10: stat(0.2382) }, llmOnlyNdcg10: 0.07, pairedNdcg10OnMinusOff: { meanDiff: 0.001, p: 0.3, d: 0.03 } },
      protocol: { prompt: 'evidence never cut; 12 prompts did not fit' },
    };
    const withoutAblation = LlmEvalRecord.parse(base);
    expect(comp({ ...inputs, llmEval: { 'ml-100k': { record: withoutAblation, file: 'results/llm-eval-ml-100k.json' } } }).unavailable.some((u) => u.includes('written without --evidence-ablation'))).toBe(true);
    const record = LlmEvalRecord.parse({
      ...base,
      ablation: {
        variants: { full: { ...variant(0.05, 0.1191, 0.07, 0.04), test: { ...variant(0.05, 0.1191, 0.07, 0.04).test, hit1Llm: { mean: 0.04, ci95: 0.01, n: 921 } } }, 'no-evidence-tokens': variant(0, 0.118, 0.066, 0.05), 'no-evidence': variant(0.1, 0.1172, 0.061, 0.03) },
        paired: { 'no-evidence-tokens': { ndcg10Fused: paired(-0.0011, 0.2), llmOnlyNdcg10: paired(-0.004, 0.0004), hit1Llm: paired(0.01, 0.3) }, 'no-evidence': { ndcg10Fused: paired(-0.0019, 0.04), llmOnlyNdcg10: paired(-0.009, 0.01), hit1Llm: paired(-0.01, 0.5) } },
      },
    });
    const c = comp({ ...inputs, llmEval: { 'ml-100k': { record, file: 'results/llm-eval-ml-100k.json' } } });
    const t = c.tables.find((x) => x.id === 'component-evidence-ml-100k')!;
    expect(t.rows.map((r) => r[0])).toEqual(['+ LLM (full: KV evidence text + soft evidence tokens, as the edge sends it)', '− evidence soft tokens (same evidence text)', '− evidence (no KV evidence in the prompt)']);
    expect(t.rows[0]!.slice(1, 7)).toEqual(['0.05', '0.1191 ± 0.0100', '0.2382 ± 0.0100', '—', '—', '—']);
    expect(t.rows[1]!.slice(1, 10)).toEqual(['0', '0.1180 ± 0.0100', '0.2360 ± 0.0100', '−0.0011', '0.200', '-0.01', '0.0660 ± 0.0100 (−0.0040, p 4.0e-4)', '0.0500 ± 0.0100 (+0.0100, p 0.300)', 'one training; CI over users']);
    expect(t.rows[2]!.slice(4, 7)).toEqual(['−0.0019', '0.040', '-0.02']);
    expect(t.rows[0]![8]).toBe('0.0400 ± 0.0100; 921 of 943 users ranked');
    expect(t.notes[0]).toContain(record.command);
    expect(t.notes.join(' ')).toContain('12 prompts did not fit');
    expect(c.unavailable.some((u) => u.includes('evidence'))).toBe(false);
    // efficiency: prompt length with and without the evidence, from the same record
    const withPrompt = LlmEvalRecord.parse({ ...record, ablation: { ...record.ablation!, variants: { ...record.ablation!.variants,
      full: { ...record.ablation!.variants.full, prompt: { test: { calls: 1250, meanPositions: 452.2, maxPositions: 490 } } },
      'no-evidence': { ...record.ablation!.variants['no-evidence'], prompt: { test: { calls: 1250, meanPositions: 218.6, maxPositions: 290 } } } } } });
    const eff = buildSections({ ...inputs, llmEval: { 'ml-100k': { record: withPrompt, file: 'results/llm-eval-ml-100k.json' } } }).find((x) => x.id === 'efficiency')!.tables.find((x) => x.id === 'efficiency-serving')!;
    const lens = eff.rows.filter((r) => r[0]!.startsWith('LLM prompt length'));
    expect(lens.map((r) => r[1])).toEqual(['452 positions (max 490)', '219 positions (max 290)']);
    expect(lens[0]![0]).toContain('as the edge sends it');
  });

  it('Markdown and HTML carry every table and plot; text is escaped', async () => {
    const doc: ReportDoc = { title: 'T <x>', createdAt: 'now', command: 'llmrec report', commit: 'abc', machine: 'm', quick: true, datasets: ['ML-100K'], seeds: [1, 2, 3], sections };
    await renderPlots(doc);
    const plots = sections.flatMap((s) => s.plots);
    expect(plots.map((p) => p.id)).toContain('main-ndcg');
    for (const p of plots) expect(p.svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    const html = renderHtml(doc);
    expect(html).toContain('<h1>T &lt;x&gt;</h1>');
    for (const t of sections.flatMap((s) => s.tables)) expect(html.split(`data-report-table="${t.id}"`).length).toBe(2);
    for (const p of plots) expect(html).toContain(`<figure data-report-plot="${p.id}"><svg`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const md = renderMarkdown(doc, (id) => `plots/${id}.svg`);
    expect(md).toContain('![Full-ranking NDCG@10');
    expect(md).toContain('> not available: skipped (--no-streaming)');
  });
});

describe('SASRec seeds records (--backbone-records)', () => {
  const run = (seed: number, full: number, device = 'cuda', stoppedByTime = false) => ({
    name: `r${seed}`, seed, config: { lr: 0.0005, patience: 10, neg_samples: 0, side: 'title-words', seed, max_seconds: 400 }, device, torch: '2.11', seconds: 400, cpuSeconds: 390,
    epochsRun: 60 + seed, secPerEpoch: 2.6, stoppedByTime, bestValidNdcg10: 0.078, validCurve: [{ epoch: 2, value: 0.04 }, { epoch: 4, value: 0.05 }],
    test: { full: { ndcg10: full, hr10: 2 * full, users: 4 }, sampled: { ndcg10: 5 * full, hr10: 7 * full, users: 4 } },
  });
  const record = SasrecSeedsRecord.parse({
    kind: 'llmrec-sasrec-seeds', v: 1, dataset: 'games', split: 'loo', machine: 'one H200', command: 'python3 -m experiments.sasrec_sweep ...', commit: '0123456789abcdef', createdAt: 'now',
    runs: [run(2, 0.071, 'cuda', true), run(1, 0.07), run(3, 0.072, 'cuda', true)],
  });
  const knn = { ...base[0]!, dataset: 'games' };
  const inputs: ReportInputs = { datasets: ['games'], seeds: [1, 2, 3], missingModels: {}, runs: [knn], train: [], streaming: { ok: false, why: 'x' }, external: [], bench: {}, datasetNotes: { games: ['not trained here'] } };
  const main = (inp: ReportInputs) => buildSections(inp).find((s) => s.id === 'main')!;

  it('the SASRec row holds the mean ± t-CI over the record\'s seeds, says it has no paired test, and the note names machine, device and capped seeds', () => {
    const m = main({ ...inputs, backbones: { games: { record, file: 'results/sasrec-games-default-seeds.json' } } });
    const row = m.tables[0]!.rows.find((r) => r[0]!.startsWith('SASRec'))!;
    expect(row[1]).toBe(`0.0710 ± ${((4.302653 * 0.001) / Math.sqrt(3)).toFixed(4)}`);
    expect(row[2]).toBe('0.1420 ± 0.0050');
    expect(row[3]).toBe('0.3550 ± 0.0124');
    expect(row[6]).toBe('+0.0210'); // 0.071 - item-kNN 0.05 (difference of means)
    expect(row[7]).toBe('no per-user record');
    expect(row[9]).toBe('training 1,2,3 (record)');
    const note = m.tables[0]!.notes.find((n) => n.includes('results/sasrec-games-default-seeds.json'))!;
    expect(note).toContain('machine: one H200');
    expect(note).toContain('device cuda (torch 2.11)');
    expect(note).toContain('seeds 2, 3 stopped by the run\'s time cap');
    expect(note).toContain('0.0700 / 0.0710 / 0.0720'); // per seed, in seed order
    // the other trained rows say why they are missing
    expect(m.tables[0]!.rows.find((r) => r[0]!.startsWith('fused ('))![1]).toBe('not available: not trained here');
    const curves = m.plots.find((p) => p.id === 'sasrec-validation');
    expect(JSON.stringify(curves!.spec)).toContain('seed 3 (record, cuda)');
  });

  it('pipelines trained on the record\'s checkpoints (--backbone-runs): SASRec row from this report\'s runs with a paired test, training table leaves the other machine\'s seconds out', () => {
    const sasG = sas.map((r) => ({ ...r, dataset: 'games' }));
    const train = [1, 2, 3].map((seed) => ({ v: 1 as const, dataset: 'games', seed, key: `k${seed}`, config: {}, secPerEpoch: 2.6, epochs: 62, stepSeconds: {}, timings: { sasrec: 426, aligner: 300, fusion: 100, export: 5, pq: 40 },
      validNdcg10: [], bestValidNdcg10: null, stoppedByTime: false, sasrecCpuSeconds: null, command: 'c', commit: 'abc', createdAt: 'now', sasrecFrom: `/runs/r${seed}` }));
    const inp = { ...inputs, runs: [knn, ...sasG], train, backbones: { games: { record, file: 'results/sasrec-games-default-seeds.json' } } };
    const row = main(inp).tables[0]!.rows.find((r) => r[0]!.startsWith('SASRec'))!;
    expect(row[7]).not.toBe('no per-user record'); // the paired test over users of this report's evaluation
    expect(row[9]).toBe('training 1,2,3');
    const eff = buildSections(inp).find((s) => s.id === 'efficiency')!.tables.find((t) => t.id === 'efficiency-training')!;
    expect(eff.rows[0]![1]).toContain('seeds record');
    expect(eff.rows[0]![4]).toBe('445 s / 445 s / 445 s (aligner + fusion + export + PQ)');
  });

  it('a record that does not match the default config is refused, with the key that differs', () => {
    expect(configMismatches(record, { lr: 0.0005, patience: 10, neg_samples: 0, side: 'title-words', max_seconds: 18000 })).toEqual([]);
    expect(configMismatches(record, { lr: 0.002, patience: 10 })).toEqual(['r2: lr = 0.0005, default 0.002', 'r1: lr = 0.0005, default 0.002', 'r3: lr = 0.0005, default 0.002']);
    const m = main({ ...inputs, backbones: { games: { why: 'stale record' } } });
    expect(m.tables[0]!.rows.find((r) => r[0]!.startsWith('SASRec'))![1]).toBe('not available: stale record');
  });
});

describe('loss ablation of the fusion step', () => {
  const fusedRuns = sas.map((r) => ({ ...r, model: 'fused' }));
  const noCon = [rec('fused-no-contrastive', 1, 0.09, [0.5], [0.5, 0.5, 0, 0.63]), rec('fused-no-contrastive', 2, 0.1, [0.5], [1, 0.5, 0.5, 0.2]), rec('fused-no-contrastive', 3, 0.1, [0.5], [0.5, 0.2, 0.2, 0.2])];
  const inputs: ReportInputs = { datasets: ['ml-100k'], seeds: [1, 2, 3], missingModels: {}, runs: [...fusedRuns, ...noCon], train: [], streaming: { ok: false, why: 'x' }, external: [], bench: {}, datasetNotes: {} };

  it('− contrastive: its runs against the fused ones, paired per training seed; margin says why it has no row', () => {
    const loss = buildSections(inputs).find((s) => s.id === 'loss-ablation')!;
    const t = loss.tables.find((x) => x.id === 'loss-contrastive-ml-100k')!;
    const c = compareRuns(noCon, fusedRuns, 'fused', 'NDCG@10')!;
    expect(t.rows[1]![1]).toBe(`0.0967 ± ${((4.302653 * Math.sqrt(((0.09 - 0.29 / 3) ** 2 + 2 * (0.1 - 0.29 / 3) ** 2) / 2)) / Math.sqrt(3)).toFixed(4)}`);
    expect(t.rows[1]![3]).toBe(fmtSignedRef(c.meanDiff));
    expect(c.meanDiff).toBeLessThan(0);
    expect(t.rows[0]![1]).toBe('0.1100 ± 0.0248');
    expect(loss.unavailable.some((u) => u.startsWith('not available: − margin: the method has no margin term'))).toBe(true);
    const none = buildSections({ ...inputs, runs: fusedRuns }).find((s) => s.id === 'loss-ablation')!;
    expect(none.tables.find((x) => x.id === 'loss-contrastive-ml-100k')).toBeUndefined();
    expect(none.unavailable).toEqual(expect.arrayContaining([expect.stringMatching(/^not available: − contrastive: no fusion run without the contrastive term/)]));
  });
});

describe('efficiency: benchmark records', () => {
  it('the LLM rows read the keys bench/llm.ts writes', () => {
    const metrics = { rerank20_p50: { value: 41, unit: 'ms' }, rerank20_p99: { value: 90, unit: 'ms' }, explain_llm_top1_p50: { value: 120, unit: 'ms' }, explain_template_top1_p50: { value: 12, unit: 'ms' } };
    const inputs: ReportInputs = { datasets: [], seeds: [1], missingModels: {}, runs: [], train: [], streaming: { ok: false, why: 'x' }, external: [], bench: { llm: { ok: true, value: { suite: 'llm', startedAt: 'then', file: 'results/bench-llm.json', metrics } } }, datasetNotes: {} };
    const t = buildSections(inputs).find((s) => s.id === 'efficiency')!.tables.find((x) => x.id === 'efficiency-serving')!;
    const row = (label: string) => t.rows.find((r) => r[0]!.startsWith(label))!;
    expect(row('LLM: re-rank the latent top 20, p50')[1]).toBe('41 ms');
    expect(row('LLM: re-rank the latent top 20, p99')[1]).toBe('90 ms');
    expect(row('explanation of the top item with an LLM-written rationale')[1]).toBe('120 ms');
  });
});
