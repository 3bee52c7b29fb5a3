// The main table's "+ LLM" row (issue 15): the LLM re-rank is not a registered eval model (it needs the frozen LLM
// and projectors, eval/src/llm/llm-eval.ts), so its row comes from that script's record, results/llm-eval-<dataset>.json,
// read and validated here; the row says where it comes from, that its CI is over users (one training), and which
// latent model it re-ranked.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fmtP } from './format.ts';

const Stat = z.object({ mean: z.number(), ci95: z.number(), n: z.number().int() });
const Paired = z.object({ meanDiff: z.number(), p: z.number(), d: z.number() });
const AblationVariant = z.object({
  chosenWeightOnValid: z.number(),
  test: z.object({ ndcg10: Stat, hr10: Stat, llmOnlyNdcg10: Stat, hit1Llm: Stat }),
  /** What the worker's fitting made of the test prompts: their length in LLM positions (efficiency: prompt length). */
  prompt: z.object({ test: z.object({ calls: z.number().int(), meanPositions: z.number(), maxPositions: z.number() }) }).optional(),
});
/** --evidence-ablation: the prompt with KV evidence (full, as the edge), without soft evidence tokens, without evidence. */
const EvidenceAblation = z.object({
  variants: z.object({ full: AblationVariant, 'no-evidence-tokens': AblationVariant, 'no-evidence': AblationVariant }),
  /** Ablated minus full, paired over test users. */
  paired: z.object({
    'no-evidence-tokens': z.object({ ndcg10Fused: Paired, llmOnlyNdcg10: Paired, hit1Llm: Paired }),
    'no-evidence': z.object({ ndcg10Fused: Paired, llmOnlyNdcg10: Paired, hit1Llm: Paired }),
  }),
});

export const LlmEvalRecord = z.object({
  kind: z.literal('llmrec-llm-eval'),
  dataset: z.string(),
  llm: z.string(),
  latentModel: z.string(),
  chosenWeightOnValid: z.number(),
  test: z.object({
    users: z.number().int(),
    llmOff: z.object({ ndcg10: Stat, hr10: Stat }),
    llmOn: z.object({ w: z.number(), ndcg10: Stat, hr10: Stat }),
    llmOnlyNdcg10: z.number(),
    pairedNdcg10OnMinusOff: Paired,
  }),
  protocol: z.object({ prompt: z.string() }).partial().optional(),
  ablation: EvidenceAblation.optional(),
  command: z.string(),
});
export type LlmEvalRecord = z.infer<typeof LlmEvalRecord>;

/** results/llm-eval-<dataset>.json under `dir` when present and valid; a present but invalid file is an error naming it. */
export function readLlmEval(dir: string, dataset: string): { record: LlmEvalRecord; file: string } | undefined {
  const file = join(dir, `llm-eval-${dataset}.json`);
  if (!existsSync(file)) return undefined;
  const r = LlmEvalRecord.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.success) throw new Error(`${file}: not an LLM evaluation record (${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return { record: r.data, file };
}

const fig = (s: z.infer<typeof Stat>) => `${s.mean.toFixed(4)} ± ${s.ci95.toFixed(4)}`;
/** A difference with its sign, a true minus for negatives (as the LLM tables print them). */
const signed = (d: number) => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(4)}`;

/** The row, in the main table's columns, and the note that goes under the table. */
export function llmRow(label: string, rec: LlmEvalRecord, file: string): { row: string[]; note: string } {
  const t = rec.test;
  const c = t.pairedNdcg10OnMinusOff;
  return {
    row: [label, fig(t.llmOn.ndcg10), fig(t.llmOn.hr10), '', '', `LLM off (${rec.latentModel})`, signed(c.meanDiff), fmtP(c.p), c.d.toFixed(2), 'one training; CI over users', file],
    note: `"+ LLM" comes from \`${rec.command}\` (${file}), not from this report's runs: the latent model's top-20 re-ranked by the frozen LLM (${rec.llm.split('/').pop()}) ${rec.ablation ? 'from the prompt the edge sends (soft user and item tokens, the KV evidence of the 5 newest history items with soft evidence tokens)' : 'from soft user and item tokens (no KV evidence in this record\'s prompts)'}, fusion weight chosen on validation NDCG@10 (chosen: ${rec.chosenWeightOnValid}${rec.chosenWeightOnValid === 0 ? ', i.e. the LLM off: no weight helped on validation' : ''}); latent model ${rec.latentModel} (LLM off: ${fig(t.llmOff.ndcg10)}); the LLM's own ranking of the top-20 reaches NDCG@10 ${t.llmOnlyNdcg10.toFixed(4)}. The only decoder available here is stories260K (260K parameters, trained on children's stories), which knows nothing of films; the row measures the path, not what a real LLM adds.`,
  };
}

const pcell = (c: z.infer<typeof Paired>) => `${signed(c.meanDiff)}, p ${fmtP(c.p)}`;

/**
 * The component ablation "− evidence soft tokens" / "− evidence" from the record's --evidence-ablation block:
 * each variant at its own fusion weight chosen on validation, against "+ LLM (full)" paired over test users.
 */
export function evidenceAblationTable(dataset: string, rec: LlmEvalRecord & { ablation: NonNullable<LlmEvalRecord['ablation']> }, file: string): { columns: string[]; rows: string[][]; notes: string[] } {
  const a = rec.ablation;
  // Users whose prompt did not fit the LLM's context have no LLM ranking and are left out of the LLM-alone figures.
  const ranked = (st: z.infer<typeof Stat>) => (st.n < rec.test.users ? `; ${st.n} of ${rec.test.users} users ranked` : '');
  const row = (label: string, v: keyof typeof a.variants) => {
    const x = a.variants[v];
    const p = v === 'full' ? undefined : a.paired[v];
    return [
      label,
      String(x.chosenWeightOnValid),
      fig(x.test.ndcg10),
      fig(x.test.hr10),
      p ? signed(p.ndcg10Fused.meanDiff) : '—',
      p ? fmtP(p.ndcg10Fused.p) : '—',
      p ? p.ndcg10Fused.d.toFixed(2) : '—',
      `${fig(x.test.llmOnlyNdcg10)}${p ? ` (${pcell(p.llmOnlyNdcg10)})` : ''}${ranked(x.test.llmOnlyNdcg10)}`,
      `${fig(x.test.hit1Llm)}${p ? ` (${pcell(p.hit1Llm)})` : ''}${ranked(x.test.hit1Llm)}`,
      'one training; CI over users',
    ];
  };
  return {
    columns: ['variant', 'w (chosen on valid)', 'NDCG@10 full (fused)', 'HR@10 full (fused)', 'Δ NDCG@10 vs + LLM (full)', 'p (paired t over users)', 'd_z', 'LLM alone NDCG@10 of the top-20 (Δ, p vs full)', 'LLM alone Hit@1 of 20, A-LLMRec (Δ, p vs full)', 'CI'],
    rows: [
      row('+ LLM (full: KV evidence text + soft evidence tokens, as the edge sends it)', 'full'),
      row('− evidence soft tokens (same evidence text)', 'no-evidence-tokens'),
      row('− evidence (no KV evidence in the prompt)', 'no-evidence'),
    ],
    notes: [
      `From \`${rec.command}\` (${file}), not from this report's runs: ${dataset} leave-one-out test, ${rec.test.users} users, the latent model's (${rec.latentModel}) top-20 re-ranked by the frozen LLM (${rec.llm.split('/').pop()}); the three prompts on the same users in one process, each variant's fusion weight chosen on validation NDCG@10 (w = 0: the LLM does not move the ranking, so the fused columns can only differ through the weight); the LLM-alone columns show what the evidence does to the LLM's own ranking.`,
      ...(rec.protocol?.prompt ? [`Prompt: ${rec.protocol.prompt}`] : []),
    ],
  };
}
