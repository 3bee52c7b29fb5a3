// Offline evaluation of the LLM layer on a leave-one-out split (ML-100K by default):
//  1. LLM-on vs LLM-off: the latent model's top-N candidates re-ranked by the fused score
//     (standardised latent + w * standardised LLM log-likelihood), w chosen on validation, reported on test
//     under full ranking (items outside the top-N keep their latent rank).
//  2. Faithfulness audit of rationales over all test users (top-10 recommendations each).
// Run: npx tsx gpu-worker/src/llm/eval/llm-eval.ts --dataset-dir D --model M --projectors P [--users N]
//      [--artifacts A]  (z_u from the trained user encoder of `llmrec train`; default: mean history latent)
//      [--write-user-latents F --artifacts A]  (writes z_u of every user's training history, for projector training)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildEvidence, checkRationale, CoInteractionIndex, removalCheck, renderRationale, type EvidenceSource } from '@llmrec/shared/evidence/index.ts';
import { assemblePrompt } from '@llmrec/shared/prompt/segments.ts';
import { loadModel, type LoadedLlm } from '../model/load-model.ts';
import { llmrecHome, resolveModelDir } from '../model/resolve-model.ts';
import { encodePrefix, embedSoftPrompt, fitSoftPrompt, fuseScores, llmSlotChooser, scoreCandidates } from '../rank/llm-ranker.ts';
import { historyLatent, loadProjectors, row, type SoftTokens } from '../rank/projectors.ts';
import { readLoo, type LooData } from './loo-data.ts';
import { loadUserEncoder, type UserEncoder } from './user-encoder.ts';
import { writeNpy } from '../model/npy.ts';

type UserLatentFn = (history: readonly number[]) => Promise<Float32Array>;

function userLatentFn(p: SoftTokens, enc?: UserEncoder): UserLatentFn {
  return enc ? async (h) => (await enc.encode([h])).slice() : async (h) => historyLatent(p, h.slice(-50));
}

const WEIGHTS = [0, 0.05, 0.1, 0.25, 0.5, 1, 2];

function latentScores(p: SoftTokens, zu: Float32Array): Float64Array {
  const d = p.meta.latentDim;
  const n = p.itemLatents.shape[0]!;
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = row(p.itemLatents.data, i, d);
    let dot = 0;
    for (let k = 0; k < d; k++) dot += zu[k]! * r[k]!;
    s[i] = dot;
  }
  return s;
}

/** Items by descending score, excluding `seen`. */
function ranking(scores: Float64Array, seen: Set<number>): number[] {
  return Array.from(scores.keys()).filter((i) => !seen.has(i)).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

const ndcgAt = (rank: number, k: number) => (rank < k ? 1 / Math.log2(rank + 2) : 0);

interface SplitResult { users: number; hr10: Record<string, number>; ndcg10: Record<string, number>; llmOnlyNdcg10: number; targetInTopN: number; perUserNdcg: Record<string, number[]> }

async function evalSplit(llm: LoadedLlm, p: SoftTokens, userLatent: UserLatentFn, data: LooData, which: 'valid' | 'test', topN: number, maxUsers: number, log: (m: string) => void): Promise<SplitResult> {
  const hr: Record<string, number> = Object.fromEntries(WEIGHTS.map((w) => [w, 0]));
  const nd: Record<string, number> = Object.fromEntries(WEIGHTS.map((w) => [w, 0]));
  const perUser: Record<string, number[]> = Object.fromEntries(WEIGHTS.map((w) => [w, [] as number[]]));
  let llmOnly = 0;
  let n = 0;
  let inTop = 0;
  const t0 = performance.now();
  for (let u = 0; u < data.train.length && n < maxUsers; u++) {
    const target = which === 'valid' ? data.valid[u]! : data.test[u]!;
    if (target < 0) continue;
    const hist = which === 'valid' ? data.train[u]! : [...data.train[u]!, data.valid[u]!].filter((i) => i >= 0);
    const zu = await userLatent(hist);
    const scores = latentScores(p, zu);
    const order = ranking(scores, new Set(hist));
    const latentRank = order.indexOf(target);
    const cands = order.slice(0, topN);
    n++;
    const pos = cands.indexOf(target);
    if (pos < 0) {
      for (const w of WEIGHTS) {
        hr[w]! += latentRank < 10 ? 1 : 0;
        nd[w]! += ndcgAt(latentRank, 10);
        perUser[w]!.push(ndcgAt(latentRank, 10));
      }
      llmOnly += ndcgAt(latentRank, 10);
    } else {
      inTop++;
      const seg = assemblePrompt({ userId: String(u), history: hist.map((i) => ({ idx: i, title: data.items[i]!.title })), candidates: cands.map((i) => ({ idx: i, title: data.items[i]!.title })), maxHistory: 10 });
      const llmScores = (await scoreCandidates(llm, { tokens: p, userLatent: zu }, fitSoftPrompt(llm, seg, u))).map((s) => s.score);
      const lat = cands.map((c) => scores[c]!);
      for (const w of WEIGHTS) {
        const fused = fuseScores(lat, llmScores, w);
        const r = fused.filter((x, j) => j !== pos && (x > fused[pos]! || (x === fused[pos]! && j < pos))).length;
        hr[w]! += r < 10 ? 1 : 0;
        nd[w]! += ndcgAt(r, 10);
        perUser[w]!.push(ndcgAt(r, 10));
      }
      const ro = llmScores.filter((x, j) => j !== pos && x > llmScores[pos]!).length;
      llmOnly += ndcgAt(ro, 10);
    }
    if (n % 100 === 0) log(`llm-eval ${which}: ${n} users (${((performance.now() - t0) / n).toFixed(0)} ms/user)`);
  }
  const avg = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v / n]));
  return { users: n, hr10: avg(hr), ndcg10: avg(nd), llmOnlyNdcg10: llmOnly / n, targetInTopN: inTop / n, perUserNdcg: perUser };
}

/** Paired comparison over users (normal approximation of the paired t-test; n in the hundreds). */
function paired(a: readonly number[], b: readonly number[]): { meanDiff: number; t: number; p: number } {
  const d = a.map((x, i) => x - b[i]!);
  const n = d.length;
  const m = d.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, n - 1));
  const t = sd > 0 ? m / (sd / Math.sqrt(n)) : 0;
  // Two-sided p from the standard normal (Abramowitz-Stegun erf approximation).
  const z = Math.abs(t) / Math.SQRT2;
  const k = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * k - 1.453152027) * k + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.exp(-z * z);
  return { meanDiff: m, t, p: sd > 0 ? 1 - erf : 1 };
}

async function auditRationales(llm: LoadedLlm, p: SoftTokens, userLatent: UserLatentFn, data: LooData, minCoUsers: number, maxUsers: number, llmUsers: number, log: (m: string) => void) {
  const co = new CoInteractionIndex(data.train, data.items.length);
  const src: EvidenceSource = { facts: (i) => data.items[i]!, latent: (i) => row(p.itemLatents.data, i, p.meta.latentDim), coUsers: (a, b) => co.count(a, b) };
  const res = { rationales: 0, faithful: 0, removalOk: 0, belowThreshold: 0, withNeighbour: 0, withAttribute: 0, llmChosen: 0, llmChosenFaithful: 0, problems: [] as string[] };
  let users = 0;
  for (let u = 0; u < data.train.length && users < maxUsers; u++) {
    if (data.test[u]! < 0) continue;
    users++;
    const hist = [...data.train[u]!, data.valid[u]!].filter((i) => i >= 0);
    const zu = await userLatent(hist);
    const recs = ranking(latentScores(p, zu), new Set(hist)).slice(0, 10);
    const titles = [...hist, ...recs].map((i) => data.items[i]!.title);
    for (const c of recs) {
      const ev = buildEvidence(src, c, hist, { minCoUsers });
      const r = await renderRationale(ev);
      res.rationales++;
      const chk = checkRationale(r, ev, titles);
      if (chk.ok) res.faithful++;
      else if (res.problems.length < 10) res.problems.push(...chk.problems);
      if ((await removalCheck(r, ev)).ok) res.removalOk++;
      res.belowThreshold += ev.neighbours.filter((x) => co.count(x.idx, c) < minCoUsers).length;
      if (r.cited.neighbours.length) res.withNeighbour++;
      if (r.cited.attributes.length) res.withAttribute++;
    }
    if (users <= llmUsers) {
      // LLM-chosen slots for the top recommendation, after the user's soft prompt.
      const seg = assemblePrompt({ userId: String(u), history: hist.map((i) => ({ idx: i, title: data.items[i]!.title })), candidates: [{ idx: recs[0]!, title: data.items[recs[0]!]!.title }], maxHistory: 10 });
      const prefix = await encodePrefix(llm, await embedSoftPrompt(llm, { tokens: p, userLatent: zu }, fitSoftPrompt(llm, seg, u)));
      const ev = buildEvidence(src, recs[0]!, hist, { minCoUsers });
      const r = await renderRationale(ev, llmSlotChooser(llm, prefix));
      res.llmChosen++;
      if (checkRationale(r, ev, titles).ok) res.llmChosenFaithful++;
    }
    if (users % 200 === 0) log(`llm-eval audit: ${users} users`);
  }
  return { users, minCoUsers, ...res };
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'dataset-dir': { type: 'string' },
      model: { type: 'string' },
      projectors: { type: 'string' },
      users: { type: 'string' },
      'audit-users': { type: 'string' },
      'top-n': { type: 'string' },
      k: { type: 'string' },
      out: { type: 'string' },
      artifacts: { type: 'string' },
      'write-user-latents': { type: 'string' },
    },
  });
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const home = llmrecHome();
  const datasetDir = resolve(values['dataset-dir'] ?? join(home, 'datasets', 'ml-100k'));
  const enc = values.artifacts ? await loadUserEncoder(resolve(values.artifacts)) : undefined;
  if (values['write-user-latents']) {
    if (!enc) throw new Error('--write-user-latents needs --artifacts');
    const d = readLoo(datasetDir);
    const z = await enc.encode(d.train.map((h) => (h.length ? h : [0])));
    writeNpy(values['write-user-latents'], z, [d.train.length, enc.dim]);
    log(`wrote z_u of ${d.train.length} users to ${values['write-user-latents']}`);
    return;
  }
  const llm = await loadModel(resolveModelDir(values.model ?? resolve('..', 'shared', 'models', 'stories260K'), log));
  const p = await loadProjectors(resolve(values.projectors ?? join(home, 'projectors', 'ml-100k-stories260K')));
  const data = readLoo(datasetDir);
  const maxUsers = Number(values.users ?? Infinity);
  const topN = Number(values['top-n'] ?? 20);
  const minCoUsers = Number(values.k ?? 5);
  const t0 = performance.now();
  const userLatent = userLatentFn(p, enc);
  const valid = await evalSplit(llm, p, userLatent, data, 'valid', topN, maxUsers, log);
  const bestW = WEIGHTS.reduce((b, w) => (valid.ndcg10[w]! > valid.ndcg10[b]! ? w : b), 0);
  const test = await evalSplit(llm, p, userLatent, data, 'test', topN, maxUsers, log);
  const audit = await auditRationales(llm, p, userLatent, data, minCoUsers, Number(values['audit-users'] ?? Infinity), 50, log);
  const result = {
    dataset: datasetDir,
    protocol: `leave-one-out; latent top-${topN} re-ranked by the fused score, full ranking over all unseen items (outside the top-${topN}: latent rank)`,
    llm: llm.dir,
    projectors: p.meta,
    userLatents: enc ? `user encoder of ${values.artifacts}` : 'mean joint latent of the last 50 history items',
    chosenWeightOnValid: bestW,
    valid: { ...valid, perUserNdcg: undefined },
    test: { ...test, perUserNdcg: undefined },
    testLlmOff: { hr10: test.hr10['0'], ndcg10: test.ndcg10['0'] },
    testLlmOn: { w: bestW, hr10: test.hr10[String(bestW)], ndcg10: test.ndcg10[String(bestW)] },
    testPairedNdcg10OnMinusOff: paired(test.perUserNdcg[String(bestW)]!, test.perUserNdcg['0']!),
    audit,
    seconds: Math.round((performance.now() - t0) / 1000),
    machine: 'shared 2-core CPU box, contended by other agents',
  };
  const out = resolve(values.out ?? join('results', 'llm-eval-ml-100k.json'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`| setting | HR@10 | NDCG@10 |\n|---|---|---|\n| LLM off (latent only) | ${test.hr10['0']!.toFixed(4)} | ${test.ndcg10['0']!.toFixed(4)} |\n| LLM on (w=${bestW}, chosen on valid) | ${test.hr10[String(bestW)]!.toFixed(4)} | ${test.ndcg10[String(bestW)]!.toFixed(4)} |\n| LLM only within top-${topN} | - | ${test.llmOnlyNdcg10.toFixed(4)} |`);
  const pt = result.testPairedNdcg10OnMinusOff;
  console.log(`paired over ${test.users} test users, NDCG@10 on - off: ${pt.meanDiff.toFixed(5)} (t = ${pt.t.toFixed(2)}, p = ${pt.p.toFixed(3)})`);
  console.log(`rationales: ${audit.faithful}/${audit.rationales} faithful, removal check ${audit.removalOk}/${audit.rationales}, neighbours below k=${minCoUsers}: ${audit.belowThreshold}, LLM-chosen faithful ${audit.llmChosenFaithful}/${audit.llmChosen}; wrote ${out}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
