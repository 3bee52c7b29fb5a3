// `llmrec prepare-llm`: makes an ordinary text-only ONNX decoder export soft-promptable (input_ids ->
// inputs_embeds, embedding table saved beside it) so the frozen LLM can take projected latents.
import { CliError, str, optStr, flag, type Command } from '../command.ts';

export const command: Command = {
  name: 'prepare-llm',
  summary: 'rewrite a text-only ONNX decoder to take inputs_embeds (soft prompts)',
  usage: [
    'llmrec prepare-llm --in DIR/onnx/model.onnx --out OUTDIR [--ids-input input_ids] [--external-data]',
    'Writes OUTDIR/onnx/model.onnx (+ .data for large models), OUTDIR/onnx/embed_tokens.npy and',
    'OUTDIR/config.json (+ tokenizer files found beside the export); then: llmrec generate --model OUTDIR',
  ].join('\n'),
  options: {
    in: { type: 'string', description: 'the exported decoder (takes input_ids)' },
    out: { type: 'string', description: 'output model folder' },
    'ids-input': { type: 'string', description: 'name of the token-id input (default input_ids)' },
    'external-data': { type: 'boolean', description: 'store weights in onnx/model.onnx.data (default: as the source / when > 1.5 GB)' },
  },
  async run({ values }) {
    const { prepareLlm } = await import('@llmrec/gpu-worker/llm/prepare/prepare-llm.ts');
    const input = str(values, 'in');
    const t0 = performance.now();
    try {
      const r = prepareLlm({
        input,
        outDir: str(values, 'out'),
        idsInput: optStr(values, 'ids-input'),
        ...(flag(values, 'external-data') ? { externalData: true } : {}),
        log: (m) => process.stderr.write(`prepare-llm: ${m}\n`),
      });
      process.stderr.write(`prepare-llm: done in ${((performance.now() - t0) / 1000).toFixed(1)} s (vocab ${r.vocab}, hidden ${r.hidden}, tied head ${r.tied}, ${r.rewrittenShapeNodes} Shape uses of input_ids rewritten)\n`);
      console.log(JSON.stringify(r));
      return 0;
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  },
};
