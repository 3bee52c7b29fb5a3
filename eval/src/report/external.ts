// Tables and plots of the evaluations the report reads as EvalJson documents rather than running model by model:
// cold items (content / fused on items nobody interacted with), modality drop (robustness to missing content) and
// explanation quality. One row per (model, variant), one column per chosen metric and protocol, the paired test
// against the document's own baseline beside it, and a bar plot of the key metric. Each document comes with the
// file it was read from, so every figure names where it came from.
import type { EvalComparison, EvalJson, EvalRow } from '../report.ts';
import { barChart, type BarDatum } from './charts.ts';
import { fmtFigure, fmtP, fmtSigned } from './format.ts';
import type { Plot, Table } from './model.ts';

export interface ExternalDoc {
  doc: EvalJson;
  /** Where it was read from (repository-relative for tracked results, else absolute). */
  file: string;
}

export interface MetricColumn {
  metric: string;
  protocol: string;
}

/** Columns a document actually has, in the order asked for (a missing metric is not shown as a column). */
function presentColumns(doc: EvalJson, wanted: MetricColumn[]): MetricColumn[] {
  return wanted.filter((c) => doc.rows.some((r) => r.metric === c.metric && r.protocol === c.protocol));
}

const keyOf = (r: { model: string; variant: string }) => `${r.model}|${r.variant}`;

/** The comparison to show for a row: on the key metric, preferring the one paired over units (users,
 * explanations) to the one over seeds, since it has the power to say something at n = 3 seeds. */
function comparisonFor(doc: EvalJson, model: string, variant: string, key: MetricColumn): EvalComparison | undefined {
  const cs = doc.comparisons.filter((c) => c.model === model && c.variant === variant && c.metric === key.metric && c.protocol === key.protocol);
  return cs.find((c) => c.pairing !== 'seeds') ?? cs[0];
}

function seedsCell(rows: EvalRow[]): string {
  const r = rows[0];
  if (!r) return '—';
  return `${r.perSeed.map((s) => s.seed).join(',') || '—'} (${r.seedRole})`;
}

/** One table of an EvalJson document: rows (model, variant) in the document's order. */
export function externalTable(x: ExternalDoc, o: { id: string; title: string; columns: MetricColumn[]; key: MetricColumn }): Table {
  const { doc } = x;
  const cols = presentColumns(doc, o.columns);
  const order: string[] = [];
  for (const r of doc.rows) if (!order.includes(keyOf(r))) order.push(keyOf(r));
  const rows = order.map((k) => {
    const [model, variant] = k.split('|') as [string, string];
    const mine = doc.rows.filter((r) => keyOf(r) === k);
    const cells = cols.map((c) => {
      const r = mine.find((m) => m.metric === c.metric && m.protocol === c.protocol);
      return r ? fmtFigure({ mean: r.mean, ci95: r.ci95, perSeed: [], over: 'none' }) : '—';
    });
    const cmp = comparisonFor(doc, model, variant, o.key);
    const n = mine.find((m) => m.metric === o.key.metric && m.protocol === o.key.protocol) ?? mine[0];
    return [model, variant, ...cells, cmp ? `${cmp.baseline}/${cmp.baselineVariant}` : '—', cmp ? fmtSigned(cmp.meanDiff) : '—', cmp ? `${fmtP(cmp.p)} (${cmp.test} over ${cmp.n} ${cmp.pairing})` : '—', cmp?.effectSize.value != null ? cmp.effectSize.value.toFixed(2) : '—', seedsCell(mine), n ? `${n.n} ${n.unit}` : '—'];
  });
  const protocols = [...new Set(cols.map((c) => c.protocol))];
  return {
    id: o.id,
    title: o.title,
    columns: ['model', 'variant', ...cols.map((c) => `${c.metric} (${c.protocol})`), 'vs', `Δ ${o.key.metric} (${o.key.protocol})`, 'p', 'effect size', 'seeds', 'n per seed'],
    rows,
    notes: [
      'Cells: mean ± 95% CI half-width (Student t) over the seeds named in the row; what a seed varies is in brackets (training, sampling, mixed = which items are held out and the training run).',
      ...protocols.map((p) => `Protocol ${p}: ${doc.protocols[p] ?? 'not described'}`),
      `Source: \`${x.file}\`, made by \`${doc.command}\` (commit ${doc.commit ?? 'unknown'}, ${doc.createdAt}).${doc.notes.length ? ` Notes: ${doc.notes.join('; ')}.` : ''}`,
    ],
  };
}

/** Bars of the key metric: models on the x axis, one bar per variant. */
export function externalPlot(x: ExternalDoc, o: { id: string; title: string; key: MetricColumn }): Plot | undefined {
  const bars: BarDatum[] = x.doc.rows
    .filter((r) => r.metric === o.key.metric && r.protocol === o.key.protocol && Number.isFinite(r.mean))
    .map((r) => ({ group: r.model, series: r.variant, mean: r.mean, lo: r.mean - (r.ci95 ?? 0), hi: r.mean + (r.ci95 ?? 0) }));
  if (!bars.length) return undefined;
  return { id: o.id, title: o.title, spec: barChart(bars, { title: `${o.key.metric} (${o.key.protocol})`, yTitle: o.key.metric, groupTitle: 'model' }) };
}

/** What a newer document replaces: the same evaluation, dataset, split, phase and set of models. */
export function supersedeKey(doc: EvalJson): string {
  const models = [...new Set(doc.rows.map((r) => r.model))].sort().join('+');
  return [doc.evaluation, doc.dataset, doc.split, doc.phase, models].join('|');
}

/** Per (evaluation, dataset, split, phase, models) the newest document: a re-run in $LLMREC_HOME supersedes the
 * tracked copy, while documents about different models stay side by side. */
export function newestDocs(docs: ExternalDoc[]): ExternalDoc[] {
  const best = new Map<string, ExternalDoc>();
  for (const d of docs) {
    const k = supersedeKey(d.doc);
    const cur = best.get(k);
    if (!cur || d.doc.createdAt > cur.doc.createdAt) best.set(k, d);
  }
  return docs.filter((d) => [...best.values()].includes(d));
}
