// Offline evaluation of the LLM re-rank (frozen-LLM scorer + fusion), through the worker's production code path
// (LlmService.rank: soft prompt with the user's z_u token from the serving user encoder, cached prefix, batched
// candidate scoring; fuseScores), on the leave-one-out split:
//  1. Full ranking: the latent model's top-N re-ranked by the fused score (items below keep their latent rank);
//     the fusion weight is chosen on VALIDATION NDCG@10 (ties: the smaller weight, so 0 = LLM off wins ties) and
//     stored with the projectors (projector.json `fusion`), where the worker reads it; reported on test.
//  2. The A-LLMRec protocol: Hit@1 over 20 candidates (the target + 19 seeded negatives the user never interacted
//     with, in a seeded order), for latent / LLM / fused.
// The prompt carries the KV evidence of the newest history items as the edge sends it (prompt-variants.ts);
// --evidence-ablation also runs, on the same users in the same process, the prompt without soft evidence tokens
// ("− evidence soft tokens") and without evidence, each with its own weight chosen on validation, paired tests vs full.
// Run: npx tsx eval/src/llm/llm-eval.ts --projectors P [--model LLM] [--dataset ml-100k] [--users N] [--out F] [--evidence-ablation]
//      npx tsx eval/src/llm/llm-eval.ts --write-user-latents F   (z_u of every user's training history, for training/projectors)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { datasetDir, llmrecHome, readDataset, readItems, readSplit, TRAIN, type Dataset, type ItemRecord } from '@llmrec/data/index.ts';
import { loadModel, type LoadedLlm } from '@llmrec/gpu-worker/llm/model/load-model.ts';
import { resolveModelDir } from '@llmrec/gpu-worker/llm/model/resolve-model.ts';
import { writeNpy } from '@llmrec/gpu-worker/llm/model/npy.ts';
import { fitSoftPromptLayout, fuseScores } from '@llmrec/gpu-worker/llm/rank/llm-ranker.ts';
import { loadProjectors, type FusionChoice } from '@llmrec/gpu-worker/llm/rank/projectors.ts';
import { LlmService } from '@llmrec/gpu-worker/llm/serve/llm-service.ts';
import type { LatentModel } from '@llmrec/gpu-worker/model.ts';
import { EVIDENCE_FROM_HISTORY, EVIDENCE_PER_ITEM, type EvidenceSnippet } from '@llmrec/shared/prompt/prompt-evidence.ts';
import { loadLatentModel } from '../explanations/latent-model.ts';
import { fullRanks, userMetrics } from '../metrics/ranking.ts';
import { mixSeed, mulberry32, sampleNegatives } from '../rng.ts';
import { buildCases } from '../runner.ts';
import { meanCI, pairedTTest } from '../stats.ts';
import { describeFit, evidenceDictionary, FitTally, variantPrompt, VARIANTS, type Variant } from './prompt-variants.ts';

export const WEIGHTS = [0, 0.05, 0.1, 0.25, 0.5, 1, 2];

/** The weight with the best mean metric; ties go to the smaller weight (0 = the LLM does not move the ranking). */
export function chooseWeight(byWeight: Record<string, number[]>): number {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  return WEIGHTS.reduce((best, w) => (mean(byWeight[w]!) > mean(byWeight[best]!) + 1e-12 ? w : best), 0);
}

/** 0-based position of `target` in `cands` under `scores` (pessimistic ties). */
function position(scores: readonly number[], pos: number): number {
  return scores.filter((s, j) => j !== pos && s >= scores[pos]!).length;
}

interface SplitRun {
  users: number;
  /** Per weight, per user: NDCG@10 / HR@10 of the full ranking with the top-N re-ranked. */
  ndcg: Record<string, number[]>;
  hr: Record<string, number[]>;
  /** Per user, NDCG@10 of the LLM's own order of the top-N; null where the prompt did not fit (no LLM ranking). */
  llmOnlyNdcg: (number | null)[];
  targetInTopN: number;
  /** A-LLMRec: per weight, per user, Hit@1 among 20; and the LLM alone. */
  hit1: Record<string, number[]>;
  hit1Llm: (number | null)[];
  fit: FitTally;
}

function emptyRun(): SplitRun {
  const run: SplitRun = { users: 0, ndcg: {}, hr: {}, llmOnlyNdcg: [], targetInTopN: 0, hit1: {}, hit1Llm: [], fit: new FitTally() };
  for (const w of WEIGHTS) (run.ndcg[w] = []), (run.hr[w] = []), (run.hit1[w] = []);
  return run;
}

interface RunOptions {
  topN: number;
  maxUsers: number;
  seed: number;
  variants: readonly Variant[];
  llm: LoadedLlm;
  items: readonly ItemRecord[];
  dictionary: readonly EvidenceSnippet[][];
  log: (m: string) => void;
}

/** One pass over the users of `phase`; every variant sees the same users, candidates and latent scores (paired). */
async function runSplit(ds: Dataset, model: LatentModel, service: LlmService, phase: 'valid' | 'test', o: RunOptions): Promise<Record<Variant, SplitRun>> {
  const split = readSplit(ds, 'loo');
  const cases = buildCases(ds, split, phase);
  const titles = new Map(o.items.map((r) => [r.idx, r.title]));
  const item = (i: number) => ({ idx: i, title: titles.get(i)! });
  const n = ds.nItems;
  const interacted = new Uint8Array(n);
  const excluded = new Uint8Array(n);
  const runs = Object.fromEntries(o.variants.map((v) => [v, emptyRun()])) as Record<Variant, SplitRun>;
  const t0 = performance.now();
  const nUsers = Math.min(cases.users.length, o.maxUsers);
  const m: Record<string, number> = {};
  const count = (t: string) => o.llm.tokenizer.encode(t).length;
  // The worker's own fitting, called here too to record what it cut; a prompt that does not fit even in the
  // shortest layout fails in the worker, and the edge then serves the latent order (edge/src/recommend.ts llmRerank):
  // null then, and the fused ranking falls back to the latent order.
  const llmScoresOf = async (run: SplitRun, v: Variant, u: number, hist: number[], cands: number[], lat: number[]) => {
    const prompt = variantPrompt(v, { userId: String(u), history: hist.map(item), candidates: cands.map(item), dictionary: o.dictionary, maxHistory: 50 });
    let fitted;
    try {
      fitted = fitSoftPromptLayout(o.llm, prompt, 0);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      run.fit.add(undefined);
      return null;
    }
    run.fit.add(describeFit(fitted.prompt, count, prompt.evidence.length - fitted.layout.evidence));
    const r = await service.rank({ v: 1, requestId: `${phase}-${u}`, prompt, latentScores: lat, weight: 0 });
    const byIdx = new Map(r.items.map((x) => [x.idx, x.llmScore]));
    return cands.map((c) => byIdx.get(c)!);
  };
  for (let b = 0; b < nUsers; b++) {
    const u = cases.users[b]!;
    const hist = Array.from(cases.histories[b]!);
    const target = cases.targets[b]![0]!;
    const zu = await model.encodeUsers([hist]);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let d = 0; d < model.dim; d++) s += zu[d]! * model.itemLatents[i * model.dim + d]!;
      scores[i] = s;
    }
    // 1. Full ranking, top-N re-ranked.
    excluded.fill(0);
    for (const h of hist) excluded[h] = 1;
    excluded[target] = 0;
    const latentRank = fullRanks(scores, [target], excluded)[0]!;
    const order = Array.from(scores.keys()).filter((i) => !excluded[i] || i === target).sort((a, c) => scores[c]! - scores[a]! || a - c);
    const cands = order.slice(0, o.topN);
    const pos = cands.indexOf(target);
    // 2. A-LLMRec: 1 positive + 19 seeded negatives, in a seeded order.
    interacted.fill(0);
    let k = 0;
    for (let r = ds.userStart[u]!; r < ds.userStart[u + 1]!; r++) if (!interacted[ds.interactions.item[r]!]) (interacted[ds.interactions.item[r]!] = 1), k++;
    const rand = mulberry32(mixSeed(o.seed, u));
    const twenty = [target, ...sampleNegatives(rand, n, interacted, k, 19)];
    for (let i = twenty.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [twenty[i], twenty[j]] = [twenty[j]!, twenty[i]!];
    }
    const tpos = twenty.indexOf(target);
    const lat20 = twenty.map((c) => scores[c]!);
    for (const v of o.variants) {
      const run = runs[v];
      run.users++;
      if (pos < 0) {
        userMetrics([latentRank], [10], m);
        for (const w of WEIGHTS) run.ndcg[w]!.push(m['NDCG@10']!), run.hr[w]!.push(m['HR@10']!);
        run.llmOnlyNdcg.push(m['NDCG@10']!);
      } else {
        run.targetInTopN++;
        const lat = cands.map((c) => scores[c]!);
        const llm = await llmScoresOf(run, v, u, hist, cands, lat);
        for (const w of WEIGHTS) {
          userMetrics([position(fuseScores(lat, llm ?? lat, w), pos)], [10], m);
          run.ndcg[w]!.push(m['NDCG@10']!);
          run.hr[w]!.push(m['HR@10']!);
        }
        if (llm) userMetrics([position(llm, pos)], [10], m);
        run.llmOnlyNdcg.push(llm ? m['NDCG@10']! : null);
      }
      const llm20 = await llmScoresOf(run, v, u, hist, twenty, lat20);
      for (const w of WEIGHTS) run.hit1[w]!.push(position(fuseScores(lat20, llm20 ?? lat20, w), tpos) === 0 ? 1 : 0);
      run.hit1Llm.push(llm20 ? (position(llm20, tpos) === 0 ? 1 : 0) : null);
    }
    if ((b + 1) % 100 === 0) o.log(`llm-eval ${phase}: ${b + 1}/${nUsers} users, ${o.variants.length} variant(s) (${((performance.now() - t0) / (b + 1)).toFixed(0)} ms/user)`);
  }
  return runs;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
/** The users the LLM ranked (its prompt fitted): a prompt that failed has no LLM order to measure. */
export const answered = (xs: readonly (number | null)[]) => xs.filter((x): x is number => x !== null);
/** Paired over the users whose prompts fitted in both variants (n in the result). */
export function pairedAnswered(a: readonly (number | null)[], b: readonly (number | null)[]) {
  const keep = a.map((x, i) => x !== null && b[i] !== null);
  return pairedTTest(answered(a.filter((_, i) => keep[i])), answered(b.filter((_, i) => keep[i])));
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' },
      home: { type: 'string' },
      model: { type: 'string' },
      projectors: { type: 'string' },
      users: { type: 'string' },
      'top-n': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'no-store': { type: 'boolean' },
      'write-user-latents': { type: 'string' },
      'evidence-ablation': { type: 'boolean' },
    },
  });
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  const home = resolve(values.home ?? llmrecHome());
  const ds = readDataset(datasetDir(values.dataset ?? 'ml-100k', home));
  const model = await loadLatentModel('aligner', ds, 'loo', home, log);
  if (values['write-user-latents']) {
    const split = readSplit(ds, 'loo');
    const train: number[][] = Array.from({ length: ds.nUsers }, () => []);
    for (let u = 0; u < ds.nUsers; u++) for (let r = ds.userStart[u]!; r < ds.userStart[u + 1]!; r++) if (split.labels[r] === TRAIN) train[u]!.push(ds.interactions.item[r]!);
    const z = await model.encodeUsers(train.map((h) => (h.length ? h : [0])));
    writeNpy(values['write-user-latents'], z, [ds.nUsers, model.dim]);
    log(`wrote z_u of ${ds.nUsers} users to ${values['write-user-latents']}`);
    return;
  }
  if (!values.projectors) throw new Error('give --projectors <dir> (trained by training/projectors)');
  const projDir = resolve(values.projectors);
  const llm = await loadModel(resolveModelDir(values.model ?? resolve('..', 'shared', 'models', 'stories260K'), log));
  const tokens = await loadProjectors(projDir);
  const service = new LlmService({ llm, tokens, weight: 0, name: llm.dir, encodeUser: (h) => model.encodeUsers([h]) });
  const items = readItems(ds.dir);
  const variants: readonly Variant[] = values['evidence-ablation'] ? VARIANTS : ['full'];
  const opts: RunOptions = { topN: Number(values['top-n'] ?? 20), maxUsers: Number(values.users ?? Infinity), seed: Number(values.seed ?? 1), variants, llm, items, dictionary: evidenceDictionary(ds, items, readSplit(ds, 'loo')), log };
  const t0 = performance.now();
  const validRuns = await runSplit(ds, model, service, 'valid', opts);
  const testRuns = await runSplit(ds, model, service, 'test', opts);
  const valid = validRuns.full;
  const test = testRuns.full;
  const w = chooseWeight(valid.ndcg);
  const w20 = chooseWeight(valid.hit1);
  const choice: FusionChoice = {
    weight: w,
    chosenOn: `valid NDCG@10, ${ds.meta.name} leave-one-out, latent top-${opts.topN} re-ranked, full ranking (${valid.users} users), prompt with KV evidence as the edge sends it`,
    validNdcg10: Object.fromEntries(WEIGHTS.map((x) => [String(x), mean(valid.ndcg[x]!)])),
    llm: llm.dir,
    artifacts: model.version,
    at: new Date().toISOString(),
  };
  if (!values['no-store']) {
    // Stored with the projectors: the worker's fusion weight (gpu-worker/src/llm-from-env.ts).
    const metaPath = join(projDir, 'projector.json');
    writeFileSync(metaPath, JSON.stringify({ ...JSON.parse(readFileSync(metaPath, 'utf8')), fusion: choice }, null, 2) + '\n');
    log(`stored fusion weight ${w} in ${metaPath}`);
  }
  const ci = (xs: number[]) => meanCI(xs);
  const fits = Object.fromEntries(variants.map((v) => [v, { valid: validRuns[v].fit.toJSON(), test: testRuns[v].fit.toJSON() }]));
  const cut = (v: Variant) => {
    const f = fits[v]!;
    const calls = f.valid.calls + f.test.calls;
    const hist = (x: Record<string, number>, y: Record<string, number>) => Object.entries([x, y].reduce<Record<string, number>>((a, h) => (Object.entries(h).forEach(([k, n]) => (a[k] = (a[k] ?? 0) + n)), a), {})).map(([k, n]) => `${k} titles: ${n}`).join(', ');
    return `${v}: ${calls} prompts, ${f.valid.failed + f.test.failed} did not fit at all (latent order served), ${f.valid.candidateTitlesDropped + f.test.candidateTitlesDropped} with candidate titles dropped (soft tokens only), ${f.valid.evidenceCutPrompts + f.test.evidenceCutPrompts} with evidence cut (${f.valid.evidenceCutEntries + f.test.evidenceCutEntries} entries), history kept ${hist(f.valid.historyTitles, f.test.historyTitles)}; max ${Math.max(f.valid.maxPositions, f.test.maxPositions)} positions`;
  };
  const variantSummary = (v: Variant) => {
    const va = validRuns[v];
    const te = testRuns[v];
    const wv = chooseWeight(va.ndcg);
    return {
      chosenWeightOnValid: wv,
      validNdcg10: Object.fromEntries(WEIGHTS.map((x) => [String(x), mean(va.ndcg[x]!)])),
      test: { ndcg10: ci(te.ndcg[String(wv)]!), hr10: ci(te.hr[String(wv)]!), llmOnlyNdcg10: ci(answered(te.llmOnlyNdcg)), hit1Llm: ci(answered(te.hit1Llm)) },
      prompt: fits[v]!,
    };
  };
  const ablation = values['evidence-ablation']
    ? {
        variants: Object.fromEntries(VARIANTS.map((v) => [v, variantSummary(v)])),
        // Ablated minus full, per user on test: fused at each variant's own chosen weight; and the LLM alone.
        paired: Object.fromEntries(
          VARIANTS.filter((v) => v !== 'full').map((v) => {
            const wv = chooseWeight(validRuns[v].ndcg);
            return [v, { ndcg10Fused: pairedTTest(testRuns[v].ndcg[String(wv)]!, test.ndcg[String(w)]!), llmOnlyNdcg10: pairedAnswered(testRuns[v].llmOnlyNdcg, test.llmOnlyNdcg), hit1Llm: pairedAnswered(testRuns[v].hit1Llm, test.hit1Llm) }];
          }),
        ),
      }
    : undefined;
  const result = {
    kind: 'llmrec-llm-eval',
    dataset: ds.meta.name,
    protocol: {
      full: `leave-one-out; latent top-${opts.topN} re-ranked by standardised latent + w x standardised LLM score, full ranking over all unseen items (outside the top-${opts.topN}: latent rank); pessimistic ties; w from ${WEIGHTS.join(', ')} chosen on valid NDCG@10`,
      allmrec: 'A-LLMRec: Hit@1 among 20 candidates = the target + 19 negatives sampled uniformly (seeded per user) from items the user never interacted with, shown in a seeded order',
      prompt: `LlmService.rank (the worker path): soft prompt with the user token from the serving encoder z_u of the history, recent titles with soft item tokens, KV evidence as the edge sends it (the first ${EVIDENCE_PER_ITEM} snippets of each of the ${EVIDENCE_FROM_HISTORY} newest history items, from the dictionary \`llmrec publish\` writes, popularity counted over training rows only; each with a soft evidence token), candidates. The worker fits the prompt to the LLM's ${llm.config.max_position_embeddings ?? 4096} positions (gpu-worker/src/llm/rank/llm-ranker.ts fitSoftPrompt): history 10 -> 5 -> 3 titles, then candidates as soft tokens only, then the evidence (its newest half kept, down to none); a prompt that still does not fit fails (the edge then serves the latent order: so do the fused figures here, while the LLM-alone figures leave those users out, n says how many were ranked, and the paired LLM-alone tests use the users ranked in both variants). What it did: ${variants.map(cut).join('; ')}`,
      ...(ablation ? { ablation: 'same users, candidates and latent scores in one process; full = evidence text + soft evidence tokens (the edge), no-evidence-tokens = same text without soft evidence tokens ("− evidence soft tokens"), no-evidence = no evidence entries; each variant\'s weight chosen on valid NDCG@10; paired t-tests over test users, ablated minus full' } : {}),
    },
    llm: llm.dir,
    projectors: { dir: projDir, latents: tokens.meta.latents },
    latentModel: model.version,
    chosenWeightOnValid: w,
    valid: { users: valid.users, ndcg10: choice.validNdcg10, targetInTopN: valid.targetInTopN / valid.users, hit1: Object.fromEntries(WEIGHTS.map((x) => [String(x), mean(valid.hit1[x]!)])), hit1Llm: mean(answered(valid.hit1Llm)) },
    test: {
      users: test.users,
      targetInTopN: test.targetInTopN / test.users,
      llmOff: { ndcg10: ci(test.ndcg['0']!), hr10: ci(test.hr['0']!) },
      llmOn: { w, ndcg10: ci(test.ndcg[String(w)]!), hr10: ci(test.hr[String(w)]!) },
      byWeight: Object.fromEntries(WEIGHTS.map((x) => [String(x), { ndcg10: mean(test.ndcg[x]!), hr10: mean(test.hr[x]!) }])),
      llmOnlyNdcg10: mean(answered(test.llmOnlyNdcg)),
      pairedNdcg10OnMinusOff: pairedTTest(test.ndcg[String(w)]!, test.ndcg['0']!),
      allmrecHit1: { latent: ci(test.hit1['0']!), llm: ci(answered(test.hit1Llm)), fusedValidW: { w, ...ci(test.hit1[String(w)]!) }, fusedW20: { w: w20, chosenOn: 'valid Hit@1 (A-LLMRec protocol)', ...ci(test.hit1[String(w20)]!) } },
      validNeverBelowOff: Object.fromEntries(WEIGHTS.map((x) => [String(x), mean(valid.ndcg[x]!) >= mean(valid.ndcg['0']!)])),
    },
    ...(ablation ? { ablation } : {}),
    seconds: Math.round((performance.now() - t0) / 1000),
    machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0]!.toFixed(1)} at the end (shared machine)`,
    command: `npx tsx eval/src/llm/llm-eval.ts ${argv.join(' ')}`,
  };
  const out = resolve(values.out ?? join(home, 'results', `llm-eval-${ds.meta.name}.json`));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  const t = result.test;
  const f = (x: number) => x.toFixed(4);
  console.log(
    [
      `| setting (test, ${t.users} users) | HR@10 | NDCG@10 | Hit@1 of 20 (A-LLMRec) |`,
      '|---|---|---|---|',
      `| LLM off (latent) | ${f(t.llmOff.hr10.mean)} | ${f(t.llmOff.ndcg10.mean)} | ${f(t.allmrecHit1.latent.mean)} |`,
      `| fused, w = ${w} (valid NDCG@10) | ${f(t.llmOn.hr10.mean)} | ${f(t.llmOn.ndcg10.mean)} | ${f(t.allmrecHit1.fusedValidW.mean)} |`,
      `| fused, w = ${w20} (valid Hit@1) | - | - | ${f(t.allmrecHit1.fusedW20.mean)} |`,
      `| LLM alone | - | ${f(t.llmOnlyNdcg10)} (top-${opts.topN} only) | ${f(t.allmrecHit1.llm.mean)} |`,
      ...(ablation
        ? [
            '',
            '| variant (test) | w (valid) | NDCG@10 | HR@10 | LLM-alone NDCG@10 (top-20) | LLM-alone Hit@1 of 20 | p vs full (fused / LLM NDCG / LLM Hit@1) |',
            '|---|---|---|---|---|---|---|',
            ...VARIANTS.map((v) => {
              const a = ablation.variants[v]!;
              const p = ablation.paired[v];
              const ps = p ? `${p.ndcg10Fused.p.toFixed(3)} / ${p.llmOnlyNdcg10.p.toFixed(3)} / ${p.hit1Llm.p.toFixed(3)}` : '-';
              return `| ${v} | ${a.chosenWeightOnValid} | ${f(a.test.ndcg10.mean)} | ${f(a.test.hr10.mean)} | ${f(a.test.llmOnlyNdcg10.mean)} | ${f(a.test.hit1Llm.mean)} | ${ps} |`;
            }),
          ]
        : []),
    ].join('\n'),
  );
  log(result.protocol.prompt);
  log(`validation NDCG@10 by w: ${WEIGHTS.map((x) => `${x}: ${f(choice.validNdcg10[String(x)]!)}`).join(', ')}; wrote ${out}`);
  await model.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
