// `llmrec features`: content features of a prepared dataset through the frozen pretrained encoders (issue 10 part 1;
// contract shared/src/features.ts) into $LLMREC_HOME/features/<dataset>/. Progress on stderr, resumable (Ctrl-C stops
// after the chunk in progress; run it again to continue), unusable inputs become per-item notes in features.json.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { datasetDir, DatasetNotFoundError, llmrecHome, readDatasetMeta, readItems } from '@llmrec/data/index.ts';
import { featuresDir, MODALITIES, Modality } from '@llmrec/shared/features.ts';
import { extractFeatures, openEncoder, EncoderSpecError, type EncoderSet } from '@llmrec/gpu-worker/encoders/index.ts';
import { type Command, CliError, int, optStr, str, UsageError } from '../command.ts';
import { log, progress, type Progress } from '../progress.ts';

function parseModalities(raw: string | undefined, available: Modality[]): Modality[] {
  if (raw === undefined) return available;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = Modality.safeParse(s);
      if (!m.success) throw new UsageError(`unknown modality '${s}' (known: ${MODALITIES.join(', ')})`);
      return m.data;
    });
}

export const command: Command = {
  name: 'features',
  summary: 'content features of a dataset through the frozen text/image/audio encoders',
  usage: [
    'llmrec features --dataset ml-100k                       (text + image: USE-lite, MobileNetV2)',
    'llmrec features --dataset games --modalities text',
    'llmrec features --dataset ml-100k --text-encoder onnx:./all-MiniLM-L6-v2   (a Hugging Face ONNX export)',
    'encoders: text use-lite | onnx:<dir>; image mobilenet-v2 | onnx:<dir>; audio basic-pitch | onnx:<dir>',
  ].join('\n'),
  options: {
    dataset: { type: 'string', short: 'd', description: 'prepared dataset name (llmrec data)' },
    modalities: { type: 'string', description: 'comma-separated (default: text + whatever media the dataset has)' },
    'text-encoder': { type: 'string', description: 'use-lite (default) or onnx:<dir>' },
    'image-encoder': { type: 'string', description: 'mobilenet-v2 (default) or onnx:<dir>' },
    'audio-encoder': { type: 'string', description: 'basic-pitch (default) or onnx:<dir>' },
    home: { type: 'string', description: 'data root (default $LLMREC_HOME or ./.llmrec)' },
    threads: { type: 'string', description: 'onnxruntime threads (default 2)' },
    chunk: { type: 'string', description: 'items per resumable chunk (default 64)' },
  },
  async run({ values }) {
    const dataset = str(values, 'dataset');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(dataset)) throw new UsageError(`--dataset '${dataset}' is not a dataset name (letters, digits, '.', '_', '-')`);
    const home = resolve(optStr(values, 'home') ?? llmrecHome());
    const dir = datasetDir(dataset, home);
    let meta;
    try {
      meta = readDatasetMeta(dir);
    } catch (e) {
      if (e instanceof DatasetNotFoundError) throw new CliError(`${(e as Error).message}`);
      throw e;
    }
    const available: Modality[] = ['text', ...(meta.modalities.image > 0 ? (['image'] as const) : []), ...(meta.modalities.audio > 0 ? (['audio'] as const) : [])];
    const modalities = parseModalities(optStr(values, 'modalities'), available);
    const items = readItems(dir);
    const itemsSha256 = createHash('sha256').update(readFileSync(join(dir, 'items.jsonl'))).digest('hex');
    const threads = int(values, 'threads', 2, 1, 64);
    const chunkSize = int(values, 'chunk', 64, 1, 100000);
    const encoders: EncoderSet = {};
    const opts = { home, threads, log: (m: string) => log('features', m) };
    try {
      for (const m of modalities) {
        const spec = optStr(values, `${m}-encoder`);
        (encoders as Record<string, unknown>)[m] = await openEncoder(m, spec, opts);
      }
    } catch (e) {
      if (e instanceof EncoderSpecError) throw new UsageError(e.message);
      throw new CliError(`cannot open encoder: ${(e as Error).message}`);
    }
    const abort = new AbortController();
    const onSigint = () => {
      log('features', 'interrupted: finishing the chunk in progress (run the command again to resume)');
      abort.abort();
    };
    process.once('SIGINT', onSigint);
    const bars = new Map<Modality, Progress>();
    const t0 = Date.now();
    try {
      const out = featuresDir(home, dataset);
      const result = await extractFeatures({
        dataset,
        items,
        itemsSha256,
        outDir: out,
        encoders,
        chunkSize,
        signal: abort.signal,
        log: (m) => log('features', m),
        onProgress: (m, done, total) => {
          let bar = bars.get(m);
          if (!bar) bars.set(m, (bar = progress(`features ${m}`, total, { unit: 'items' })));
          bar.update(done);
        },
      });
      for (const b of bars.values()) b.done();
      for (const [m, r] of Object.entries(result.runs)) {
        const entry = result.manifest?.modalities[m as Modality];
        const counts = entry ? `, ${entry.count.present} present, ${entry.count.missing} missing, ${entry.notes.length} notes` : '';
        log('features', `${m}: ${r.status} (${r.chunksComputed} chunks computed, ${r.chunksReused} resumed, ${r.seconds.toFixed(1)}s${counts})`);
      }
      if (Object.values(result.runs).some((r) => r.status === 'aborted')) {
        log('features', `stopped after ${((Date.now() - t0) / 1000).toFixed(0)}s; finished chunks are kept under ${out}/.partial`);
        return 130;
      }
      console.log(join(out, 'features.json'));
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
      for (const e of Object.values(encoders)) await e?.close();
    }
  },
};
