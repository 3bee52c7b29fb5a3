// `llmrec eval`: run registered models (eval/src/models/registry.ts) on a prepared dataset and split, print a table
// (or --json on stdout: the one eval shape, EvalJson in eval/src/report.ts) and write
// <out>/eval-<dataset>-<split>-<models>.{json,md}, <out> = $LLMREC_HOME/results unless --out names a folder
// (the tracked results/ folder is refreshed only on purpose: --out results).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { DATASET_NAMES, DatasetName, datasetDir, DatasetNotFoundError, llmrecHome, prepareDataset, readDataset, readSplit, SHARED_FOLDER, sharedDataDir, SPLIT_NAMES, SplitName, splitExists, computeSplit, writeSplit } from '@llmrec/data/index.ts';
import { evaluateDataset } from '@llmrec/eval/evaluate.ts';
import { MODELS } from '@llmrec/eval/models/registry.ts';
import { formatMarkdown, formatTable, rankingEvalJson } from '@llmrec/eval/report.ts';
import { ABLATION_MODELS, isStreamingTable, runStreamingTable } from '@llmrec/eval/streaming/cli-table.ts';
import { evaluateExplanations, EXPLAINABLE_MODELS } from '@llmrec/eval/explanations/run-explanations.ts';
import { explanationsEvalJson } from '@llmrec/eval/explanations/report.ts';
import { type Command, CliError, flag, int, type OptionSpec, optStr, str, UsageError } from '../command.ts';
import { gitCommit } from '../git-commit.ts';
import { runSeededEval, writeSeeded } from '../training/seeded-eval.ts';
import { log, progress } from '../progress.ts';

function list(values: Record<string, unknown>, name: string, fallback: string): string[] {
  return (optStr(values, name) ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
}

function intList(values: Record<string, unknown>, name: string, fallback: string): number[] {
  return list(values, name, fallback).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be comma-separated non-negative integers, got '${s}'`);
    return n;
  });
}

export const command: Command = {
  name: 'eval',
  summary: 'evaluate a model on a prepared dataset and split',
  usage: [
    'llmrec eval --dataset ml-100k --split loo --model popular,itemknn',
    'llmrec eval --dataset ml-100k --split loo --model itemknn --json',
    'llmrec eval --dataset ml-100k --split streaming --model static,dynamic --seeds 1,2,3 [--ablation] [--events N] [--base trained|fallback]',
    `llmrec eval --dataset ml-100k --split loo --model aligner --explanations [--explain-top 10] [--explain-samples 10] [--min-co-users 5]  (models: ${EXPLAINABLE_MODELS.join(', ')})`,
    'llmrec eval --dataset ml-100k --split cold-items --model random,tfidf-knn,content,fused --seeds 1,2,3 [--modality-drop]',
    'llmrec eval --dataset ml-100k --split loo --model sasrec,fused --train-seeds [--modality-drop]',
    'cold-items: each seed holds out its own 10 % of the items and trains its own pipeline (cached); `full` ranks among',
    'the held-out items, `all-items` among every item. --train-seeds: each seed trains every step with that seed.',
    `models: ${Object.keys(MODELS).join(', ')}; splits: ${SPLIT_NAMES.join(', ')}`,
    'Full ranking ranks every item except the user\'s input history; sampled ranks the target against --negatives',
    'seeded items the user never interacted with. Ties are pessimistic by default (equal scores rank above the',
    'target); --ties random breaks them by a seeded hash instead.',
  ].join('\n'),
  options: {
    dataset: { type: 'string', short: 'd', description: `dataset name (a preset: ${DATASET_NAMES.join('|')}, or any name imported with llmrec data)` },
    split: { type: 'string', short: 's', description: 'split (default loo)' },
    model: { type: 'string', short: 'm', description: 'comma-separated models (default popular,itemknn)' },
    seeds: { type: 'string', description: 'comma-separated seeds for the sampled negatives (default 1,2,3)' },
    phase: { type: 'string', description: 'test (default) or valid' },
    protocol: { type: 'string', description: 'full,sampled (default both)' },
    ties: { type: 'string', description: 'tie rule: pessimistic (default) or random' },
    negatives: { type: 'string', description: 'sampled negatives per user (default 100)' },
    ks: { type: 'string', description: 'cut-offs (default 5,10,20)' },
    home: { type: 'string', description: 'root of prepared datasets (default $LLMREC_HOME or ./.llmrec)' },
    out: { type: 'string', description: 'folder for the result files (default $LLMREC_HOME/results; `--out results` refreshes the tracked ones)' },
    'no-write': { type: 'boolean', description: 'do not write result files' },
    json: { type: 'boolean', description: 'print the report as JSON on stdout (progress stays on stderr)' },
    ablation: { type: 'boolean', description: `streaming: run ${ABLATION_MODELS.join(',')}` },
    events: { type: 'string', description: 'streaming static/dynamic table: replay only the first N online events (default all)' },
    base: { type: 'string', description: 'streaming static/dynamic table: frozen base, trained|fallback (default trained when `llmrec train --split streaming` artifacts exist)' },
    explanations: { type: 'boolean', description: 'evaluate explanations instead of rankings: ERASER faithfulness of co-interaction vs attribution evidence, quality figures (eval/src/explanations)' },
    'explain-top': { type: 'string', description: '--explanations: recommendations explained per user (default 10)' },
    'explain-samples': { type: 'string', description: '--explanations: random subsets per faithfulness baseline (default 10)' },
    'explain-users': { type: 'string', description: '--explanations: only the first N users (default all)' },
    'min-co-users': { type: 'string', description: '--explanations: co-user threshold k for citing a history item (default 5)' },
    'train-seeds': { type: 'boolean', description: 'seeds are training seeds: artifacts <split>-seed<s> trained (cached) and evaluated per seed' },
    'modality-drop': { type: 'boolean', description: 'content models: 0/50/100 % of images, text, both missing at test time' },
    features: { type: 'string', description: 'content features folder for the training this command triggers (default $LLMREC_HOME/features/<dataset>)' },
    threads: { type: 'string', description: 'torch threads for the training this command triggers (default 1)' },
  } as OptionSpec,
  async run({ values }) {
    const dsName = DatasetName.safeParse(str(values, 'dataset'));
    if (!dsName.success) throw new UsageError(`--dataset '${String(values.dataset)}': ${dsName.error.issues[0]?.message}`);
    const splitName = SplitName.safeParse(optStr(values, 'split') ?? 'loo');
    if (!splitName.success) throw new UsageError(`unknown split '${String(values.split)}' (known: ${SPLIT_NAMES.join(', ')})`);
    const models = flag(values, 'ablation') ? ABLATION_MODELS : list(values, 'model', 'popular,itemknn');
    const table = splitName.data === 'streaming' && isStreamingTable(models);
    for (const m of models) if (!table) if (!MODELS[m]) throw new UsageError(`unknown model '${m}' (registered: ${Object.keys(MODELS).join(', ')})`);
    const seeds = intList(values, 'seeds', '1,2,3');
    if (!seeds.length) throw new UsageError('--seeds needs at least one seed');
    const ks = intList(values, 'ks', '5,10,20');
    const phase = optStr(values, 'phase') ?? 'test';
    if (phase !== 'test' && phase !== 'valid') throw new UsageError(`--phase must be test or valid, got '${phase}'`);
    const protocols = list(values, 'protocol', 'full,sampled');
    for (const p of protocols) if (p !== 'full' && p !== 'sampled') throw new UsageError(`--protocol: unknown '${p}' (full, sampled)`);
    const negatives = int(values, 'negatives', 100, 1);
    const ties = optStr(values, 'ties') ?? 'pessimistic';
    if (ties !== 'pessimistic' && ties !== 'random') throw new UsageError(`--ties must be pessimistic or random, got '${ties}'`);
    const home = resolve(optStr(values, 'home') ?? llmrecHome());
    const dir = datasetDir(dsName.data, home);

    let ds;
    try {
      ds = readDataset(dir);
    } catch (e) {
      const shared = sharedDataDir();
      // Only presets have a raw folder in the shared data; an imported dataset must be prepared by `llmrec data`.
      if (!(e instanceof DatasetNotFoundError) || !shared || !SHARED_FOLDER[dsName.data]) throw e;
      // Not prepared yet but the raw files are at hand: prepare it (same as `llmrec data --from ...`).
      log('data', `${dsName.data} not prepared; preparing from ${join(shared, SHARED_FOLDER[dsName.data]!)}`);
      prepareDataset({ name: dsName.data, from: join(shared, SHARED_FOLDER[dsName.data]!), home, log });
      ds = readDataset(dir);
    }
    if (splitName.data === 'cold-items' || flag(values, 'train-seeds') || flag(values, 'modality-drop')) {
      if (splitName.data === 'streaming') throw new UsageError('--train-seeds / --modality-drop apply to ranking splits (loo, cold-items, ...)');
      const r = await runSeededEval({
        ds, home, split: splitName.data, models, seeds, trainSeeds: flag(values, 'train-seeds'), modalityDrop: flag(values, 'modality-drop'),
        phase, ks, ties, features: optStr(values, 'features'), threads: int(values, 'threads', 1, 1, 64),
        command: `llmrec eval ${process.argv.slice(3).join(' ')}`.trim(),
      });
      if (!flag(values, 'no-write')) {
        const out = resolve(optStr(values, 'out') ?? join(home, 'results'));
        const stem = `eval-${dsName.data}-${splitName.data}${phase === 'valid' ? '-valid' : ''}${flag(values, 'train-seeds') ? '-trainseeds' : ''}${flag(values, 'modality-drop') ? '-modality-drop' : ''}-${models.join('+')}`;
        for (const f of writeSeeded(out, stem, r)) log('eval', `wrote ${f}`);
      }
      console.log(flag(values, 'json') ? JSON.stringify(r.json) : r.markdown);
      if (r.json.rows.length === 0) throw new CliError('no user had a target row in this split/phase');
      return 0;
    }
    if (!splitExists(dir, splitName.data)) {
      log('split', `computing ${splitName.data} for ${dsName.data}`);
      writeSplit(dir, computeSplit({ ...ds, hasTimestamps: ds.meta.hasTimestamps }, splitName.data));
    }
    if (table) {
      // static/dynamic and the loss ablation: every seed runs (eval/src/streaming/cli-table.ts), mean ± CI, paired t.
      const base = optStr(values, 'base') ?? 'auto';
      if (base !== 'auto' && base !== 'trained' && base !== 'fallback') throw new UsageError(`--base must be trained or fallback, got '${base}'`);
      const t = await runStreamingTable({
        ds, home, models, seeds, events: int(values, 'events', 0, 0), base,
        out: flag(values, 'no-write') ? undefined : resolve(optStr(values, 'out') ?? join(home, 'results')),
        command: `llmrec eval ${process.argv.slice(3).join(' ')}`.trim(),
        commit: gitCommit(),
        log: (m) => log('eval', m),
      });
      for (const f of t.files) log('eval', `wrote ${f}`);
      console.log(flag(values, 'json') ? JSON.stringify(t.json) : t.markdown);
      return 0;
    }
    const split = readSplit(ds, splitName.data);
    if (flag(values, 'explanations')) {
      // Explanations (issue 12): one model (the serving kind), faithfulness + quality; written like the rankings.
      if (models.length !== 1) throw new UsageError(`--explanations takes one model (${EXPLAINABLE_MODELS.join(' or ')}), got ${models.join(',')}`);
      const users = int(values, 'explain-users', 0, 0);
      let bar: ReturnType<typeof progress> | undefined;
      const { report, markdown } = await evaluateExplanations({
        ds, split, model: models[0]!, home, phase: phase as 'test' | 'valid',
        perUser: int(values, 'explain-top', 10, 1), samples: int(values, 'explain-samples', 10, 1), minCoUsers: int(values, 'min-co-users', 5, 1),
        ...(users ? { maxUsers: users } : {}),
        log: (m) => log('eval', m),
        onProgress: (done, total) => (bar ??= progress('eval explanations', total, { unit: 'users' })).update(done),
        machine: { cpus: os.cpus().length, node: process.versions.node, note: `${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0]!.toFixed(1)} at start (shared machine)` },
        command: `llmrec eval ${process.argv.slice(3).join(' ')}`.trim(),
      });
      bar?.done();
      const doc = explanationsEvalJson(report, gitCommit());
      if (!flag(values, 'no-write')) {
        const out = resolve(optStr(values, 'out') ?? join(home, 'results'));
        mkdirSync(out, { recursive: true });
        const base = join(out, `explanations-${dsName.data}-${splitName.data}${phase === 'valid' ? '-valid' : ''}-${models[0]}`);
        writeFileSync(`${base}.json`, JSON.stringify(doc, null, 2) + '\n');
        writeFileSync(`${base}.md`, markdown);
        log('eval', `wrote ${base}.json and .md`);
      }
      console.log(flag(values, 'json') ? JSON.stringify(doc) : markdown);
      return 0;
    }
    const bars = new Map<string, ReturnType<typeof progress>>();
    const report = await evaluateDataset(ds, split, models, {
      seeds,
      ks,
      negatives,
      ties,
      phase,
      protocols: protocols as ('full' | 'sampled')[],
      home,
      log: (m) => log('eval', m),
      onProgress: (model, done, total) => {
        let b = bars.get(model);
        if (!b) bars.set(model, (b = progress(`eval ${model}`, total, { unit: 'users' })));
        b.update(done);
        if (done === total) b.done();
      },
      machine: { cpus: os.cpus().length, node: process.versions.node, note: `${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0]!.toFixed(1)} at start (shared machine)` },
      command: `llmrec eval ${process.argv.slice(3).join(' ')}`.trim(),
    });
    const doc = rankingEvalJson(report, gitCommit());
    if (!flag(values, 'no-write')) {
      const out = resolve(optStr(values, 'out') ?? join(home, 'results'));
      mkdirSync(out, { recursive: true });
      const base = join(out, `eval-${dsName.data}-${splitName.data}${phase === 'valid' ? '-valid' : ''}${ties === 'random' ? '-tiesrandom' : ''}-${models.join('+')}`);
      writeFileSync(`${base}.json`, JSON.stringify(doc, null, 2) + '\n');
      writeFileSync(`${base}.md`, formatMarkdown(report));
      log('eval', `wrote ${base}.json and .md`);
    }
    if (flag(values, 'json')) console.log(JSON.stringify(doc));
    else console.log(formatTable(report));
    if (report.results.length === 0) throw new CliError('no user had a target row in this split/phase');
    return 0;
  },
};
