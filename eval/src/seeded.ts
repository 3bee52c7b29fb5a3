// Evaluations whose seeds change what is evaluated, not only sampled negatives (issue 10): the cold-item split (each
// seed holds out other items, so each seed has its own split and trained artifacts), training-seed variants of a
// split (`--train-seeds`), and the test-time modality-drop grid. Every (seed, variant, model) is a runModel over that
// seed's cases; rows carry per-seed means (EvalJson, eval/src/report.ts), comparisons are paired t-tests over seeds
// and over the users pooled across seeds.
import type { z } from 'zod';
import type { Dataset, Split } from '@llmrec/data/index.ts';
import { DEFAULT_KS, metricNames } from './metrics/ranking.ts';
import { loadModel } from './models/registry.ts';
import type { ModalityDrop, ModelSpec } from './models/types.ts';
import { EVAL_JSON_VERSION, evalComparison, EvalJson, evalRow, SeedRole, TIE_RULES, type EvalComparison, type EvalRow } from './report.ts';
import { buildCases, runModel, type Protocol } from './runner.ts';
import { pairedTTest } from './stats.ts';

export interface Variant {
  name: string;
  drop: ModalityDrop[];
}

export interface SeededEvalOptions {
  seeds: number[];
  ks?: readonly number[];
  phase?: 'test' | 'valid';
  ties?: keyof typeof TIE_RULES;
  home: string;
  /** The split of each seed (cold-items: that seed's held-out items). */
  splitFor(seed: number): Split;
  /** The trained artifacts of each seed (undefined: the split's default folder). */
  artifactsFor?(seed: number): string | undefined;
  seedRole: z.infer<typeof SeedRole>;
  /** EvalJson `evaluation`: 'cold-items', 'ranking', 'modality-drop'. */
  evaluation: string;
  /** Test-time modality drops (default: the unmodified models only). */
  variants?: Variant[];
  protocols: Record<string, string>;
  machine: EvalJson['machine'];
  command: string;
  commit?: string | null;
  notes?: string[];
  log?: (msg: string) => void;
  onProgress?: (model: string, done: number, total: number) => void;
}

type Key = string; // model|variant|protocol

/** The modality-drop grid of issue 10: images, text, both; 50 % and 100 % of the items that have them. */
export function modalityDropGrid(modalities: readonly string[]): Variant[] {
  const out: Variant[] = [{ name: 'default', drop: [] }];
  const sets = [...modalities.map((m) => [m]), ...(modalities.length > 1 ? [[...modalities]] : [])];
  for (const set of sets) for (const f of [0.5, 1]) out.push({ name: `${set.join('+')}-missing-${f * 100}%`, drop: set.map((m) => ({ modality: m, fraction: f })) });
  return out;
}

/** `models`: registered names, or specs (tests). */
export async function evaluateSeeded(ds: Dataset, modelList: (string | ModelSpec)[], o: SeededEvalOptions): Promise<{ json: EvalJson; markdown: string }> {
  const ks = o.ks ?? DEFAULT_KS;
  const phase = o.phase ?? 'test';
  const variants = o.variants ?? [{ name: 'default', drop: [] }];
  const specs = await Promise.all(modelList.map((m) => (typeof m === 'string' ? loadModel(m) : m)));
  const models = specs.map((s) => s.name);
  const perSeed = new Map<Key, { seed: number; metrics: Record<string, number>; users: number }[]>();
  const perUser = new Map<Key, Float64Array[]>(); // NDCG@10 per user, one array per seed
  const timing = new Map<string, number>();
  const protocolsRun = new Set<Protocol>();
  for (const seed of o.seeds) {
    const split = o.splitFor(seed);
    const cases = buildCases(ds, split, phase);
    const protocols: Protocol[] = cases.candidates ? ['full', 'all-items'] : ['full'];
    o.log?.(`seed ${seed}: ${cases.users.length} users with targets${cases.candidates ? `, ${cases.candidates.reduce((a, x) => a + x, 0)} candidate items` : ''}`);
    for (const v of variants) {
      for (const spec of specs) {
        const run = await runModel(ds, split, spec, cases, { seeds: [seed], ks, phase, protocols, ties: o.ties, home: o.home, artifacts: o.artifactsFor?.(seed), drop: v.drop, log: o.log, onProgress: o.onProgress });
        timing.set(`${spec.name}|${v.name}`, (timing.get(`${spec.name}|${v.name}`) ?? 0) + run.fitSeconds + run.scoreSeconds);
        for (const row of run.rows) {
          protocolsRun.add(row.protocol);
          const k = `${spec.name}|${v.name}|${row.protocol}`;
          perSeed.set(k, [...(perSeed.get(k) ?? []), { seed, metrics: row.metrics, users: row.users }]);
          const pu = row.protocol === 'all-items' ? run.perUserAll : run.perUser;
          perUser.set(k, [...(perUser.get(k) ?? []), pu!['NDCG@10']!]);
        }
      }
    }
  }
  const rows: EvalRow[] = [];
  for (const [k, list] of perSeed) {
    const [model, variant, protocol] = k.split('|') as [string, string, string];
    for (const metric of metricNames(ks)) {
      rows.push(evalRow({ model, variant, metric, protocol, perSeed: list.map((s) => ({ seed: s.seed, value: s.metrics[metric]! })), seedRole: o.seedRole, n: list[0]!.users, unit: 'users' }));
    }
  }
  const comparisons: EvalComparison[] = [];
  const sameArrays = (xs: Float64Array[]) => xs.every((x) => x.length === xs[0]!.length && x.every((v, i) => v === xs[0]![i]));
  const compare = (a: [string, string], b: [string, string], protocol: string) => {
    const ka = `${a[0]}|${a[1]}|${protocol}`;
    const kb = `${b[0]}|${b[1]}|${protocol}`;
    const sa = perSeed.get(ka);
    const sb = perSeed.get(kb);
    if (!sa || !sb) return;
    const base = { model: a[0], variant: a[1], baseline: b[0], baselineVariant: b[1], metric: 'NDCG@10', protocol };
    const va = sa.map((s) => s.metrics['NDCG@10']!);
    const vb = sb.map((s) => s.metrics['NDCG@10']!);
    // over seeds only when the difference varies with the seed (a deterministic pair has no seed spread to test)
    if (sa.length > 1 && new Set(va.map((x, i) => x - vb[i]!)).size > 1) comparisons.push(evalComparison({ ...base, pairing: 'seeds' }, pairedTTest(va, vb)));
    // pooled users: a model whose per-user values do not change with the seed would count every user once per seed
    const ua = perUser.get(ka)!;
    const ub = perUser.get(kb)!;
    const fixed = sameArrays(ua) && sameArrays(ub);
    const cat = (xs: Float64Array[]) => Float64Array.from((fixed ? xs.slice(0, 1) : xs).flatMap((x) => Array.from(x)));
    comparisons.push(evalComparison({ ...base, pairing: 'users' }, pairedTTest(cat(ua), cat(ub))));
  };
  for (const protocol of protocolsRun) {
    // model against model for unmodified runs; with a modality-drop grid, every variant against its model's default
    if (variants.length === 1) for (let i = 0; i < models.length; i++) for (let j = 0; j < i; j++) compare([models[i]!, variants[0]!.name], [models[j]!, variants[0]!.name], protocol);
    for (const v of variants.slice(1)) for (const m of models) compare([m, v.name], [m, variants[0]!.name], protocol);
  }
  const json = EvalJson.parse({
    formatVersion: EVAL_JSON_VERSION,
    kind: 'llmrec-eval',
    evaluation: o.evaluation,
    dataset: ds.meta.name,
    split: o.splitFor(o.seeds[0]!).meta.split,
    phase,
    protocols: Object.fromEntries([...protocolsRun].map((p) => [p, o.protocols[p] ?? p])),
    ties: TIE_RULES[o.ties ?? 'pessimistic'],
    rows,
    comparisons,
    timing: [...timing].map(([k, s]) => {
      const [model, variant] = k.split('|') as [string, string];
      return { model, variant, seconds: { fitAndScore: s } };
    }),
    machine: o.machine,
    command: o.command,
    commit: o.commit ?? null,
    createdAt: new Date().toISOString(),
    notes: o.notes ?? [],
  });
  return { json, markdown: seededMarkdown(json) };
}

const fmt = (x: number) => x.toFixed(4);

export function seededMarkdown(doc: EvalJson): string {
  const lines = [`# ${doc.dataset} / ${doc.split} — ${doc.evaluation} (${doc.phase})`, '', `\`${doc.command}\``, ''];
  for (const [protocol, desc] of Object.entries(doc.protocols)) {
    lines.push(`## ${protocol}: ${desc}`, '', '| model | variant | NDCG@10 (mean ± 95% CI) | HR@10 | NDCG@10 per seed | users |', '|---|---|---|---|---|---|');
    for (const r of doc.rows.filter((x) => x.protocol === protocol && x.metric === 'NDCG@10')) {
      const hr = doc.rows.find((x) => x.protocol === protocol && x.metric === 'HR@10' && x.model === r.model && x.variant === r.variant);
      lines.push(`| ${r.model} | ${r.variant} | ${fmt(r.mean)}${r.ci95 !== null ? ` ± ${fmt(r.ci95)}` : ''} | ${hr ? fmt(hr.mean) : ''} | ${r.perSeed.map((s) => fmt(s.value)).join(' / ')} | ${r.n} |`);
    }
    const cs = doc.comparisons.filter((c) => c.protocol === protocol);
    if (cs.length) {
      lines.push('', '| model | vs | ΔNDCG@10 | p (seeds) | p (users pooled) |', '|---|---|---|---|---|');
      const keys = new Set(cs.map((c) => `${c.model}|${c.variant}|${c.baseline}|${c.baselineVariant}`));
      for (const k of keys) {
        const [m, v, b, bv] = k.split('|');
        const bySeed = cs.find((c) => `${c.model}|${c.variant}|${c.baseline}|${c.baselineVariant}` === k && c.pairing === 'seeds');
        const byUser = cs.find((c) => `${c.model}|${c.variant}|${c.baseline}|${c.baselineVariant}` === k && c.pairing === 'users');
        const p = (c?: EvalComparison) => (c ? (c.p < 1e-3 ? c.p.toExponential(1) : c.p.toFixed(3)) : '—');
        lines.push(`| ${m}${v === 'default' ? '' : ` (${v})`} | ${b}${bv === 'default' ? '' : ` (${bv})`} | ${((bySeed ?? byUser)!.meanDiff >= 0 ? '+' : '') + fmt((bySeed ?? byUser)!.meanDiff)} | ${p(bySeed)} | ${p(byUser)} |`);
      }
    }
    lines.push('');
  }
  if (doc.notes.length) lines.push(...doc.notes.map((n) => `- ${n}`), '');
  lines.push(`Machine: ${doc.machine.cpus} CPUs, Node ${doc.machine.node}, ${doc.machine.note}. Commit ${doc.commit ?? 'unknown'}. ${doc.createdAt}`, '');
  return lines.join('\n');
}
