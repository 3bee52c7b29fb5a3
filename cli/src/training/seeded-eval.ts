// The part of `llmrec eval` that needs training (issue 10): the cold-item split (every seed holds out other items,
// so every seed has its own split file and its own trained artifacts, trained here through the cached pipeline when
// missing), training-seed variants (`--train-seeds`: every step trained with that seed), and the test-time
// modality-drop grid; the evaluation itself is eval/src/seeded.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS_MANIFEST_FILE, parseArtifactsManifest } from '@llmrec/shared/artifacts.ts';
import { computeSplit, readSplit, writeSplit, type Dataset, type Split, type SplitName } from '@llmrec/data/index.ts';
import { evaluateSeeded, modalityDropGrid, type SeededEvalOptions } from '@llmrec/eval/seeded.ts';
import { resolveDataset, runPipeline, trainingTarget, withTrainingSeed, type TrainConfig } from '../commands/train.ts';
import { gitCommit } from '../git-commit.ts';
import { log, progress } from '../progress.ts';

/** Models that read `llmrec train` artifacts (the rest fit themselves from the split's training rows). */
export const needsArtifacts = (m: string) => /^(sasrec|aligner|aligner-pq|content|fused)(-|$)/.test(m);

export const COLD_PROTOCOLS = {
  full: 'cold items: the target (each user\'s last interaction on a held-out item) ranked among the held-out items of the seed\'s split only, the user\'s history excluded; held-out items have no training interaction, so they are scored from content alone',
  'all-items': 'cold items, all-items ranking: the same target ranked among every item (warm and held-out), the user\'s history excluded',
};
export const FULL_PROTOCOL = { full: 'full ranking: every item except the user\'s input history' };

export interface SeededCliOptions {
  ds: Dataset;
  home: string;
  split: SplitName;
  models: string[];
  seeds: number[];
  /** Train every step with the evaluation seed (artifacts <split>-seed<s>); cold-items always has per-seed artifacts. */
  trainSeeds: boolean;
  modalityDrop: boolean;
  phase: 'test' | 'valid';
  ks: number[];
  ties: 'pessimistic' | 'random';
  features?: string;
  threads: number;
  command: string;
  /** Training config instead of the dataset's default (`llmrec report --quick` trains a few epochs). */
  config?: TrainConfig;
}

export async function runSeededEval(o: SeededCliOptions) {
  const dataset = o.ds.meta.name;
  const trained = o.models.some(needsArtifacts);
  const artifacts = new Map<number, string>();
  const splits = new Map<number, Split>();
  for (const seed of o.seeds) {
    const t = trainingTarget(dataset, o.split, { splitSeed: seed, trainSeed: o.trainSeeds ? seed : undefined });
    const dir = resolveDataset(o.home, dataset, o.split, t.stem, seed, o.ds.dir);
    splits.set(seed, o.split === 'cold-items' ? computeSplit(o.ds, 'cold-items', seed) : readSplit(o.ds, o.split));
    if (!trained) continue;
    const out = join(o.home, 'artifacts', dataset, t.artifactsName);
    log('eval', `seed ${seed}: artifacts ${out}${existsSync(join(out, ARTIFACTS_MANIFEST_FILE)) ? '' : ' (training: cached steps are reused)'}`);
    const config = o.config ? (o.trainSeeds ? withTrainingSeed(o.config, seed) : o.config) : t.config;
    const r = await runPipeline({ datasetDir: dir, dataset, split: t.stem, artifactsName: t.artifactsName, home: o.home, config, features: o.features, threads: o.threads, force: false });
    artifacts.set(seed, r.dir);
  }
  let variants;
  if (o.modalityDrop) {
    const first = artifacts.get(o.seeds[0]!);
    if (!first) throw new Error('--modality-drop needs a trained content model (content*, fused*)');
    const m = parseArtifactsManifest(JSON.parse(readFileSync(join(first, ARTIFACTS_MANIFEST_FILE), 'utf8')));
    variants = modalityDropGrid(Object.keys(m.features.modalities));
  }
  const cold = o.split === 'cold-items';
  const bars = new Map<string, ReturnType<typeof progress>>();
  const opts: SeededEvalOptions = {
    seeds: o.seeds,
    ks: o.ks,
    phase: o.phase,
    ties: o.ties,
    home: o.home,
    splitFor: (s) => splits.get(s)!,
    artifactsFor: (s) => artifacts.get(s),
    seedRole: cold ? 'mixed' : o.trainSeeds ? 'training' : 'sampling',
    evaluation: o.modalityDrop ? 'modality-drop' : cold ? 'cold-items' : 'ranking',
    variants,
    protocols: cold ? COLD_PROTOCOLS : FULL_PROTOCOL,
    machine: { cpus: os.cpus().length, node: process.versions.node, note: `${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0]!.toFixed(1)} at start (shared machine)` },
    command: o.command,
    commit: gitCommit(),
    notes: [
      ...(cold ? ['seeds: each seed holds out other items (10 % test-cold, 5 % validation-cold) and trains its own pipeline on the rest (artifacts cold-items-s<seed>)'] : []),
      ...(o.trainSeeds ? ['seeds: every training step (SASRec, aligner, fusion, PQ) seeded with the evaluation seed (artifacts <split>-seed<seed>)'] : []),
      ...(o.modalityDrop ? ['modality drop: at test time a seeded share of the items that have a modality loses it (fed as absent to the towers)'] : []),
    ],
    log: (m) => log('eval', m),
    onProgress: (model, done, total) => {
      let b = bars.get(model);
      if (!b) bars.set(model, (b = progress(`eval ${model}`, total, { unit: 'users' })));
      b.update(done);
      if (done === total) {
        b.done();
        bars.delete(model);
      }
    },
  };
  return evaluateSeeded(o.ds, o.models, opts);
}

export function writeSeeded(out: string, stem: string, r: { json: unknown; markdown: string }): string[] {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${stem}.json`), JSON.stringify(r.json, null, 2) + '\n');
  writeFileSync(join(out, `${stem}.md`), r.markdown);
  return [join(out, `${stem}.json`), join(out, `${stem}.md`)];
}
