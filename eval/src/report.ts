// Evaluation output. `EvalJson` (formatVersion 2) is the ONE shape of every `llmrec eval --json` document and of
// every eval result file, whatever the split or evaluation (loo/temporal/cold ranking, streaming, and the cold-item,
// modality-drop and explanation evaluations): flat rows {model, variant, metric, protocol, mean, ci95, perSeed, n}
// plus comparisons {model, baseline, metric, test, p, effectSize}; documented in docs/evaluation.md ("Eval JSON").
// `EvalReport` (formatVersion 1) is the ranking runner's internal report, from which the plain-text and Markdown
// tables are printed and `rankingEvalJson` derives the emitted document — so printed and stored figures agree.
import { z } from 'zod';
import type { ModelRun, ResultRow } from './runner.ts';
import { meanCI, pairedTTest, type PairedTest } from './stats.ts';

export const TIE_RULES = {
  pessimistic: 'pessimistic: items scoring equal to the target rank above it',
  random: 'random: equal scores ordered by a hash of (first seed, user, item) — a reproducible uniform tie-break',
} as const;
/** The default rule's description. */
export const TIE_RULE = TIE_RULES.pessimistic;

export const Summary = z.object({
  model: z.string(),
  protocol: z.enum(['full', 'sampled']),
  seeds: z.array(z.number()),
  mean: z.record(z.string(), z.number()),
  /** 95% CI half-width over seeds (null with one seed, or for the deterministic full ranking). */
  ci95: z.record(z.string(), z.number().nullable()),
});

export const Comparison = z.object({
  model: z.string(),
  baseline: z.string(),
  metric: z.string(),
  users: z.number(),
  meanDiff: z.number(),
  t: z.number(),
  p: z.number(),
  cohensD: z.number(),
});

export const EvalReport = z.object({
  formatVersion: z.literal(1),
  dataset: z.string(),
  split: z.string(),
  phase: z.enum(['test', 'valid']),
  protocol: z.object({ full: z.string(), sampled: z.string(), ties: z.string(), ks: z.array(z.number()), negatives: z.number() }),
  seeds: z.array(z.number()),
  results: z.array(
    z.object({ dataset: z.string(), split: z.string(), model: z.string(), protocol: z.enum(['full', 'sampled']), seed: z.number().nullable(), users: z.number(), metrics: z.record(z.string(), z.number()) }),
  ),
  summary: z.array(Summary),
  comparisons: z.array(Comparison),
  timing: z.array(z.object({ model: z.string(), fitSeconds: z.number(), scoreSeconds: z.number() })),
  /** Streaming split only: per-window full-ranking HR@10 / NDCG@10 of each model (events predicted before learning). */
  series: z.array(z.object({ model: z.string(), points: z.array(z.object({ window: z.number(), events: z.number(), metrics: z.record(z.string(), z.number()) })) })).optional(),
  machine: z.object({ cpus: z.number(), node: z.string(), note: z.string() }),
  command: z.string(),
  createdAt: z.string(),
});
export type EvalReport = z.infer<typeof EvalReport>;

/** What one row's seeds vary: nothing (deterministic, e.g. full ranking of a fixed model), the sampled negatives,
 * the model's training, the online adapters' initialisation and sampling, or several of these. */
export const SeedRole = z.enum(['none', 'sampling', 'training', 'adapter', 'mixed']);

/** One figure: a metric of one model (variant) under one protocol, mean over seeds with its 95% CI half-width. */
export const EvalRow = z.object({
  model: z.string().min(1),
  /** 'default', or what differs from the model's default (e.g. 'no-distill', 'image-missing-50%', 'seed-42'). */
  variant: z.string().min(1),
  /** e.g. 'NDCG@10', 'HR@10', 'Recall@20', 'faithfulness', 'coverage'. */
  metric: z.string().min(1),
  /** A key of the document's `protocols` (e.g. 'full', 'sampled-100', 'streaming-full'). */
  protocol: z.string().min(1),
  mean: z.number(),
  /** Half-width of the 95% Student-t CI over `perSeed`; null with fewer than 2 seeds. */
  ci95: z.number().nullable(),
  perSeed: z.array(z.object({ seed: z.number().nullable(), value: z.number() })).min(1),
  seedRole: SeedRole,
  /** Units averaged into each per-seed value (users, events, explanations, ...). */
  n: z.number().int().nonnegative(),
  unit: z.string().min(1),
});
export type EvalRow = z.infer<typeof EvalRow>;

/** A paired test of `model` against `baseline` on one metric; p is two-sided. */
export const EvalComparison = z.object({
  model: z.string(),
  variant: z.string(),
  baseline: z.string(),
  baselineVariant: z.string(),
  metric: z.string(),
  protocol: z.string(),
  /** e.g. 'paired-t'; `pairing` says over what the pairs are (users, events, seeds). */
  test: z.string(),
  pairing: z.enum(['users', 'events', 'seeds', 'items', 'explanations']),
  n: z.number().int().nonnegative(),
  meanDiff: z.number(),
  /** Test statistic (t); null when the differences have zero spread and are non-zero (infinite t). */
  statistic: z.number().nullable(),
  p: z.number().min(0).max(1),
  effectSize: z.object({ name: z.string(), value: z.number().nullable() }),
});
export type EvalComparison = z.infer<typeof EvalComparison>;

export const EVAL_JSON_VERSION = 2;

export const EvalJson = z.object({
  formatVersion: z.literal(EVAL_JSON_VERSION),
  kind: z.literal('llmrec-eval'),
  /** 'ranking' (loo/temporal/cold), 'streaming', 'cold-items', 'modality-drop', 'explanation', ... */
  evaluation: z.string().min(1),
  dataset: z.string(),
  split: z.string(),
  phase: z.enum(['test', 'valid']),
  /** Every protocol a row names, with its description. */
  protocols: z.record(z.string(), z.string()),
  ties: z.string(),
  rows: z.array(EvalRow),
  comparisons: z.array(EvalComparison),
  /** Per-window (streaming) or per-step curves: points of named metrics. */
  series: z.array(z.object({ model: z.string(), variant: z.string(), points: z.array(z.object({ x: z.number(), n: z.number(), metrics: z.record(z.string(), z.number()) })) })).default([]),
  timing: z.array(z.object({ model: z.string(), variant: z.string(), seconds: z.record(z.string(), z.number()) })).default([]),
  machine: z.object({ cpus: z.number(), node: z.string(), note: z.string() }),
  command: z.string(),
  /** git commit of the code that produced it, when known. */
  commit: z.string().nullable().default(null),
  createdAt: z.string(),
  /** Evaluation-specific details that are not figures (e.g. which frozen base a streaming run used). */
  notes: z.array(z.string()).default([]),
}).superRefine((doc, ctx) => {
  for (const [i, r] of doc.rows.entries()) if (!(r.protocol in doc.protocols)) ctx.addIssue({ code: 'custom', path: ['rows', i, 'protocol'], message: `protocol '${r.protocol}' is not described in protocols` });
});
export type EvalJson = z.infer<typeof EvalJson>;

/** A row from per-seed values (mean and Student-t 95% CI over them). */
export function evalRow(r: Omit<EvalRow, 'mean' | 'ci95'>): EvalRow {
  const c = meanCI(r.perSeed.map((s) => s.value));
  return { ...r, mean: c.mean, ci95: c.ci95 };
}

/** A comparison from a paired test (stats.ts), with Cohen's d_z as effect size; infinities become null. */
export function evalComparison(c: Omit<EvalComparison, 'n' | 'meanDiff' | 'statistic' | 'p' | 'effectSize' | 'test'>, t: PairedTest): EvalComparison {
  const fin = (x: number) => (Number.isFinite(x) ? x : null);
  return { ...c, test: 'paired-t', n: t.n, meanDiff: t.meanDiff, statistic: fin(t.t), p: t.p, effectSize: { name: 'cohen-dz', value: fin(t.d) } };
}

/** Rows of one model's ranking summary (every metric, full and sampled), in the EvalJson shape. */
export function rankingEvalJson(r: EvalReport, commit: string | null = null): EvalJson {
  const sampledKey = `sampled-${r.protocol.negatives}`;
  const protoKey = (p: 'full' | 'sampled') => (p === 'full' ? 'full' : sampledKey);
  const rows: EvalRow[] = [];
  for (const s of r.summary) {
    const res = r.results.filter((x) => x.model === s.model && x.protocol === s.protocol);
    for (const metric of Object.keys(s.mean)) {
      rows.push(evalRow({
        model: s.model, variant: 'default', metric, protocol: protoKey(s.protocol),
        perSeed: res.map((x) => ({ seed: x.seed, value: x.metrics[metric]! })),
        seedRole: s.protocol === 'sampled' ? 'sampling' : 'none',
        n: res[0]?.users ?? 0, unit: r.split === 'streaming' ? 'events' : 'users',
      }));
    }
  }
  return EvalJson.parse({
    formatVersion: EVAL_JSON_VERSION,
    kind: 'llmrec-eval',
    evaluation: r.split === 'streaming' ? 'streaming' : 'ranking',
    dataset: r.dataset,
    split: r.split,
    phase: r.phase,
    protocols: { full: r.protocol.full, [sampledKey]: r.protocol.sampled },
    ties: r.protocol.ties,
    rows,
    comparisons: r.comparisons.map((c) => ({
      model: c.model, variant: 'default', baseline: c.baseline, baselineVariant: 'default', metric: c.metric, protocol: 'full', test: 'paired-t',
      pairing: r.split === 'streaming' ? 'events' : 'users', n: c.users, meanDiff: c.meanDiff, statistic: Number.isFinite(c.t) ? c.t : null, p: c.p,
      effectSize: { name: 'cohen-dz', value: Number.isFinite(c.cohensD) ? c.cohensD : null },
    })),
    series: (r.series ?? []).map((s) => ({ model: s.model, variant: 'default', points: s.points.map((p) => ({ x: p.window, n: p.events, metrics: p.metrics })) })),
    timing: r.timing.map((t) => ({ model: t.model, variant: 'default', seconds: { fit: t.fitSeconds, score: t.scoreSeconds } })),
    machine: r.machine,
    command: r.command,
    commit,
    createdAt: r.createdAt,
    notes: [],
  });
}

/** The figure of one (model, variant, metric, protocol) in a document, or undefined. */
export function findRow(doc: EvalJson, q: { model: string; variant?: string; metric: string; protocol: string }): EvalRow | undefined {
  return doc.rows.find((r) => r.model === q.model && r.variant === (q.variant ?? 'default') && r.metric === q.metric && r.protocol === q.protocol);
}

export function buildReport(args: {
  dataset: string;
  split: string;
  phase: 'test' | 'valid';
  ks: readonly number[];
  negatives: number;
  seeds: number[];
  ties?: keyof typeof TIE_RULES;
  runs: ModelRun[];
  machine: EvalReport['machine'];
  command: string;
}): EvalReport {
  const results = args.runs.flatMap((r) => r.rows.map((row: ResultRow) => ({ dataset: args.dataset, split: args.split, ...row })));
  const summary: z.infer<typeof Summary>[] = [];
  for (const run of args.runs) {
    for (const protocol of ['full', 'sampled'] as const) {
      const rows = run.rows.filter((r) => r.protocol === protocol);
      if (!rows.length) continue;
      const mean: Record<string, number> = {};
      const ci95: Record<string, number | null> = {};
      for (const name of Object.keys(rows[0]!.metrics)) {
        const c = meanCI(rows.map((r) => r.metrics[name]!));
        mean[name] = c.mean;
        ci95[name] = c.ci95;
      }
      summary.push({ model: run.model, protocol, seeds: rows.map((r) => r.seed).filter((s): s is number => s !== null), mean, ci95 });
    }
  }
  // Each model against the first one listed, paired by user on full-ranking NDCG@10 and HR@10.
  const comparisons: z.infer<typeof Comparison>[] = [];
  const base = args.runs[0];
  for (const run of args.runs.slice(1)) {
    for (const metric of ['NDCG@10', 'HR@10']) {
      const a = run.perUser[metric];
      const b = base?.perUser[metric];
      if (!a || !b || !run.rows.some((r) => r.protocol === 'full')) continue;
      const t = pairedTTest(a, b);
      comparisons.push({ model: run.model, baseline: base.model, metric, users: t.n, meanDiff: t.meanDiff, t: t.t, p: t.p, cohensD: t.d });
    }
  }
  return EvalReport.parse({
    formatVersion: 1,
    dataset: args.dataset,
    split: args.split,
    phase: args.phase,
    protocol: {
      full: "full ranking over all items; the user's input history (train + valid items at test time) excluded",
      sampled: `target ranked against ${args.negatives} seeded negatives the user never interacted with`,
      ties: TIE_RULES[args.ties ?? 'pessimistic'],
      ks: [...args.ks],
      negatives: args.negatives,
    },
    seeds: args.seeds,
    results,
    summary,
    comparisons,
    timing: args.runs.map((r) => ({ model: r.model, fitSeconds: r.fitSeconds, scoreSeconds: r.scoreSeconds })),
    machine: args.machine,
    command: args.command,
    createdAt: new Date().toISOString(),
  });
}

function fmtP(p: number): string {
  return p < 1e-300 ? '<1e-300' : p.toExponential(2);
}

function cell(mean: number, ci: number | null | undefined): string {
  return ci === null || ci === undefined ? mean.toFixed(4) : `${mean.toFixed(4)}±${ci.toFixed(4)}`;
}

function metricColumns(r: EvalReport): string[] {
  const ks = r.protocol.ks;
  return ['HR', 'NDCG', 'Recall'].flatMap((m) => ks.map((k) => `${m}@${k}`));
}

/** Rows of the summary table: model, protocol, then one cell per metric (mean, ±95% CI over seeds when > 1 seed). */
function tableRows(r: EvalReport): string[][] {
  const cols = metricColumns(r);
  return r.summary.map((s) => [s.model, s.protocol === 'full' ? 'full' : `sampled-${r.protocol.negatives}`, ...cols.map((c) => cell(s.mean[c]!, s.ci95[c]))]);
}

export function formatTable(r: EvalReport): string {
  const header = ['model', 'protocol', ...metricColumns(r)];
  const rows = [header, ...tableRows(r)];
  const w = header.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((x, c) => x.padEnd(w[c]!)).join('  ');
  const out = [
    `${r.dataset} / ${r.split} (${r.phase}) — ${r.results[0]?.users ?? 0} users; ties ${r.protocol.ties.split(':')[0]}; seeds ${r.seeds.join(',')}`,
    line(header),
    line(w.map((x) => '-'.repeat(x))),
    ...rows.slice(1).map(line),
  ];
  for (const c of r.comparisons) out.push(`${c.model} vs ${c.baseline} (${c.metric}, full, paired over ${c.users} users): diff ${c.meanDiff.toFixed(4)}, t=${c.t.toFixed(2)}, p=${fmtP(c.p)}, d=${c.cohensD.toFixed(2)}`);
  return out.join('\n');
}

export function formatMarkdown(r: EvalReport): string {
  const header = ['model', 'protocol', ...metricColumns(r)];
  const lines = [
    `# ${r.dataset} / ${r.split} (${r.phase})`,
    ...(r.split === 'streaming' ? ['', 'Streaming: fitted on the first 70% of events (time order); the rest replayed in 1-hour windows, each window predicted before the model may learn from it; metrics averaged over streamed events ("users" column = events).'] : []),
    '',
    `Command: \`${r.command}\``,
    '',
    `Protocols: full = ${r.protocol.full}; sampled = ${r.protocol.sampled}. Ties: ${r.protocol.ties}. ` +
      `Users evaluated: ${r.results[0]?.users ?? 0}. Seeds (sampled negatives): ${r.seeds.join(', ')}${r.seeds.length > 1 ? ' (cells: mean ± 95% CI half-width over seeds)' : ''}.`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...tableRows(r).map((row) => `| ${row.join(' | ')} |`),
  ];
  if (r.comparisons.length) {
    lines.push('', '| model | baseline | metric (full) | users | mean diff | t | p (two-sided) | Cohen d_z |', '|---|---|---|---|---|---|---|---|');
    for (const c of r.comparisons) lines.push(`| ${c.model} | ${c.baseline} | ${c.metric} | ${c.users} | ${c.meanDiff.toFixed(4)} | ${c.t.toFixed(2)} | ${fmtP(c.p)} | ${c.cohensD.toFixed(2)} |`);
  }
  lines.push('', `Machine: ${r.machine.cpus} CPUs, Node ${r.machine.node} — ${r.machine.note}. Timing: ${r.timing.map((t) => `${t.model} fit ${t.fitSeconds.toFixed(2)}s, score ${t.scoreSeconds.toFixed(2)}s`).join('; ')}. Created ${r.createdAt}.`, '');
  return lines.join('\n');
}
