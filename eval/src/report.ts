// Evaluation report: the JSON document written to results/ and printed by `llmrec eval --json`, a plain-text table
// for the terminal and a Markdown table for docs — all from the same rows, so printed and stored figures agree.
import { z } from 'zod';
import type { ModelRun, ResultRow } from './runner.ts';
import { meanCI, pairedTTest } from './stats.ts';

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
