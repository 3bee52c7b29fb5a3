// `llmrec report`: the paper's tables and plots from one command (issue 15). Trains (or reuses) the backbone for
// every dataset and training seed, evaluates every registered method (leave-one-out and cold split), runs the
// streaming ablation, reads other evaluations' EvalJson documents and the benchmark records, and writes
// <out>/report.md, report.html (self-contained, plots as inline SVG), report.json and plots/*.svg. Every task's
// output is cached under $LLMREC_HOME/report-cache/<quick|full>/, so an interrupted report resumes where it
// stopped (and an interrupted SASRec step resumes from its checkpoint).
import { readLlmEval } from '@llmrec/eval/report/llm-row.ts';
import { adoptedNote, configMismatches, readBackboneRecord } from '@llmrec/eval/report/backbone-record.ts';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { computeSplit, DATASET_NAMES, DatasetName, datasetDir, llmrecHome, prepareDataset, readDataset, readSplit, REPO_ROOT, SHARED_FOLDER, sharedDataDir, splitExists, writeSplit, type Dataset, type SplitName } from '@llmrec/data/index.ts';
import { EvalJson } from '@llmrec/eval/report.ts';
import { MODELS, loadModel } from '@llmrec/eval/models/registry.ts';
import type { ModelSpec } from '@llmrec/eval/models/types.ts';
import { buildCases, runModel } from '@llmrec/eval/runner.ts';
import { newestDocs, type ExternalDoc } from '@llmrec/eval/report/external.ts';
import type { BenchFile, Maybe, ReportInputs } from '@llmrec/eval/report/inputs.ts';
import { TrainRecord } from '@llmrec/eval/report/inputs.ts';
import type { ReportDoc } from '@llmrec/eval/report/model.ts';
import { renderHtml, renderMarkdown, renderPlots } from '@llmrec/eval/report/render.ts';
import { RunRecord, toRunRecord } from '@llmrec/eval/report/run-record.ts';
import { buildSections, datasetLabel, METHODS } from '@llmrec/eval/report/sections.ts';
import { ABLATION_MODELS, runStreamingTable } from '@llmrec/eval/streaming/cli-table.ts';
import { type Command, CliError, flag, type OptionSpec, optStr, UsageError } from '../command.ts';
import { gitCommit } from '../git-commit.ts';
import { log } from '../progress.ts';
import { contentEvaluations } from '../training/report-content.ts';
import { resolveFeatures } from '../training/resolve-features.ts';
import { defaultConfig, runPipeline } from './train.ts';

type Cfg = ReturnType<typeof defaultConfig>;

/** --quick: a small but complete report for CI — ML-100K, two training seeds of a few epochs, one sampling seed,
 * the first 200 online events of the stream. */
function quickConfig(dataset: string): Cfg {
  const c = defaultConfig(dataset);
  return { sasrec: { ...c.sasrec, epochs: 1, eval_every: 1, windows: 0 }, aligner: { ...c.aligner, epochs: 1 }, fusion: { ...c.fusion, epochs: 1 }, pq: { ...c.pq, iters: 3, finetune_steps: 0 } };
}

function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(value));
  renameSync(`${file}.tmp`, file);
}

function prepared(home: string, name: DatasetName, splits: SplitName[]): Dataset {
  const dir = datasetDir(name, home);
  if (!existsSync(join(dir, 'dataset.json'))) {
    const shared = sharedDataDir();
    const folder = SHARED_FOLDER[name];
    if (!shared || !folder) throw new CliError(`dataset ${name} is not prepared in ${dir} and no shared raw files were found: run \`llmrec data --dataset ${name} --from <folder>\``);
    log('report', `${name}: preparing from ${join(shared, folder)}`);
    prepareDataset({ name, from: join(shared, folder), home, log });
  }
  let ds = readDataset(dir);
  for (const s of splits) if (!splitExists(dir, s)) writeSplit(dir, computeSplit({ ...ds, hasTimestamps: ds.meta.hasTimestamps }, s));
  ds = readDataset(dir);
  return ds;
}

/** The SASRec step's validation curve, read from the step folder whose config is the manifest's. */
function validationCurve(seedHome: string, dataset: string, sasrecCfg: Record<string, unknown>): { curve: { epoch: number; value: number }[]; stoppedByTime: boolean; cpuSeconds: number | null } {
  const root = join(seedHome, 'cache', 'train', dataset, 'loo');
  if (!existsSync(root)) return { curve: [], stoppedByTime: false, cpuSeconds: null };
  for (const d of readdirSync(root).filter((x) => x.startsWith('sasrec-'))) {
    const done = join(root, d, 'done.json');
    if (!existsSync(done)) continue;
    const j = JSON.parse(readFileSync(done, 'utf8')) as { config?: unknown; cpu_seconds?: number; metrics?: { stopped_by_time?: boolean; history?: { epoch: number; 'valid_ndcg@10': number }[] } };
    if (JSON.stringify(j.config) !== JSON.stringify(sasrecCfg)) continue;
    return { curve: (j.metrics?.history ?? []).map((h) => ({ epoch: h.epoch, value: h['valid_ndcg@10'] })), stoppedByTime: Boolean(j.metrics?.stopped_by_time), cpuSeconds: j.cpu_seconds ?? null };
  }
  return { curve: [], stoppedByTime: false, cpuSeconds: null };
}

function readBench(suite: string): Maybe<BenchFile> {
  const file = join(REPO_ROOT, 'results', `bench-${suite}.json`);
  if (!existsSync(file)) return { ok: false, why: `no results/bench-${suite}.json (run \`npm run bench -- --only ${suite}\`)` };
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as BenchFile;
    return { ok: true, value: { suite, startedAt: j.startedAt, file: relative(REPO_ROOT, file), metrics: j.metrics ?? {}, machine: j.machine } };
  } catch (e) {
    return { ok: false, why: `results/bench-${suite}.json: ${(e as Error).message}` };
  }
}

/** EvalJson documents of other evaluations (cold-items, modality-drop, explanation, ...) in the tracked results/
 * and under <home>/results; per evaluation and set of models the newest one. */
function externalDocs(home: string): ExternalDoc[] {
  const out: ExternalDoc[] = [];
  for (const dir of [join(REPO_ROOT, 'results'), join(home, 'results')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
      try {
        const p = EvalJson.safeParse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
        if (p.success && !['ranking', 'streaming'].includes(p.data.evaluation)) out.push({ doc: p.data, file: dir.startsWith(REPO_ROOT) ? relative(REPO_ROOT, join(dir, f)) : join(dir, f) });
      } catch {
        // not an eval document
      }
    }
  }
  return out;
}

export const command: Command = {
  name: 'report',
  summary: 'regenerate the paper tables and plots (Markdown + self-contained HTML)',
  usage: [
    'llmrec report [--datasets ml-100k,beauty,games] [--seeds 1,2,3] [--out DIR] [--quick]',
    'Trains (or reuses cached) SASRec + aligner + PQ per dataset and training seed, evaluates every registered',
    'method (full ranking and 100 sampled negatives; leave-one-out and cold split), runs the streaming ablation on',
    'ML-100K, evaluates cold items (random, TF-IDF kNN, content, fused) and the modality-drop grid on ML-100K (one',
    'cold-item split and pipeline per seed), reads the other evaluations\' EvalJson documents (explanations, ...) from',
    'results/ and $LLMREC_HOME/results, and writes DIR/report.{md,html,json} + DIR/plots/*.svg (default DIR: $LLMREC_HOME/report).',
    'Each finished task is cached under $LLMREC_HOME/report-cache/<quick|full>/: re-running resumes. --quick: ML-100K,',
    'training seeds 1,2 of one epoch, one sampling seed, 200 streaming events (a CI-sized report).',
    '--backbone-records beauty,games: train nothing for these datasets; their SASRec row is read from',
    'results/sasrec-<dataset>-default-seeds.json (training/experiments/sasrec_sweep.py --record; refused unless every',
    'run used the current `llmrec train` default config), popular and item-kNN are evaluated as usual.',
    '--backbone-runs beauty=DIR: the record\'s checkpoints (DIR/<run name>) become each seed\'s SASRec step (`llmrec train',
    '--sasrec-from`); aligner, fusion, export and PQ are trained here and every trained model is evaluated.',
  ].join('\n'),
  options: {
    datasets: { type: 'string', description: `comma-separated (${DATASET_NAMES.join(', ')}; default ml-100k,beauty,games; --quick: ml-100k)` },
    seeds: { type: 'string', description: 'training seeds (default 1,2,3; --quick: 1,2)' },
    'sampling-seeds': { type: 'string', description: 'seeds of the sampled negatives (default 1,2,3; --quick: 1)' },
    events: { type: 'string', description: 'streaming: online events replayed (default 10000; --quick: 200; 0 = all)' },
    out: { type: 'string', description: 'output folder (default $LLMREC_HOME/report; `--out results/report` refreshes the tracked one)' },
    home: { type: 'string', description: 'LLMREC_HOME (default ./.llmrec)' },
    quick: { type: 'boolean', description: 'small CI-sized report' },
    'no-streaming': { type: 'boolean', description: 'skip the streaming ablation (its sections say so)' },
    'backbone-records': { type: 'string', description: 'datasets whose SASRec row comes from results/sasrec-<dataset>-default-seeds.json instead of training here (the other trained rows: not available)' },
    'backbone-runs': { type: 'string', description: 'dataset=folder,...: the run folders of those records (<folder>/<run name>/sasrec.pt): their checkpoints become the SASRec step and the rest of the pipeline is trained and every trained model evaluated here' },
    'no-loss-ablation': { type: 'boolean', description: 'skip the fusion step trained without its contrastive term (ML-100K, one extra fusion per seed)' },
    'no-content': { type: 'boolean', description: 'skip the cold-item and modality-drop evaluations on ML-100K (documents in results/ are still read)' },
  } as OptionSpec,
  async run({ values }) {
    const quick = flag(values, 'quick');
    const home = resolve(optStr(values, 'home') ?? llmrecHome());
    const ints = (name: string, fallback: string) => (optStr(values, name) ?? fallback).split(',').filter(Boolean).map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: expected comma-separated non-negative integers, got '${s}'`);
      return n;
    });
    const datasets = (optStr(values, 'datasets') ?? (quick ? 'ml-100k' : 'ml-100k,beauty,games')).split(',').filter(Boolean).map((d) => {
      const p = DatasetName.safeParse(d.trim());
      if (!p.success) throw new UsageError(`--datasets: unknown '${d}' (known: ${DATASET_NAMES.join(', ')})`);
      return p.data;
    });
    const seeds = ints('seeds', quick ? '1,2' : '1,2,3');
    const samplingSeeds = ints('sampling-seeds', quick ? '1' : '1,2,3');
    const [events] = ints('events', quick ? '200' : '10000');
    if (!seeds.length || !samplingSeeds.length) throw new UsageError('--seeds and --sampling-seeds need at least one seed');
    const out = resolve(optStr(values, 'out') ?? join(home, 'report'));
    const cache = join(home, 'report-cache', quick ? 'quick' : 'full');
    const commit = gitCommit();
    const cmd = `llmrec report ${process.argv.slice(3).join(' ')}`.trim();
    const load0 = os.loadavg()[0]!;
    const t0 = Date.now();

    const fromRecords = (optStr(values, 'backbone-records') ?? '').split(',').filter(Boolean);
    for (const d of fromRecords) if (!datasets.includes(d)) throw new UsageError(`--backbone-records: '${d}' is not among --datasets (${datasets.join(',')})`);
    const backboneRuns = new Map((optStr(values, 'backbone-runs') ?? '').split(',').filter(Boolean).map((x) => {
      const [d, dir] = x.split('=');
      if (!d || !dir) throw new UsageError(`--backbone-runs: expected dataset=folder, got '${x}'`);
      if (!fromRecords.includes(d)) throw new UsageError(`--backbone-runs: '${d}' is not among --backbone-records (${fromRecords.join(',') || 'none'})`);
      if (!existsSync(dir)) throw new UsageError(`--backbone-runs: ${dir} does not exist`);
      return [d, resolve(dir)] as const;
    }));
    const trainedModels = METHODS.filter((m) => m.trained && MODELS[m.model]).map((m) => m.model);
    const missingModels = Object.fromEntries(METHODS.filter((m) => !MODELS[m.model]).map((m) => [m.model, `model '${m.model}' is not registered in eval/src/models/registry.ts on this commit${m.from ? ` (work package ${m.from})` : ''}`]));
    const content = datasets.includes('ml-100k') && !flag(values, 'no-content');
    // the fusion step's contrastive term, ablated on ML-100K (the dataset whose pipelines carry image and text features)
    const lossAblation = datasets.includes('ml-100k') && !fromRecords.includes('ml-100k') && !flag(values, 'no-loss-ablation');
    const total = datasets.reduce((a, d) => a + 4 + (fromRecords.includes(d) && !backboneRuns.has(d) ? 0 : seeds.length * (1 + 2 * trainedModels.length)), 0) + (datasets.includes('ml-100k') && !flag(values, 'no-streaming') ? 1 : 0) + (content ? seeds.length + 2 : 0) + (lossAblation ? 2 * seeds.length : 0);
    let done = 0;
    const step = (what: string) => log('report', `[${++done}/${total}] ${what} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

    const inputs: ReportInputs = { datasets, seeds, missingModels, runs: [], train: [], streaming: { ok: false, why: 'not run' }, external: externalDocs(home), bench: {}, datasetNotes: {} };
    for (const suite of ['adapter', 'serving', 'llm', 'bundle']) inputs.bench[suite] = readBench(suite);
    inputs.llmEval = Object.fromEntries(datasets.flatMap((d) => {
      const r = readLlmEval(join(REPO_ROOT, 'results'), d);
      return r ? [[d, { record: r.record, file: relative(REPO_ROOT, r.file) }]] : [];
    }));

    /** Evaluates (or reads back) one model on one split; the file name carries what the figures depend on. */
    const evalTask = async (ds: Dataset, split: 'loo' | 'cold', spec: ModelSpec, trainingSeed: number | null, evalHome: string, key: string, o: { artifacts?: string; command?: string } = {}): Promise<void> => {
      const file = join(cache, 'runs', ds.meta.name, split, spec.name, `${trainingSeed ?? 'none'}-${key}-s${samplingSeeds.join('_')}.json`);
      const label = `eval ${spec.name} on ${ds.meta.name}/${split}${trainingSeed !== null ? ` seed ${trainingSeed}` : ''}`;
      if (existsSync(file)) {
        inputs.runs.push(RunRecord.parse(JSON.parse(readFileSync(file, 'utf8'))));
        return step(`${label}: cached`);
      }
      const sp = readSplit(ds, split);
      const cases = buildCases(ds, sp, 'test');
      // the cold split keeps the leave-one-out training rows: its models are the leave-one-out ones
      const model: ModelSpec = split === 'cold' ? { ...spec, create: (ctx) => spec.create({ ...ctx, split: 'loo' }) } : spec;
      const run = await runModel(ds, sp, model, cases, { seeds: samplingSeeds, home: evalHome, artifacts: o.artifacts, log: (m) => log('eval', m) });
      const rec = toRunRecord(run, { dataset: ds.meta.name, split, trainingSeed, commit, command: `${o.command ?? `llmrec eval --dataset ${ds.meta.name} --split ${split} --model ${spec.name}`} --seeds ${samplingSeeds.join(',')}${trainingSeed !== null ? ` (artifacts of training seed ${trainingSeed}, key ${key})` : ''}` });
      writeJsonAtomic(file, rec);
      inputs.runs.push(rec);
      step(`${label}: NDCG@10 full ${(rec.rows.find((r) => r.protocol === 'full')?.metrics['NDCG@10'] ?? NaN).toFixed(4)}`);
    };

    for (const name of datasets) {
      const ds = prepared(home, name, ['loo', 'cold']);
      for (const m of ['popular', 'itemknn']) {
        const spec = await loadModel(m);
        await evalTask(ds, 'loo', spec, null, home, 'base');
        await evalTask(ds, 'cold', spec, null, home, 'base');
      }
      // the SASRec step of each seed taken from the record's run folders (--backbone-runs), the rest trained here
      let adoptFrom: ((seed: number) => string | undefined) | undefined;
      if (fromRecords.includes(name)) {
        const r = readBackboneRecord(join(REPO_ROOT, 'results'), name);
        const bad = 'why' in r ? [] : configMismatches(r.record, defaultConfig(name).sasrec);
        const bb = (inputs.backbones ??= {})[name] = 'why' in r ? r : bad.length
          ? { why: `${relative(REPO_ROOT, r.file)} was not trained with the current \`llmrec train\` default (${bad.slice(0, 3).join('; ')}${bad.length > 3 ? `; ${bad.length - 3} more` : ''})` }
          : { record: r.record, file: relative(REPO_ROOT, r.file) };
        const runsDir = backboneRuns.get(name);
        if (!runsDir || 'why' in bb) {
          inputs.datasetNotes[name] = [`not trained by this run (--backbone-records ${name}${runsDir ? `; --backbone-runs not usable: ${(bb as { why: string }).why}` : ''}): the SASRec row is read from its seeds record; the aligner, fusion and PQ pipelines of ${name} were not run here (the SASRec step alone takes 35-90 min per seed on this 2-core machine; give the record's run folders with --backbone-runs ${name}=DIR to train them on its checkpoints).`];
          log('report', `${name}: SASRec from ${'why' in bb ? `nothing (${bb.why})` : bb.file}; no training`);
          continue;
        }
        const bySeed = new Map(bb.record.runs.map((x) => [x.seed, join(runsDir, x.name)]));
        const missing = seeds.filter((x) => !bySeed.has(x));
        if (missing.length) throw new UsageError(`--backbone-runs ${name}: ${bb.file} has no run of training seed${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it has ${[...bySeed.keys()].join(', ')}); pass --seeds accordingly`);
        adoptFrom = (seed) => bySeed.get(seed);
        inputs.datasetNotes[name] = [adoptedNote(bb.record, bb.file, runsDir)];
      }
      // Content features once per dataset (the frozen encoders, cached in $LLMREC_HOME/features); --quick uses the
      // hashed TF-IDF text features so a fresh clone does not run the image and text encoders over every item.
      const features = quick ? 'tfidf' : (await resolveFeatures({ home, dataset: name, datasetDir: datasetDir(name, home) })).dir;
      for (const seed of seeds) {
        const seedHome = join(cache, 'train', `seed-${seed}`);
        const base = quick ? quickConfig(name) : defaultConfig(name);
        const config = { sasrec: { ...base.sasrec, seed }, aligner: { ...base.aligner, seed }, fusion: { ...base.fusion, seed }, pq: { ...base.pq, seed } };
        const sasrecFrom = adoptFrom?.(seed);
        log('report', `train ${name} seed ${seed} (cached steps are reused; ${sasrecFrom ? `SASRec step from ${sasrecFrom}` : 'an interrupted SASRec step resumes'})`);
        const res = await runPipeline({ datasetDir: datasetDir(name, home), dataset: name, split: 'loo', home: seedHome, config, threads: 1, force: false, features, sasrecFrom });
        const m = res.manifest;
        const { curve, stoppedByTime, cpuSeconds } = sasrecFrom ? { curve: [], stoppedByTime: false, cpuSeconds: null } : validationCurve(seedHome, name, m.config.sasrec as Record<string, unknown>);
        inputs.train.push(TrainRecord.parse({
          v: 1, dataset: name, seed, key: m.key, config: m.config.sasrec, secPerEpoch: m.metrics.sasrec.secPerEpoch, epochs: m.metrics.sasrec.epochs, stepSeconds: res.seconds, timings: m.timings,
          validNdcg10: curve, bestValidNdcg10: curve.length ? Math.max(...curve.map((c) => c.value).filter(Number.isFinite)) : null,
          stoppedByTime, sasrecCpuSeconds: cpuSeconds, command: `llmrec train --dataset ${name} --config <seed ${seed}${quick ? ', quick' : ''}>${sasrecFrom ? ` --sasrec-from ${sasrecFrom}` : ''}`, commit, createdAt: m.createdAt,
          ...(sasrecFrom ? { sasrecFrom } : {}),
        }));
        step(`train ${name} seed ${seed}: key ${m.key}`);
        for (const mname of trainedModels) {
          const spec = await loadModel(mname);
          await evalTask(ds, 'loo', spec, seed, seedHome, m.key);
          await evalTask(ds, 'cold', spec, seed, seedHome, m.key);
        }
        if (lossAblation && name === 'ml-100k' && MODELS.fused) {
          // loss ablation of the fusion step: the same pipeline (cached SASRec and aligner) with the contrastive term
          // off, in its own artifacts folder; the fused model evaluated on it, paired with the full one per seed
          const noCon = { ...config, fusion: { ...config.fusion, w_con: 0 } };
          const r = await runPipeline({ datasetDir: datasetDir(name, home), dataset: name, split: 'loo', artifactsName: 'loo-no-contrastive', home: seedHome, config: noCon, threads: 1, force: false, features });
          step(`train ${name} seed ${seed} without the contrastive term: key ${r.manifest.key}`);
          const fused = await loadModel('fused');
          await evalTask(ds, 'loo', { ...fused, name: 'fused-no-contrastive' }, seed, seedHome, r.manifest.key,
            { artifacts: r.dir, command: `llmrec train --dataset ${name} --config '{"fusion":{"w_con":0}}' && llmrec eval --dataset ${name} --split loo --model fused` });
        }
      }
    }

    // Cold items and modality drop: ML-100K only (each seed trains its own cold-item pipeline; on the Amazon sets that
    // is hours per seed, so their documents are read from results/ when someone ran them)
    if (content) {
      const ds = prepared(home, 'ml-100k', []);
      const features = quick ? 'tfidf' : (await resolveFeatures({ home, dataset: 'ml-100k', datasetDir: datasetDir('ml-100k', home) })).dir;
      const docs = await contentEvaluations({ ds, home: join(cache, 'train', 'cold-items'), cache, seeds, config: quick ? quickConfig('ml-100k') : defaultConfig('ml-100k'), features, quick, step });
      inputs.external.push(...docs.map((x) => ({ ...x, file: x.file.startsWith(REPO_ROOT) ? relative(REPO_ROOT, x.file) : x.file })));
    } else if (datasets.includes('ml-100k')) inputs.contentSkipped = 'skipped (--no-content): one cold-item pipeline per seed was not trained in this run';
    inputs.external = newestDocs(inputs.external);

    if (!datasets.includes('ml-100k')) inputs.streaming = { ok: false, why: 'the streaming ablation runs on ML-100K (the only dataset with timestamps); not among --datasets' };
    else if (flag(values, 'no-streaming')) inputs.streaming = { ok: false, why: 'skipped (--no-streaming)' };
    else {
      const ds = prepared(home, 'ml-100k', ['streaming']);
      // the frozen base is the trained aligner of the streaming split (pre-training rows only), as in production
      const sHome = join(cache, 'train', 'streaming');
      log('report', 'train ml-100k streaming base (cached steps are reused)');
      // the same content features as the other ML-100K pipelines (without them the step would extract its own copy
      // with the frozen encoders inside sHome, even under --quick)
      const features = quick ? 'tfidf' : (await resolveFeatures({ home, dataset: 'ml-100k', datasetDir: datasetDir('ml-100k', home) })).dir;
      const base = await runPipeline({ datasetDir: datasetDir('ml-100k', home), dataset: 'ml-100k', split: 'streaming', home: sHome, config: quick ? quickConfig('ml-100k') : defaultConfig('ml-100k'), threads: 1, force: false, features });
      const file = join(cache, 'streaming', `ml-100k-${base.manifest.key}-e${events}-s${seeds.join('_')}.json`);
      if (existsSync(file)) {
        inputs.streaming = { ok: true, value: EvalJson.parse(JSON.parse(readFileSync(file, 'utf8'))) };
        step('streaming ablation: cached');
      } else {
        const t = await runStreamingTable({ ds, home: sHome, models: ABLATION_MODELS, seeds, events: events ?? 0, base: 'trained', command: `llmrec train --dataset ml-100k --split streaming && llmrec eval --dataset ml-100k --split streaming --ablation --seeds ${seeds.join(',')} --events ${events}`, commit, log: (msg) => log('streaming', msg) });
        writeJsonAtomic(file, t.json);
        inputs.streaming = { ok: true, value: t.json };
        step('streaming ablation');
      }
    }

    const doc: ReportDoc = {
      title: `llmrec-edge — results report${quick ? ' (quick: CI-sized, not the paper figures)' : ''}`,
      createdAt: new Date().toISOString(),
      command: cmd,
      commit,
      machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}; load average ${load0.toFixed(1)} at start, ${os.loadavg()[0]!.toFixed(1)} at the end (shared machine); wall ${((Date.now() - t0) / 1000).toFixed(0)} s for this invocation (cached tasks not re-run)`,
      quick,
      datasets: datasets.map(datasetLabel),
      seeds,
      sections: buildSections(inputs),
    };
    await renderPlots(doc);
    mkdirSync(join(out, 'plots'), { recursive: true });
    const plotFile = (id: string) => `plots/${id}.svg`;
    for (const s of doc.sections) for (const p of s.plots) writeFileSync(join(out, plotFile(p.id)), p.svg ?? '');
    writeFileSync(join(out, 'report.md'), renderMarkdown(doc, plotFile));
    writeFileSync(join(out, 'report.html'), renderHtml(doc));
    writeFileSync(join(out, 'report.json'), JSON.stringify({ ...doc, sections: doc.sections.map((s) => ({ ...s, plots: s.plots.map(({ svg: _svg, ...p }) => p) })) }, null, 1));
    log('report', `wrote ${join(out, 'report.md')}, report.html, report.json and ${doc.sections.reduce((a, s) => a + s.plots.length, 0)} plots (${basename(out)}/plots)`);
    return 0;
  },
};
