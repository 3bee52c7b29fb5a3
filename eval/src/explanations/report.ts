// The report of `llmrec eval --explanations` (evidence-grounded explanations, measured): per evidence method
// (co-interaction baseline, attribution), ERASER faithfulness of the cited history items against the model —
// comprehensiveness (cited removed) and sufficiency (only cited kept), each next to random subsets of equal size,
// paired t-tests — and the explanation quality figures of quality.ts; then attribution vs co-interaction.
import { z } from 'zod';
import { EVAL_JSON_VERSION, EvalJson, evalRow, type EvalComparison, type EvalRow } from '../report.ts';
import { meanCI, pairedTTest } from '../stats.ts';
import type { QualityFigures } from './quality.ts';

const Ci = z.object({ mean: z.number(), ci95: z.number().nullable(), n: z.number() });
const Paired = z.object({ n: z.number(), meanDiff: z.number(), t: z.number(), df: z.number(), p: z.number(), d: z.number() });

/** Cited vs random of equal size for one measure (higher = more faithful for comprehensiveness, lower for sufficiency). */
export const Versus = z.object({ cited: Ci, random: Ci, ratio: z.number(), paired: Paired });
export type Versus = z.infer<typeof Versus>;

export const MethodResult = z.object({
  method: z.enum(['co-interaction', 'attribution']),
  explanations: z.number(),
  /** Explanations citing at least one history item (faithfulness is measured on these). */
  withCitedItems: z.number(),
  meanCitedItems: z.number(),
  comprehensiveness: z.object({ scoreDrop: Versus, rankDrop: Versus }),
  sufficiency: z.object({ scoreDrop: Versus, rankDrop: Versus }),
  quality: z.record(z.string(), z.number()),
});
export type MethodResult = z.infer<typeof MethodResult>;

export const ExplanationsReport = z.object({
  kind: z.literal('llmrec-explanations-eval'),
  v: z.literal(1),
  dataset: z.string(),
  split: z.string(),
  phase: z.enum(['test', 'valid']),
  model: z.string(),
  protocol: z.string(),
  users: z.number(),
  perUser: z.number(),
  samples: z.number(),
  minCoUsers: z.number(),
  methods: z.array(MethodResult),
  /** Attribution minus co-interaction, paired over the same (user, item) explanations (0 where nothing is cited). */
  attributionVsCoInteraction: z.object({ comprehensivenessScoreDrop: Paired, comprehensivenessRankDrop: Paired, sufficiencyScoreDrop: Paired }),
  bars: z.object({
    /** Mean comprehensiveness of cited evidence >= 2 x random of equal size, paired p < 0.01 (per method). */
    citedVsRandom: z.record(z.string(), z.object({ ratio: z.number(), p: z.number(), met: z.boolean() })),
    attributionAtLeastCoInteraction: z.object({ attribution: z.number(), coInteraction: z.number(), met: z.boolean() }),
  }),
  seconds: z.number(),
  machine: z.object({ cpus: z.number(), node: z.string(), note: z.string() }),
  command: z.string(),
  createdAt: z.string(),
});
export type ExplanationsReport = z.infer<typeof ExplanationsReport>;

/** Per-explanation values of one method, aligned across methods by (user, item). */
export interface MethodSamples {
  size: Float64Array;
  compDrop: Float64Array;
  compRandomDrop: Float64Array;
  compRankDrop: Float64Array;
  compRandomRankDrop: Float64Array;
  suffDrop: Float64Array;
  suffRandomDrop: Float64Array;
  suffRankDrop: Float64Array;
  suffRandomRankDrop: Float64Array;
}

export function versus(cited: Float64Array, random: Float64Array): Versus {
  const c = meanCI(cited);
  const r = meanCI(random);
  return { cited: c, random: r, ratio: r.mean !== 0 ? c.mean / r.mean : Infinity, paired: pairedTTest(cited, random) };
}

export function methodResult(method: MethodResult['method'], s: MethodSamples, quality: QualityFigures): MethodResult {
  const keep = Array.from(s.size.keys()).filter((i) => s.size[i]! > 0);
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]!);
  return {
    method,
    explanations: s.size.length,
    withCitedItems: keep.length,
    meanCitedItems: keep.length ? keep.reduce((a, i) => a + s.size[i]!, 0) / keep.length : 0,
    comprehensiveness: { scoreDrop: versus(pick(s.compDrop), pick(s.compRandomDrop)), rankDrop: versus(pick(s.compRankDrop), pick(s.compRandomRankDrop)) },
    sufficiency: { scoreDrop: versus(pick(s.suffDrop), pick(s.suffRandomDrop)), rankDrop: versus(pick(s.suffRankDrop), pick(s.suffRandomRankDrop)) },
    quality: { ...quality },
  };
}

const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const p = (x: number) => (x < 1e-300 ? '<1e-300' : x.toExponential(1));

/** Markdown tables: faithfulness (ERASER) and quality (PETER's figures), one row per method. */
export function formatExplanationsMarkdown(r: ExplanationsReport): string {
  const lines = [
    `Explanations, ${r.dataset} ${r.split} (${r.phase}), model ${r.model}: ${r.users} users x top-${r.perUser} recommendations; ${r.protocol}`,
    '',
    '| evidence | explanations citing history | comprehensiveness: score drop, cited vs random (ratio, paired p) | rank drop, cited vs random | sufficiency: score drop, cited vs random (lower = more sufficient) |',
    '|---|---|---|---|---|',
    ...r.methods.map((m) => {
      const c = m.comprehensiveness;
      const s = m.sufficiency.scoreDrop;
      return `| ${m.method} | ${m.withCitedItems} / ${m.explanations} (mean ${f(m.meanCitedItems, 2)} items) | ${f(c.scoreDrop.cited.mean)} vs ${f(c.scoreDrop.random.mean)} (${f(c.scoreDrop.ratio, 2)}x, p ${p(c.scoreDrop.paired.p)}) | ${f(c.rankDrop.cited.mean, 1)} vs ${f(c.rankDrop.random.mean, 1)} (p ${p(c.rankDrop.paired.p)}) | ${f(s.cited.mean)} vs ${f(s.random.mean)} (p ${p(s.paired.p)}) |`;
    }),
    '',
    `Attribution - co-interaction, comprehensiveness score drop over all ${r.attributionVsCoInteraction.comprehensivenessScoreDrop.n} explanations: ${f(r.attributionVsCoInteraction.comprehensivenessScoreDrop.meanDiff)} (p ${p(r.attributionVsCoInteraction.comprehensivenessScoreDrop.p)}).`,
    '',
    '| evidence | FCR | DIV (lower = more diverse) | USR | with history item | with attribute | item coverage |',
    '|---|---|---|---|---|---|---|',
    ...r.methods.map((m) => {
      const q = m.quality;
      return `| ${m.method} | ${f(q.featureCoverageRatio!, 3)} | ${f(q.featureDiversity!, 3)} | ${f(q.uniqueSentenceRatio!, 3)} | ${f(q.withHistoryItem!, 3)} | ${f(q.withAttribute!, 3)} | ${f(q.itemCoverageRatio!, 3)} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The one eval shape (EvalJson, evaluation 'explanation'): per evidence method (the row's variant) the cited and
 * random-baseline means of each faithfulness measure and the quality figures; comparisons cited vs random and
 * attribution vs co-interaction, paired over explanations.
 */
export function explanationsEvalJson(r: ExplanationsReport, commit: string | null = null): EvalJson {
  const model = r.model.split(' ')[0]!;
  const rows: EvalRow[] = [];
  const comparisons: EvalComparison[] = [];
  const one = (variant: string, metric: string, protocol: string, value: number, n: number, seedRole: 'none' | 'sampling' = 'none') =>
    rows.push(evalRow({ model, variant, metric, protocol, perSeed: [{ seed: null, value }], seedRole, n, unit: 'explanations' }));
  for (const m of r.methods) {
    for (const [measure, v] of [
      ['comprehensiveness-score-drop', m.comprehensiveness.scoreDrop],
      ['comprehensiveness-rank-drop', m.comprehensiveness.rankDrop],
      ['sufficiency-score-drop', m.sufficiency.scoreDrop],
      ['sufficiency-rank-drop', m.sufficiency.rankDrop],
    ] as const) {
      one(m.method, measure, 'eraser', v.cited.mean, v.cited.n);
      one(`${m.method}-random`, measure, 'eraser', v.random.mean, v.random.n, 'sampling');
      comparisons.push({ model, variant: m.method, baseline: model, baselineVariant: `${m.method}-random`, metric: measure, protocol: 'eraser', test: 'paired-t', pairing: 'explanations', n: v.paired.n, meanDiff: v.paired.meanDiff, statistic: Number.isFinite(v.paired.t) ? v.paired.t : null, p: v.paired.p, effectSize: { name: 'cohen-dz', value: Number.isFinite(v.paired.d) ? v.paired.d : null } });
    }
    for (const [metric, value] of Object.entries(m.quality)) one(m.method, metric, 'quality', value, m.explanations);
  }
  for (const [metric, t] of [
    ['comprehensiveness-score-drop', r.attributionVsCoInteraction.comprehensivenessScoreDrop],
    ['comprehensiveness-rank-drop', r.attributionVsCoInteraction.comprehensivenessRankDrop],
    ['sufficiency-score-drop', r.attributionVsCoInteraction.sufficiencyScoreDrop],
  ] as const) {
    comparisons.push({ model, variant: 'attribution', baseline: model, baselineVariant: 'co-interaction', metric, protocol: 'eraser-all', test: 'paired-t', pairing: 'explanations', n: t.n, meanDiff: t.meanDiff, statistic: Number.isFinite(t.t) ? t.t : null, p: t.p, effectSize: { name: 'cohen-dz', value: Number.isFinite(t.d) ? t.d : null } });
  }
  const bars = Object.entries(r.bars.citedVsRandom).map(([k, b]) => `${k}: comprehensiveness cited/random ${b.ratio.toFixed(2)}x, p ${b.p.toExponential(1)} (bar >= 2x, p < 0.01: ${b.met ? 'met' : 'NOT met'})`);
  return EvalJson.parse({
    formatVersion: EVAL_JSON_VERSION,
    kind: 'llmrec-eval',
    evaluation: 'explanation',
    dataset: r.dataset,
    split: r.split,
    phase: r.phase,
    protocols: {
      eraser: `${r.protocol}; rows over explanations citing >= 1 history item; variant '<method>-random' = the random subsets of equal size`,
      'eraser-all': 'the same measures over every explanation (0 where nothing is cited), paired by (user, item) across evidence methods',
      quality: 'PETER-style figures over the rationales: featureCoverageRatio (FCR, cited attribute values / catalogue values), featureDiversity (DIV, mean cited-value overlap of two explanations, lower = more diverse), uniqueSentenceRatio (USR), withHistoryItem / withAttribute (share citing one), itemCoverageRatio, meanCitedItems',
    },
    ties: 'pessimistic: items scoring equal to the explained item rank above it',
    rows,
    comparisons,
    timing: [{ model, variant: 'default', seconds: { total: r.seconds } }],
    machine: r.machine,
    command: r.command,
    commit,
    createdAt: r.createdAt,
    notes: [`model ${r.model}; ${r.users} users x top-${r.perUser}; k = ${r.minCoUsers}; ${r.samples} random subsets per explanation`, ...bars, `attribution >= co-interaction (mean comprehensiveness of cited evidence): ${r.bars.attributionAtLeastCoInteraction.attribution.toFixed(4)} vs ${r.bars.attributionAtLeastCoInteraction.coInteraction.toFixed(4)} (${r.bars.attributionAtLeastCoInteraction.met ? 'met' : 'NOT met'})`],
  });
}
