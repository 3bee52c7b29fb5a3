// `llmrec eval --explanations`: explains the top recommendations of every test user with the serving model's own
// code path (explainWithModel over the worker's LatentModel: one batched encoder run for the attribution, one for
// faithfulness), once with the co-interaction baseline and once with attribution evidence, and reports ERASER
// faithfulness against random evidence of equal size plus PETER-style quality figures (report.ts, quality.ts).
import { readItems, TRAIN, type Dataset, type Split } from '@llmrec/data/index.ts';
import { modelScorer } from '@llmrec/gpu-worker/attribution/model-scorer.ts';
import { CoInteractionIndex } from '@llmrec/shared/evidence/co-interaction.ts';
import { historyWindow } from '@llmrec/shared/evidence/attribution.ts';
import { explainWithModel } from '@llmrec/shared/evidence/explain-with-model.ts';
import { itemFacts } from '@llmrec/shared/evidence/item-facts.ts';
import { DEFAULT_MIN_CO_USERS, type ItemFacts } from '@llmrec/shared/evidence/schema.ts';
import { buildCases } from '../runner.ts';
import { LATENT_MODELS, loadLatentModel } from './latent-model.ts';
import { pairedTTest } from '../stats.ts';
import { qualityFigures, type CitedExplanation } from './quality.ts';
import { ExplanationsReport, formatExplanationsMarkdown, methodResult, type MethodSamples } from './report.ts';

/** Models `--explanations` can explain: those scoring z_u . z_i through a user encoder (the serving kind). */
export const EXPLAINABLE_MODELS = LATENT_MODELS;

export interface ExplanationsEvalOptions {
  ds: Dataset;
  split: Split;
  model: string;
  home: string;
  phase?: 'test' | 'valid';
  /** Recommendations explained per user (default 10). */
  perUser?: number;
  /** Random subsets per faithfulness baseline (default 10). */
  samples?: number;
  minCoUsers?: number;
  maxUsers?: number;
  log?: (m: string) => void;
  onProgress?: (done: number, total: number) => void;
  machine: ExplanationsReport['machine'];
  command: string;
}

function samples(n: number): MethodSamples {
  const a = () => new Float64Array(n);
  return { size: a(), compDrop: a(), compRandomDrop: a(), compRankDrop: a(), compRandomRankDrop: a(), suffDrop: a(), suffRandomDrop: a(), suffRankDrop: a(), suffRandomRankDrop: a() };
}

export async function evaluateExplanations(o: ExplanationsEvalOptions): Promise<{ report: ExplanationsReport; markdown: string }> {
  const t0 = performance.now();
  const phase = o.phase ?? 'test';
  const perUser = o.perUser ?? 10;
  const nSamples = o.samples ?? 10;
  const minCoUsers = o.minCoUsers ?? DEFAULT_MIN_CO_USERS;
  const model = await loadLatentModel(o.model, o.ds, o.split.meta.split, o.home, o.log);
  if (model.items !== o.ds.nItems) throw new Error(`model ${o.model} covers ${model.items} items, the dataset ${o.ds.nItems}`);
  const facts: ItemFacts[] = readItems(o.ds.dir).map((r) => itemFacts(r));
  const catalogueFeatures = new Set(facts.flatMap((f) => f.attributes.map((a) => `${a.kind}:${a.value}`))).size;
  // Co-user counts over the training rows only (what `llmrec publish` publishes).
  const train: number[][] = Array.from({ length: o.ds.nUsers }, () => []);
  for (let u = 0; u < o.ds.nUsers; u++) for (let r = o.ds.userStart[u]!; r < o.ds.userStart[u + 1]!; r++) if (o.split.labels[r] === TRAIN) train[u]!.push(o.ds.interactions.item[r]!);
  const co = new CoInteractionIndex(train, o.ds.nItems);
  const cases = buildCases(o.ds, o.split, phase);
  const nUsers = Math.min(cases.users.length, o.maxUsers ?? Infinity);
  const methods = ['co-interaction', 'attribution'] as const;
  const acc = Object.fromEntries(methods.map((m) => [m, samples(nUsers * perUser)])) as Record<(typeof methods)[number], MethodSamples>;
  const cited = Object.fromEntries(methods.map((m) => [m, [] as CitedExplanation[]])) as Record<(typeof methods)[number], CitedExplanation[]>;
  const { dim, itemLatents } = model;
  const latent = (i: number) => itemLatents.subarray(i * dim, (i + 1) * dim);
  let k = 0;
  for (let b = 0; b < nUsers; b++) {
    const hist = Array.from(cases.histories[b]!);
    const zu = await model.encodeUsers([hist]);
    const seen = new Set(hist);
    const scores = Array.from({ length: model.items }, (_, i) => (seen.has(i) ? -Infinity : latent(i).reduce((s, x, d) => s + x * zu[d]!, 0)));
    const top = Array.from(scores.keys()).sort((a, c) => scores[c]! - scores[a]! || a - c).slice(0, perUser);
    // Only window items can be cited: count co-users for those (0 elsewhere).
    const win = new Set(historyWindow(hist));
    const input = {
      history: hist.map((i) => facts[i]!),
      items: top.map((i) => facts[i]!),
      coUsers: top.map((it) => hist.map((h) => (win.has(h) ? co.count(it, h) : 0))),
      latent,
      minCoUsers,
    };
    for (const method of methods) {
      const out = await explainWithModel(modelScorer(model), input, { method, samples: nSamples, seed: cases.users[b]! + 1 });
      out.forEach((e, j) => {
        const s = acc[method];
        const f = e.faithfulness;
        const i = k + j;
        s.size[i] = f.size;
        s.compDrop[i] = f.comprehensiveness.scoreDrop;
        s.compRandomDrop[i] = f.comprehensiveness.randomScoreDrop;
        s.compRankDrop[i] = f.comprehensiveness.rank - f.rank;
        s.compRandomRankDrop[i] = f.comprehensiveness.randomRank - f.rank;
        s.suffDrop[i] = f.sufficiency.scoreDrop;
        s.suffRandomDrop[i] = f.sufficiency.randomScoreDrop;
        s.suffRankDrop[i] = f.sufficiency.rank - f.rank;
        s.suffRandomRankDrop[i] = f.sufficiency.randomRank - f.rank;
        cited[method].push({ text: e.rationale.text, items: e.rationale.cited.neighbours, features: e.rationale.cited.attributes.map((a) => `${a.kind}:${a.value}`) });
      });
    }
    k += top.length;
    o.onProgress?.(b + 1, nUsers);
  }
  const results = methods.map((m) => {
    const s = acc[m];
    const trim = Object.fromEntries(Object.entries(s).map(([key, v]) => [key, (v as Float64Array).subarray(0, k)])) as unknown as MethodSamples;
    return methodResult(m, trim, qualityFigures(cited[m], catalogueFeatures, o.ds.nItems));
  });
  const a = acc.attribution;
  const c = acc['co-interaction'];
  const bar = (m: (typeof results)[number]) => ({ ratio: m.comprehensiveness.scoreDrop.ratio, p: m.comprehensiveness.scoreDrop.paired.p, met: m.comprehensiveness.scoreDrop.ratio >= 2 && m.comprehensiveness.scoreDrop.paired.p < 0.01 });
  const attMean = results[1]!.comprehensiveness.scoreDrop.cited.mean;
  const coMean = results[0]!.comprehensiveness.scoreDrop.cited.mean;
  const report = ExplanationsReport.parse({
    kind: 'llmrec-explanations-eval',
    v: 1,
    dataset: o.ds.meta.name,
    split: o.split.meta.split,
    phase,
    model: `${o.model} (${model.version})`,
    protocol: `top-${perUser} recommendations per user (full ranking, history excluded); cited = the history items the rationale names; comprehensiveness = score (z_u . z_i) and rank change with the cited items removed from the history, sufficiency = with only them kept; random = mean over ${nSamples} seeded subsets of equal size from the same 50-item window; evidence cited only with >= ${minCoUsers} co-users (training rows); paired t-tests over explanations citing >= 1 item`,
    users: nUsers,
    perUser,
    samples: nSamples,
    minCoUsers,
    methods: results,
    attributionVsCoInteraction: {
      comprehensivenessScoreDrop: pairedTTest(a.compDrop.subarray(0, k), c.compDrop.subarray(0, k)),
      comprehensivenessRankDrop: pairedTTest(a.compRankDrop.subarray(0, k), c.compRankDrop.subarray(0, k)),
      sufficiencyScoreDrop: pairedTTest(a.suffDrop.subarray(0, k), c.suffDrop.subarray(0, k)),
    },
    bars: {
      citedVsRandom: Object.fromEntries(results.map((m) => [m.method, bar(m)])),
      attributionAtLeastCoInteraction: { attribution: attMean, coInteraction: coMean, met: attMean >= coMean },
    },
    seconds: Math.round((performance.now() - t0) / 1000),
    machine: o.machine,
    command: o.command,
    createdAt: new Date().toISOString(),
  });
  await model.close();
  return { report, markdown: formatExplanationsMarkdown(report) };
}
