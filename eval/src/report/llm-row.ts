// The main table's "+ LLM" row (issue 15): the LLM re-rank is not a registered eval model (it needs the frozen LLM
// and projectors, eval/src/llm/llm-eval.ts), so its row comes from that script's record, results/llm-eval-<dataset>.json,
// read and validated here; the row says where it comes from, that its CI is over users (one training), and which
// latent model it re-ranked.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const Stat = z.object({ mean: z.number(), ci95: z.number(), n: z.number().int() });

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
    pairedNdcg10OnMinusOff: z.object({ meanDiff: z.number(), p: z.number(), d: z.number() }),
  }),
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

/** The row, in the main table's columns, and the note that goes under the table. */
export function llmRow(label: string, rec: LlmEvalRecord, file: string): { row: string[]; note: string } {
  const t = rec.test;
  const c = t.pairedNdcg10OnMinusOff;
  const sign = c.meanDiff >= 0 ? '+' : '−';
  return {
    row: [label, fig(t.llmOn.ndcg10), fig(t.llmOn.hr10), '', '', `LLM off (${rec.latentModel})`, `${sign}${Math.abs(c.meanDiff).toFixed(4)}`, c.p >= 0.001 ? c.p.toFixed(3) : c.p.toExponential(1), c.d.toFixed(2), 'one training; CI over users', file],
    note: `"+ LLM" comes from \`${rec.command}\` (${file}), not from this report's runs: the latent model's top-20 re-ranked by the frozen LLM (${rec.llm.split('/').pop()}) with soft tokens, fusion weight chosen on validation NDCG@10 (chosen: ${rec.chosenWeightOnValid}${rec.chosenWeightOnValid === 0 ? ', i.e. the LLM off: no weight helped on validation' : ''}); latent model ${rec.latentModel} (LLM off: ${fig(t.llmOff.ndcg10)}); the LLM's own ranking of the top-20 reaches NDCG@10 ${t.llmOnlyNdcg10.toFixed(4)}. The only decoder available here is stories260K (260K parameters, trained on children's stories), which knows nothing of films; the row measures the path, not what a real LLM adds.`,
  };
}
