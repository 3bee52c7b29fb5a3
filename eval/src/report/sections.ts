// The report's sections (issue 15): main table, component and loss ablations, modality robustness, cold start,
// explanation quality, efficiency — each built from the cached inputs; a part whose input is missing says so
// ("not available: <why>") instead of showing anything typed in.
import { findRow, type EvalJson } from '../report.ts';
import { anchorsFor } from './anchors.ts';
import { backboneFigures, backboneNote } from './backbone-record.ts';
import { externalPlot, externalTable, type MetricColumn } from './external.ts';
import { barChart, lineChart, type BarDatum, type LineDatum } from './charts.ts';
import { fmtFigure, fmtP, fmtSigned, notAvailable } from './format.ts';
import { evidenceAblationTable, llmRow } from './llm-row.ts';
import type { ReportInputs, TrainRecord } from './inputs.ts';
import type { Plot, Section, Table } from './model.ts';
import { compareRuns, figureOf, type Figure, type RunRecord } from './run-record.ts';

export interface Method {
  model: string;
  label: string;
  /** Evaluated once per training seed (otherwise once: no trained part). */
  trained: boolean;
  /** The row it is tested against (paired t over users). */
  baseline?: string;
  /** Work package that provides it, for the "not available" line. */
  from?: string;
}

export const METHODS: Method[] = [
  { model: 'popular', label: 'most popular', trained: false },
  { model: 'itemknn', label: 'item-kNN (cosine)', trained: false, baseline: 'popular' },
  { model: 'sasrec', label: 'SASRec (ours, CE)', trained: true, baseline: 'itemknn' },
  // since the fusion step the shipped item latents are the fused ones: `aligner` (z_u · shipped latents) would be
  // the fused row again, so the base aligner is measured on its own CF latents (before fusion)
  { model: 'aligner-cf', label: 'base aligner `z_u · z_i` (CF latents, before fusion)', trained: true, baseline: 'sasrec' },
  { model: 'fused', label: 'fused (multimodal content + CF; what the worker serves)', trained: true, baseline: 'sasrec', from: 'fusion' },
  { model: 'aligner-pq', label: 'fused latents over PQ codes (what the edge decodes)', trained: true, baseline: 'fused' },
  { model: 'llm', label: '+ LLM (soft tokens, fused score)', trained: true, baseline: 'fused', from: 'explain' },
];

const DATASET_LABEL: Record<string, string> = { 'ml-100k': 'ML-100K', beauty: 'Amazon Beauty (S3-Rec files)', games: 'Amazon Games (RecBole files)' };
export const datasetLabel = (d: string) => DATASET_LABEL[d] ?? d;

function runsOf(inp: ReportInputs, dataset: string, split: string, model: string): RunRecord[] {
  return inp.runs.filter((r) => r.dataset === dataset && r.split === split && r.model === model).sort((a, b) => (a.trainingSeed ?? -1) - (b.trainingSeed ?? -1));
}

const seedsCell = (runs: RunRecord[]) => (runs.length === 1 && runs[0]!.trainingSeed === null ? 'no training (sampling seeds ' + runs[0]!.rows.filter((r) => r.protocol === 'sampled').map((r) => r.seed).join(',') + ')' : `training ${runs.map((r) => r.trainingSeed).join(',')}`);
const commitCell = (runs: RunRecord[]) => [...new Set(runs.map((r) => (r.commit ?? 'unknown').slice(0, 10)))].join(', ');

/** One ranking table (main table or cold start) for a dataset and split. */
/** One line per model: its eval command and, for trained models, the training seeds and artifact keys it ran on. */
function commandNote(runs: RunRecord[]): string {
  const base = runs[0]!.command.replace(/ \(artifacts of training seed .*\)$/, '');
  const trained = runs.filter((r) => r.trainingSeed !== null);
  if (!trained.length) return `\`${base}\``;
  const keys = trained.map((r) => `${r.trainingSeed}: ${r.command.match(/key ([0-9a-f]+)/)?.[1] ?? '?'}`);
  return `\`${base}\` on the artifacts of training seeds ${keys.join(', ')}`;
}

function rankingTable(inp: ReportInputs, dataset: string, split: string, id: string, title: string, methods: Method[]): { table: Table; bars: BarDatum[]; commands: Set<string> } {
  const rows: string[][] = [];
  const bars: BarDatum[] = [];
  const commands = new Set<string>();
  const notes: string[] = [];
  for (const m of methods) {
    const bar = (f: Figure): BarDatum => ({ group: datasetLabel(dataset), series: m.label.replace(/`/g, ''), mean: f.mean, lo: f.mean - (f.ci95 ?? 0), hi: f.mean + (f.ci95 ?? 0) });
    const runs = runsOf(inp, dataset, split, m.model);
    const llm = m.model === 'llm' && split === 'loo' ? inp.llmEval?.[dataset] : undefined;
    if (!runs.length && llm) {
      const r = llmRow(m.label, llm.record, llm.file);
      rows.push(r.row);
      notes.push(r.note);
      continue;
    }
    const bb = m.model === 'sasrec' && split === 'loo' ? inp.backbones?.[dataset] : undefined;
    if (!runs.length && bb) {
      if ('why' in bb) {
        rows.push([m.label, notAvailable(bb.why), '', '', '', '', '', '', '', '', '']);
        continue;
      }
      const f = backboneFigures(bb.record);
      const knn = m.baseline ? figureOf(runsOf(inp, dataset, split, m.baseline), 'NDCG@10', 'full') : undefined;
      rows.push([m.label, fmtFigure(f.ndcgFull), fmtFigure(f.hrFull), fmtFigure(f.ndcgSampled), fmtFigure(f.hrSampled),
        m.baseline ?? '—', knn ? fmtSigned(f.ndcgFull.mean - knn.mean) : '—', 'no per-user record', '—', `training ${bb.record.runs.map((r) => r.seed).sort((a, b) => a - b).join(',')} (record)`, bb.file]);
      notes.push(backboneNote(m.label, bb.record, bb.file));
      bars.push(bar(f.ndcgFull));
      continue;
    }
    if (!runs.length) {
      const why = (m.model === 'llm' && split === 'loo' ? `no LLM re-rank record results/llm-eval-${dataset}.json (eval/src/llm/llm-eval.ts, with projectors trained for this dataset)` : undefined) ?? inp.missingModels[m.model] ?? (m.trained && inp.datasetNotes[dataset]?.length ? inp.datasetNotes[dataset]!.join('; ') : 'no run in the report cache');
      rows.push([m.label, notAvailable(why), '', '', '', '', '', '', '', '', '']);
      continue;
    }
    commands.add(commandNote(runs));
    const f = (metric: string, p: 'full' | 'sampled') => figureOf(runs, metric, p);
    const nd = f('NDCG@10', 'full');
    const base = m.baseline ? runsOf(inp, dataset, split, m.baseline) : [];
    const c = m.baseline ? compareRuns(runs, base, m.baseline, 'NDCG@10') : undefined;
    rows.push([m.label, fmtFigure(nd), fmtFigure(f('HR@10', 'full')), fmtFigure(f('NDCG@10', 'sampled')), fmtFigure(f('HR@10', 'sampled')),
      m.baseline ?? '—', c ? fmtSigned(c.meanDiff) : '—', c ? fmtP(c.p) : '—', c ? c.d.toFixed(2) : '—', seedsCell(runs), commitCell(runs)]);
    if (nd) bars.push(bar(nd));
  }
  return {
    table: {
      id, title,
      columns: ['method', 'NDCG@10 full', 'HR@10 full', 'NDCG@10 sampled-100', 'HR@10 sampled-100', 'vs', 'Δ NDCG@10 full', 'p', 'd_z', 'seeds', 'commit'],
      rows,
      notes: [
        'Cells: mean ± 95% CI half-width (Student t) over training seeds for trained models; models without a trained part have one deterministic full-ranking figure and their sampled figures over the sampling seeds. Sampled figures of trained models: per training seed the mean over sampling seeds.',
        'vs / Δ / p / d_z: paired t-test over users on full-ranking NDCG@10 against the named row, one test per training seed (against the same seed of the baseline); p is the largest of them, Δ and Cohen\'s d_z their means.',
        ...notes,
      ],
    },
    bars, commands,
  };
}

function mainSection(inp: ReportInputs): Section {
  const s: Section = { id: 'main', title: 'Main table: full ranking (primary) and sampled, HR/NDCG@10', intro: [
    'Leave-one-out test (last item of each user; the second-last is validation). Full ranking ranks the target against every item except the user\'s input history; sampled ranks it against 100 seeded negatives the user never interacted with. Ties are pessimistic; a NaN score ranks last.',
  ], tables: [], plots: [], unavailable: [] };
  const bars: BarDatum[] = [];
  for (const d of inp.datasets) {
    const r = rankingTable(inp, d, 'loo', `main-${d}`, `${datasetLabel(d)} — leave-one-out test`, METHODS);
    const dyn = inp.streaming.ok ? 'evaluated on the streaming split only (ML-100K): see "Component ablation"' : inp.streaming.why;
    r.table.rows.push(['+ dynamic (online adapters)', notAvailable(`leave-one-out has no online stream; ${dyn}`), '', '', '', '', '', '', '', '', '']);
    for (const a of anchorsFor(d)) {
      const full = a.protocol === 'full';
      r.table.rows.push([`*${a.method}*`, full && a.ndcg10 !== undefined ? `*${a.ndcg10.toFixed(4)}*` : '', full && a.hr10 !== undefined ? `*${a.hr10.toFixed(4)}*` : '', !full && a.ndcg10 !== undefined ? `*${a.ndcg10.toFixed(4)}*` : '', !full && a.hr10 !== undefined ? `*${a.hr10.toFixed(4)}*` : '', '', '', '', '', 'published / outside figure', `source: ${a.source}`]);
    }
    r.table.notes.push(`Commands: ${[...r.commands].join('; ') || 'none'}. Rows in italics are figures from elsewhere (protocol as in their column; source in the last cell).`);
    const spread = METHODS.filter((m) => m.trained).map((m) => ({ m, f: figureOf(runsOf(inp, d, 'loo', m.model), 'NDCG@10', 'full') })).filter((x) => x.f && x.f.perSeed.length > 1);
    if (spread.length) r.table.notes.push(`Run-to-run spread (full NDCG@10 per training seed, max − min): ${spread.map(({ m, f }) => `${m.model} ${f!.perSeed.map((v) => v.toFixed(4)).join(' / ')} (${(Math.max(...f!.perSeed) - Math.min(...f!.perSeed)).toFixed(4)})`).join('; ')}. Source here: the training seed of every step (initialisation, dropout masks, batch order, sampled negatives; one CPU thread per step). Issue 14.15 saw one seed give 0.1182 and 0.1086 on two machines of the same kind (thread scheduling / BLAS rounding), so a single run is a draw from this spread, not a measure.`);
    for (const n of inp.datasetNotes[d] ?? []) r.table.notes.push(n);
    s.tables.push(r.table);
    bars.push(...r.bars);
  }
  if (bars.length) s.plots.push({ id: 'main-ndcg', title: 'Full-ranking NDCG@10 per dataset and method (whiskers: 95% CI over training seeds)', spec: barChart(bars, { title: 'NDCG@10, full ranking', yTitle: 'NDCG@10', groupTitle: 'dataset' }) });
  const curves: LineDatum[] = inp.train.flatMap((t) => t.validNdcg10.map((p) => ({ series: `${datasetLabel(t.dataset)} seed ${t.seed}`, x: p.epoch, y: p.value })));
  for (const [d, bb] of Object.entries(inp.backbones ?? {})) {
    if ('why' in bb) continue;
    for (const r of bb.record.runs) curves.push(...r.validCurve.map((p) => ({ series: `${datasetLabel(d)} seed ${r.seed} (record, ${r.device})`, x: p.epoch, y: p.value })));
  }
  if (curves.length) s.plots.push({ id: 'sasrec-validation', title: 'SASRec validation NDCG@10 (full ranking) per epoch, per dataset and training seed (early stopping picks the best)', spec: lineChart(curves, { title: 'SASRec validation NDCG@10', xTitle: 'epoch', yTitle: 'valid NDCG@10' }) });
  return s;
}

/** Rows of the streaming table (static, dynamic and variants) in the ablation sections. */
function streamingRows(doc: EvalJson, variants: { variant: string; label: string }[]): { rows: string[][]; bars: BarDatum[] } {
  const rows: string[][] = [];
  const bars: BarDatum[] = [];
  for (const v of variants) {
    const model = v.variant === 'static' ? 'static' : 'dynamic';
    const variant = v.variant === 'static' || v.variant === 'dynamic' ? 'default' : v.variant;
    const nd = findRow(doc, { model, variant, metric: 'NDCG@10', protocol: 'streaming-full' });
    const hr = findRow(doc, { model, variant, metric: 'HR@10', protocol: 'streaming-full' });
    if (!nd || !hr) {
      rows.push([v.label, notAvailable(`variant ${v.variant} is not in the streaming run`), '', '', '', '']);
      continue;
    }
    const cs = doc.comparisons.find((c) => c.model === model && c.variant === variant && c.pairing === 'seeds');
    const ce = doc.comparisons.find((c) => c.model === model && c.variant === variant && c.pairing === 'events');
    rows.push([v.label, fmtFigure({ ...nd, perSeed: [], over: 'none' }), fmtFigure({ ...hr, perSeed: [], over: 'none' }), cs ? fmtSigned(cs.meanDiff) : '—', cs ? fmtP(cs.p) : '—', ce ? `${fmtP(ce.p)} (d_z ${ce.effectSize.value?.toFixed(2) ?? '∞'})` : '—']);
    bars.push({ group: 'streaming', series: v.label, mean: nd.mean, lo: nd.mean - (nd.ci95 ?? 0), hi: nd.mean + (nd.ci95 ?? 0) });
  }
  return { rows, bars };
}

const STREAM_COLUMNS = ['variant', 'NDCG@10 (mean ± 95% CI over adapter seeds)', 'HR@10', 'Δ NDCG@10 vs static', 'p (paired t over seeds)', 'p (paired t over events)'];

function ablationSections(inp: ReportInputs): Section[] {
  const comp: Section = { id: 'component-ablation', title: 'Component ablation', intro: ['Online dynamic alignment on the ML-100K streaming split: 70% of events (time order) pre-train the frozen base; the rest are replayed in 1-hour windows, each window predicted (full ranking, seen items excluded) before the adapters may learn from it.'], tables: [], plots: [], unavailable: [] };
  const loss: Section = { id: 'loss-ablation', title: 'Loss ablation', intro: ['Online adapters: the streaming protocol above, one term of the adapters\' loss removed at a time. Fusion step: each training seed\'s fusion retrained without its contrastive term, on the leave-one-out test (warm items: the contrastive term aligns the modalities with each other, which matters most for items scored from content alone, i.e. the cold-item protocol, not run for this ablation).'], tables: [], plots: [], unavailable: [] };
  if (!inp.streaming.ok) {
    comp.unavailable.push(notAvailable(inp.streaming.why));
    loss.unavailable.push(notAvailable(inp.streaming.why));
  } else {
    const doc = inp.streaming.value;
    const c = streamingRows(doc, [{ variant: 'static', label: '− dynamic (frozen base, static)' }, { variant: 'dynamic', label: 'full dynamic alignment' }, { variant: 'no-gate', label: '− gate' }]);
    comp.tables.push({ id: 'component-ablation', title: `Components, ${doc.protocols['streaming-full'] ?? ''}`, columns: STREAM_COLUMNS, rows: c.rows, notes: [`Command: \`${doc.command}\` (commit ${doc.commit ?? 'unknown'}). ${doc.notes.join('; ')}`] });
    comp.plots.push({ id: 'component-ablation', title: 'Streaming NDCG@10 per variant (whiskers: 95% CI over adapter seeds)', spec: barChart(c.bars, { title: 'Component ablation (streaming NDCG@10)', yTitle: 'NDCG@10', groupTitle: '' }) });
    const l = streamingRows(doc, [{ variant: 'dynamic', label: 'all terms' }, { variant: 'no-distill', label: '− distillation' }, { variant: 'no-ewc', label: '− EWC' }, { variant: 'no-replay', label: '− replay' }]);
    loss.tables.push({ id: 'loss-ablation', title: 'Loss terms of the online adapters', columns: STREAM_COLUMNS, rows: l.rows, notes: [`Command: \`${doc.command}\`.`] });
    loss.plots.push({ id: 'loss-ablation', title: 'Streaming NDCG@10 without each loss term (whiskers: 95% CI over adapter seeds)', spec: barChart(l.bars, { title: 'Loss ablation (streaming NDCG@10)', yTitle: 'NDCG@10', groupTitle: '' }) });
  }
  // − multimodal fusion: the fused model against the base aligner it refines, same training seeds, leave-one-out
  for (const d of inp.datasets) {
    const fused = runsOf(inp, d, 'loo', 'fused');
    const aligner = runsOf(inp, d, 'loo', 'aligner-cf');
    if (!fused.length || !aligner.length) {
      comp.unavailable.push(notAvailable(`− multimodal fusion on ${datasetLabel(d)}: ${fused.length ? 'no base aligner run' : 'no fused run'} in this report`));
      continue;
    }
    const rows: string[][] = [];
    const c = compareRuns(aligner, fused, 'fused', 'NDCG@10');
    const ch = compareRuns(aligner, fused, 'fused', 'HR@10');
    rows.push(['fused (CF + multimodal content)', fmtFigure(figureOf(fused, 'NDCG@10', 'full')), fmtFigure(figureOf(fused, 'HR@10', 'full')), '—', '—', '—', seedsCell(fused)]);
    rows.push(['− multimodal fusion (base aligner `z_u · z_i`, CF latents)', fmtFigure(figureOf(aligner, 'NDCG@10', 'full')), fmtFigure(figureOf(aligner, 'HR@10', 'full')), c ? fmtSigned(c.meanDiff) : '—', c ? fmtP(c.p) : '—', c ? c.d.toFixed(2) : '—', seedsCell(aligner)]);
    comp.tables.push({ id: `component-fusion-${d}`, title: `− multimodal fusion, ${datasetLabel(d)} leave-one-out test (full ranking)`, columns: ['variant', 'NDCG@10 full', 'HR@10 full', 'Δ NDCG@10 vs fused', 'p (paired t over users, largest over seeds)', 'd_z', 'seeds'], rows, notes: [`HR@10: Δ ${ch ? fmtSigned(ch.meanDiff) : '—'}, p ${ch ? fmtP(ch.p) : '—'}. Same runs as the main table (commands there).`] });
  }
  // − evidence soft tokens / − evidence: the LLM evaluation's --evidence-ablation block (projectors exist for ML-100K only)
  for (const d of inp.datasets) {
    const llm = inp.llmEval?.[d];
    if (!llm) {
      comp.unavailable.push(notAvailable(`− evidence soft tokens, − evidence on ${datasetLabel(d)}: no results/llm-eval-${d}.json (the LLM projectors are trained for ML-100K only; \`npx tsx eval/src/llm/llm-eval.ts --evidence-ablation\` writes it)`));
      continue;
    }
    const { record } = llm;
    if (!record.ablation) {
      comp.unavailable.push(notAvailable(`− evidence soft tokens, − evidence on ${datasetLabel(d)}: ${llm.file} was written without --evidence-ablation`));
      continue;
    }
    const t = evidenceAblationTable(datasetLabel(d), { ...record, ablation: record.ablation }, llm.file);
    comp.tables.push({ id: `component-evidence-${d}`, title: `− evidence soft tokens, − evidence: the LLM re-rank, ${datasetLabel(d)} leave-one-out test (full ranking, top-20 re-ranked)`, ...t });
  }
  // − contrastive: the fusion step retrained without its contrastive term (same SASRec and aligner), leave-one-out
  for (const d of inp.datasets) {
    const fused = runsOf(inp, d, 'loo', 'fused');
    const noCon = runsOf(inp, d, 'loo', 'fused-no-contrastive');
    if (!noCon.length) continue;
    const c = compareRuns(noCon, fused, 'fused', 'NDCG@10');
    const ch = compareRuns(noCon, fused, 'fused', 'HR@10');
    const rows = [
      ['all terms (ranking + distillation + contrastive)', fmtFigure(figureOf(fused, 'NDCG@10', 'full')), fmtFigure(figureOf(fused, 'HR@10', 'full')), '—', '—', '—', fused.length ? seedsCell(fused) : '—'],
      ['− contrastive (w_con = 0)', fmtFigure(figureOf(noCon, 'NDCG@10', 'full')), fmtFigure(figureOf(noCon, 'HR@10', 'full')), c ? fmtSigned(c.meanDiff) : '—', c ? fmtP(c.p) : '—', c ? c.d.toFixed(2) : '—', seedsCell(noCon)],
    ];
    loss.tables.push({ id: `loss-contrastive-${d}`, title: `Loss terms of the fusion step, ${datasetLabel(d)} leave-one-out test (full ranking)`, columns: ['variant', 'NDCG@10 full', 'HR@10 full', 'Δ NDCG@10 vs all terms', 'p (paired t over users, largest over seeds)', 'd_z', 'seeds'], rows,
      notes: [`HR@10: Δ ${ch ? fmtSigned(ch.meanDiff) : '—'}, p ${ch ? fmtP(ch.p) : '—'}. Each training seed's fusion step retrained with the contrastive term off (its SASRec and aligner reused), evaluated as the main table's fused row. Commands: ${commandNote(noCon)}.`] });
  }
  if (!loss.tables.some((t) => t.id.startsWith('loss-contrastive-'))) loss.unavailable.push(notAvailable('− contrastive: no fusion run without the contrastive term in this report (ML-100K pipelines only; --no-loss-ablation skips it)'));
  loss.unavailable.push(notAvailable('− margin: the method has no margin term to remove (adapters: BPR ranking loss + distillation + EWC; fusion: ranking + distillation + contrastive; aligner: ranking + distillation + match)'));
  return [comp, loss];
}

const NDCG_FULL: MetricColumn = { metric: 'NDCG@10', protocol: 'full' };
const RANK_COLUMNS: MetricColumn[] = [NDCG_FULL, { metric: 'HR@10', protocol: 'full' }, { metric: 'NDCG@10', protocol: 'all-items' }, { metric: 'HR@10', protocol: 'all-items' }];

const docLabel = (d: EvalJson) => `${datasetLabel(d.dataset)} / ${d.split} (${d.phase})`;

/** Tables and plots of every document of one evaluation kind, with "not available" when there is none. */
function externalParts(inp: ReportInputs, kind: string, id: string, o: { columns: (d: EvalJson) => MetricColumn[]; key: (d: EvalJson) => MetricColumn; title: (d: EvalJson) => string; plotTitle: (d: EvalJson) => string }): { tables: Table[]; plots: Plot[] } {
  const docs = inp.external.filter((x) => x.doc.evaluation === kind);
  const tables: Table[] = [];
  const plots: Plot[] = [];
  const base = (d: EvalJson) => `${id}-${d.dataset}-${d.split}`;
  const models = (d: EvalJson) => [...new Set(d.rows.map((r) => r.model))].join('+');
  docs.forEach((x) => {
    // where two documents share dataset and split (e.g. explanations of two models), the models name each
    const twins = docs.filter((y) => base(y.doc) === base(x.doc));
    const same = twins.filter((y) => models(y.doc) === models(x.doc));
    const tid = twins.length === 1 ? base(x.doc) : `${base(x.doc)}-${models(x.doc)}${same.length > 1 ? `-${same.indexOf(x) + 1}` : ''}`;
    tables.push(externalTable(x, { id: tid, title: o.title(x.doc), columns: o.columns(x.doc), key: o.key(x.doc) }));
    const p = externalPlot(x, { id: tid, title: o.plotTitle(x.doc), key: o.key(x.doc) });
    if (p) plots.push(p);
  });
  return { tables, plots };
}

function modalitySection(inp: ReportInputs): Section {
  const s: Section = { id: 'modality-robustness', title: 'Modality robustness', intro: ['At test time a seeded 50 % or 100 % of the items that have a modality (text, image, both) lose it, fed to the content and fusion towers as absent; each variant is compared with the unmodified model (`default`) by a paired t-test.'], tables: [], plots: [], unavailable: [] };
  const r = externalParts(inp, 'modality-drop', 'modality', {
    columns: () => RANK_COLUMNS, key: () => NDCG_FULL,
    title: (d) => `Modality drop: ${docLabel(d)}`,
    plotTitle: (d) => `${docLabel(d)}: NDCG@10 (full) per model and missing modality (whiskers: 95% CI over seeds)`,
  });
  s.tables.push(...r.tables);
  s.plots.push(...r.plots);
  if (inp.contentSkipped) s.unavailable.push(notAvailable(`cold-item modality drop of the content models: ${inp.contentSkipped}`));
  if (!r.tables.length) s.unavailable.push(notAvailable('no modality-drop evaluation (EvalJson, evaluation "modality-drop") in results/ or $LLMREC_HOME/results (`llmrec eval --split cold-items --model content,fused --modality-drop`)'));
  s.unavailable.push(notAvailable('published anchor: no published modality-drop figure on these splits and protocols'));
  return s;
}

function explanationSection(inp: ReportInputs): Section {
  const s: Section = { id: 'explanation-quality', title: 'Explanation quality', intro: ['Faithfulness of the evidence (ERASER comprehensiveness / sufficiency: score and rank change when the cited history items are removed / kept alone) against random evidence of the same size, and PETER-style coverage and diversity of the rationales.'], tables: [], plots: [], unavailable: [] };
  const r = externalParts(inp, 'explanation', 'explanation', {
    columns: (d) => [...new Map(d.rows.filter((x) => x.metric !== 'explanations').map((x) => [`${x.metric}|${x.protocol}`, { metric: x.metric, protocol: x.protocol }])).values()],
    key: (d) => ({ metric: 'comprehensiveness-score-drop', protocol: d.rows.some((x) => x.protocol === 'eraser') ? 'eraser' : d.rows[0]?.protocol ?? 'eraser' }),
    title: (d) => `Explanations: ${docLabel(d)}`,
    plotTitle: (d) => `${docLabel(d)}: comprehensiveness (score drop with the cited evidence removed), cited vs random evidence`,
  });
  s.tables.push(...r.tables);
  s.plots.push(...r.plots);
  if (!r.tables.length) s.unavailable.push(notAvailable('no explanation evaluation (EvalJson, evaluation "explanation") in results/ or $LLMREC_HOME/results (`llmrec eval --split loo --model aligner --explanations`)'));
  return s;
}

function coldSection(inp: ReportInputs): Section {
  const s: Section = { id: 'cold-start', title: 'Cold start', intro: [
    'Cold split: leave-one-out test rows whose item has fewer than 5 training interactions (the items a CF backbone knows least); models are the leave-one-out ones (same training rows).',
    'Cold items: a seeded 10 % of the items lose every training interaction, so only content can score them (`content`: the content tower alone; `fused`: the production path); `full` ranks the target among the held-out items, `all-items` among every item.',
  ], tables: [], plots: [], unavailable: [] };
  const bars: BarDatum[] = [];
  for (const d of inp.datasets) {
    const methods = METHODS.filter((m) => runsOf(inp, d, 'cold', m.model).length);
    if (!methods.length) continue;
    const r = rankingTable(inp, d, 'cold', `cold-${d}`, `${datasetLabel(d)} — cold split (test)`, methods);
    const n = runsOf(inp, d, 'cold', methods[0]!.model)[0]?.users ?? 0;
    r.table.notes.push(`${n} test users. Commands: ${[...r.commands].join('; ')}.`);
    s.tables.push(r.table);
    bars.push(...r.bars);
  }
  if (bars.length) s.plots.push({ id: 'cold-start', title: 'Cold split: full-ranking NDCG@10 (whiskers: 95% CI over training seeds)', spec: barChart(bars, { title: 'Cold start, NDCG@10', yTitle: 'NDCG@10', groupTitle: 'dataset' }) });
  const r = externalParts(inp, 'cold-items', 'cold-items', {
    columns: () => RANK_COLUMNS, key: () => NDCG_FULL,
    title: (d) => `Cold items: ${docLabel(d)}`,
    plotTitle: (d) => `${docLabel(d)}: NDCG@10 among the held-out items per model (whiskers: 95% CI over seeds)`,
  });
  s.tables.push(...r.tables);
  s.plots.push(...r.plots);
  if (inp.contentSkipped && !r.tables.length) s.unavailable.push(notAvailable(`content-based cold-item models (content, fused): ${inp.contentSkipped}`));
  else if (!r.tables.length) s.unavailable.push(notAvailable('content-based cold-item models (content, fused): no cold-items evaluation (EvalJson, evaluation "cold-items") in results/ or $LLMREC_HOME/results (`llmrec eval --split cold-items --model random,tfidf-knn,content,fused`)'));
  s.unavailable.push(notAvailable('published anchor: no published cold-item figure on ML-100K with this split and protocol'));
  return s;
}

function trainRows(train: TrainRecord[]): string[][] {
  const by = new Map<string, TrainRecord[]>();
  for (const t of train) by.set(t.dataset, [...(by.get(t.dataset) ?? []), t]);
  return [...by.entries()].map(([d, ts]) => {
    // a SASRec step taken from a record ran on another machine: its seconds are in the records table, not here
    if (ts.every((t) => t.sasrecFrom)) {
      const tot = ts.map((t) => Object.entries(t.timings).filter(([k]) => k !== 'sasrec').reduce((a, [, x]) => a + x, 0));
      const adopted = 'SASRec step from the seeds record (--backbone-runs): see the records table';
      return [datasetLabel(d), adopted, '—', '—', `${tot.map((x) => `${x.toFixed(0)} s`).join(' / ')} (aligner + fusion + export + PQ)`, '—', ts.map((t) => t.key).join(', ')];
    }
    const spe = ts.map((t) => t.secPerEpoch);
    const tot = ts.map((t) => Object.values(t.timings).reduce((a, x) => a + x, 0));
    const cpu = ts.map((t) => (t.sasrecCpuSeconds === null ? '—' : `${(t.sasrecCpuSeconds / 3600).toFixed(2)} h`)).join(' / ');
    return [datasetLabel(d), `${(spe.reduce((a, x) => a + x, 0) / spe.length).toFixed(2)} s (seeds: ${spe.map((x) => x.toFixed(1)).join(' / ')})`, ts.map((t) => t.epochs).join(' / '), cpu, tot.map((x) => `${x.toFixed(0)} s`).join(' / '), ts.some((t) => t.stoppedByTime) ? 'time budget' : 'early stopping', ts.map((t) => t.key).join(', ')];
  });
}

function efficiencySection(inp: ReportInputs): Section {
  const s: Section = { id: 'efficiency', title: 'Efficiency', intro: ['Training time comes from this report\'s own training runs (shared 2-core machine: other jobs ran at the same time, so seconds vary with load). Serving, LLM and adapter figures come from the last `npm run bench` records in results/ (file and date in each row); the report does not re-run benchmarks.'], tables: [], plots: [], unavailable: [] };
  if (inp.train.length) s.tables.push({ id: 'efficiency-training', title: 'SASRec training (per training seed)', columns: ['dataset', 'wall seconds per SASRec epoch', 'epochs run', 'SASRec CPU time', 'pipeline wall seconds (sum)', 'stopped by', 'artifact keys'], rows: trainRows(inp.train), notes: ['Pipeline seconds: SASRec + aligner + ONNX export + PQ as recorded in the artifacts manifest (0 for steps reused from the cache).'] });
  else s.unavailable.push(notAvailable('no training run in this report'));
  const recs = Object.entries(inp.backbones ?? {}).flatMap(([d, bb]) => ('why' in bb ? [] : [{ d, bb }]));
  if (recs.length) {
    s.tables.push({
      id: 'efficiency-training-records', title: 'SASRec training from seeds records (--backbone-records; per training seed)',
      columns: ['dataset', 'device', 'wall seconds per SASRec epoch', 'epochs run', 'SASRec wall time', 'SASRec CPU time', 'stopped by', 'record'],
      rows: recs.map(({ d, bb }) => {
        const runs = [...bb.record.runs].sort((a, b) => a.seed - b.seed);
        return [datasetLabel(d), [...new Set(runs.map((r) => r.device))].join(', '), runs.map((r) => r.secPerEpoch.toFixed(1)).join(' / '), runs.map((r) => r.epochsRun).join(' / '),
          runs.map((r) => (r.seconds === null ? '—' : `${(r.seconds / 60).toFixed(1)} min`)).join(' / '), runs.map((r) => (r.cpuSeconds == null ? '—' : `${(r.cpuSeconds / 3600).toFixed(2)} h`)).join(' / '),
          runs.map((r) => (r.stoppedByTime ? 'time cap' : 'early stopping')).join(' / '), bb.file];
      }),
      notes: ['Machine of each record: in the main table\'s note under its SASRec row. Seconds from different machines (CPU vs GPU, load) are not comparable with each other.'],
    });
  }
  const scoring = inp.runs.filter((r) => r.split === 'loo');
  if (scoring.length) {
    const rows = new Map<string, string[]>();
    for (const r of scoring) {
      const k = `${r.dataset}/${r.model}`;
      if (!rows.has(k)) rows.set(k, [datasetLabel(r.dataset), r.model, `${((1000 * r.scoreSeconds) / Math.max(1, r.users)).toFixed(3)} ms`, `${r.fitSeconds.toFixed(1)} s`, String(r.users)]);
    }
    s.tables.push({ id: 'efficiency-scoring', title: 'Offline scoring cost (full ranking over all items, batches of users, 1 thread)', columns: ['dataset', 'model', 'score time per user', 'fit / load time', 'users'], rows: [...rows.values()], notes: ['First training seed of each model; the evaluation runs in Node (ONNX Runtime CPU for trained models).'] });
  }
  const benchRows: string[][] = [];
  const b = (suite: string, key: string, label: string, what: string) => {
    const f = inp.bench[suite];
    if (!f || !f.ok) return benchRows.push([label, notAvailable(f && !f.ok ? f.why : `no results/bench-${suite}.json`), '', '']);
    const m = f.value.metrics[key];
    if (!m) return benchRows.push([label, notAvailable(`${f.value.file} has no ${key}`), '', '']);
    benchRows.push([label, `${m.value} ${m.unit}`, what + (m.note ? ` — ${m.note}` : ''), `${f.value.file} (${f.value.startedAt})`]);
  };
  b('adapter', 'recommend_static_ms', 'full-ranking scoring per request, static (z_u given)', 'direct measure');
  b('adapter', 'recommend_dynamic_ms', 'same with the online adapters', 'direct measure; the difference is the adapter overhead');
  b('adapter', 'update_step_ms', 'adapter update step', 'training time per step');
  b('adapter', 'freshness_event_to_serving_ms_median', 'freshness: event accepted → serving version trained on it (median)', '');
  b('serving', 'e2e_recommend_p50_1conn', 'end-to-end recommend p50, 1 connection', 'for scale');
  b('serving', 'e2e_recommend_p50', 'end-to-end recommend p50, 8 connections', 'for scale');
  b('llm', 'decode_tokens_per_s', 'LLM decode speed (stories260K, batch 1)', 'measured; the "reference C ~3,000 tok/s" in the record is an outside figure (llama2.c on an idle machine of this kind, quoted by bench/llm.ts, not measured by the bench and undated)');
  b('llm', 'rerank20_p50', 'LLM: re-rank the latent top 20, p50', 'soft prompt with the user token, candidates scored in one batched pass');
  b('llm', 'rerank20_p99', 'LLM: re-rank the latent top 20, p99', '');
  b('llm', 'explain_llm_top1_p50', 'explanation of the top item with an LLM-written rationale, p50', '');
  b('llm', 'explain_template_top1_p50', 'explanation of the top item with the template rationale, p50', 'for comparison');
  b('llm', 'per_token_ms_at_end_with_cache', 'LLM: per-token latency at position 511 with KV cache', '');
  b('bundle', 'workers_bundle_kib', 'Workers bundle size', '');
  b('bundle', 'workers_bundle_gzip_kib', 'Workers bundle size, gzipped', '');
  // prompt length: what the LLM evaluation's prompts occupied after the worker's fitting, with and without evidence
  for (const [d, rec] of Object.entries(inp.llmEval ?? {})) {
    const names = { full: 'as the edge sends it (KV evidence with soft evidence tokens)', 'no-evidence': 'without KV evidence' } as const;
    for (const [v, what] of Object.entries(names)) {
      const p = rec.record.ablation?.variants[v as keyof typeof names].prompt?.test;
      if (p) benchRows.push([`LLM prompt length, ${datasetLabel(d)} test prompts ${what}`, `${p.meanPositions.toFixed(0)} positions (max ${p.maxPositions})`, `mean over ${p.calls} prompts after the worker's fitting to the LLM's context (LLM re-rank of the latent top 20)`, rec.file]);
    }
  }
  s.tables.push({ id: 'efficiency-serving', title: 'Serving, adapters, LLM (benchmark records)', columns: ['figure', 'value', 'what', 'record'], rows: benchRows, notes: ['Adapter overhead, direct measure first: the dynamic minus the static scoring time per request above; as a share of an end-to-end request it depends on concurrency (1 vs 8 connections).'] });
  const llm = inp.bench.llm;
  const note = llm?.ok ? llm.value.metrics.per_token_cost_last_over_first_bucket?.note : undefined;
  const m = note?.match(/\{[^}]+\}/);
  if (m) {
    try {
      const buckets = JSON.parse(m[0]) as Record<string, number>;
      const pts: LineDatum[] = Object.entries(buckets).map(([k, v]) => ({ series: 'µs per token (KV cache)', x: Number(k.split('-')[0]), y: v }));
      s.plots.push({ id: 'llm-latency-vs-position', title: `LLM decode cost per token vs prompt position (stories260K, CPU; ${llm!.ok ? llm!.value.file : ''})`, spec: lineChart(pts, { title: 'Per-token latency vs position', xTitle: 'position (start of 64-token bucket)', yTitle: 'µs per token' }) });
    } catch {
      s.unavailable.push(notAvailable('the LLM benchmark record has no per-position latency buckets'));
    }
  } else s.unavailable.push(notAvailable('no LLM benchmark record with per-position latency (npm run bench -- --only llm)'));
  return s;
}

export function buildSections(inp: ReportInputs): Section[] {
  return [
    mainSection(inp),
    ...ablationSections(inp),
    modalitySection(inp),
    coldSection(inp),
    explanationSection(inp),
    efficiencySection(inp),
  ];
}

export type { Plot };
