// `llmrec generate`: prints a generation of the frozen LLM through the worker's runtime (same decoder,
// tokenizer and KV cache as serving), for trying a model folder or a llama2.c checkpoint by hand.
import { type Command, UsageError, CliError, int, num, str, optStr } from '../command.ts';

export const command: Command = {
  name: 'generate',
  summary: 'generate text with an ONNX decoder through the worker runtime',
  usage: [
    'llmrec generate --model DIR --prompt TEXT [--steps N] [--temperature T] [--top-p P] [--seed S]',
    'DIR: a model folder (config.json, tokenizer.json, onnx/model.onnx, onnx/embed_tokens.npy)',
    '     or a llama2.c folder (model .bin + tok*.bin, e.g. ../shared/models/stories260K; converted once into $LLMREC_HOME/llm)',
    'Streams the text to stdout (prompt first, as the llama2.c reference prints it), then a newline.',
  ].join('\n'),
  options: {
    model: { type: 'string', description: 'model folder or llama2.c checkpoint folder' },
    prompt: { type: 'string', description: 'prompt text (default: empty = BOS only)' },
    steps: { type: 'string', description: 'positions incl. prompt tokens (default 256)' },
    temperature: { type: 'string', description: '0 = greedy (default 0)' },
    'top-p': { type: 'string', description: 'nucleus sampling mass (default 0.9 when sampling)' },
    seed: { type: 'string', description: 'sampling seed (default 42)' },
    stats: { type: 'boolean', description: 'print tokens/s to stderr' },
  },
  async run({ values }) {
    const model = str(values, 'model');
    const prompt = optStr(values, 'prompt') ?? '';
    const steps = int(values, 'steps', 256, 1, 1 << 20);
    const temperature = num(values, 'temperature', 0);
    const topP = num(values, 'top-p', temperature > 0 ? 0.9 : 1);
    if (temperature < 0) throw new UsageError('--temperature must be >= 0');
    if (!(topP > 0 && topP <= 1)) throw new UsageError('--top-p must be in (0, 1]');
    const llm = await import('@llmrec/gpu-worker/llm/index.ts');
    let loaded;
    try {
      loaded = await llm.loadModel(llm.resolveModelDir(model, (m) => process.stderr.write(`generate: ${m}\n`)));
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const ids = loaded.tokenizer.encode(prompt, { bos: true });
    if (ids.length > steps) throw new UsageError(`--steps ${steps} is shorter than the prompt (${ids.length} tokens incl. BOS)`);
    const hasBos = loaded.tokenizer.bosId !== undefined && ids[0] === loaded.tokenizer.bosId;
    process.stdout.write(loaded.tokenizer.decode(ids.slice(hasBos ? 1 : 0), hasBos ? ids[0] : -1));
    const t0 = performance.now();
    let n = 0;
    for await (const t of llm.generateStream(loaded, [{ ids }], { steps, temperature, topP, seed: int(values, 'seed', 42) })) {
      process.stdout.write(t.text);
      n++;
    }
    process.stdout.write('\n');
    if (values.stats) process.stderr.write(`generate: ${n} tokens in ${((performance.now() - t0) / 1000).toFixed(3)} s (${(n / ((performance.now() - t0) / 1000)).toFixed(0)} tok/s, incl. prefill)\n`);
    return 0;
  },
};
