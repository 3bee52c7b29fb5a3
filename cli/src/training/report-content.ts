// The content evaluations `llmrec report` runs itself (issue 15: cold start and modality robustness): the
// cold-item split (random, hashed TF-IDF kNN, the content tower alone, the fused production path) and the
// modality-drop grid of the content models on it, one cold-item split and trained pipeline per seed. Training goes
// through the cached pipeline; each evaluation document is cached under the report's cache by the artifact keys it
// was computed on, so a re-run (or a resumed one) only re-reads it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '@llmrec/data/index.ts';
import { EvalJson } from '@llmrec/eval/report.ts';
import { resolveDataset, runPipeline, trainingTarget, type TrainConfig } from '../commands/train.ts';
import { log } from '../progress.ts';
import { runSeededEval } from './seeded-eval.ts';

export const COLD_ITEM_MODELS = ['random', 'tfidf-knn', 'content', 'fused'];
export const DROP_MODELS = ['content', 'fused'];

export interface ContentEvalOptions {
  ds: Dataset;
  /** LLMREC_HOME of the cold-item artifacts (the report keeps quick and full ones apart). */
  home: string;
  /** Where the evaluation documents are cached. */
  cache: string;
  seeds: number[];
  config: TrainConfig;
  /** Content features: a features folder or 'tfidf'. */
  features: string;
  quick: boolean;
  /** Called once per finished (or cached) evaluation. */
  step(what: string): void;
}

/** Trains (or reuses) the cold-item pipeline of every seed and returns the artifact keys, seed order. */
async function trainColdItems(o: ContentEvalOptions): Promise<string[]> {
  const name = o.ds.meta.name;
  const keys: string[] = [];
  for (const seed of o.seeds) {
    const t = trainingTarget(name, 'cold-items', { splitSeed: seed });
    const dir = resolveDataset(o.home, name, 'cold-items', t.stem, seed, o.ds.dir);
    log('report', `train ${name} cold-items split seed ${seed} (cached steps are reused)`);
    const r = await runPipeline({ datasetDir: dir, dataset: name, split: t.stem, artifactsName: t.artifactsName, home: o.home, config: o.config, features: o.features, threads: 1, force: false });
    keys.push(r.manifest.key);
    o.step(`train ${name} cold-items seed ${seed}: key ${r.manifest.key}`);
  }
  return keys;
}

/** The cold-item and modality-drop documents of one dataset (computed, or read back from the cache). */
export async function contentEvaluations(o: ContentEvalOptions): Promise<{ doc: EvalJson; file: string }[]> {
  const name = o.ds.meta.name;
  const keys = await trainColdItems(o);
  const tag = createHash('sha256').update(JSON.stringify({ keys, seeds: o.seeds })).digest('hex').slice(0, 16);
  const out: { doc: EvalJson; file: string }[] = [];
  for (const [kind, models, drop] of [['cold-items', COLD_ITEM_MODELS, false], ['modality-drop', DROP_MODELS, true]] as const) {
    const file = join(o.cache, 'content', `${name}-${kind}-${models.join('+')}-${tag}.json`);
    if (existsSync(file)) {
      out.push({ doc: EvalJson.parse(JSON.parse(readFileSync(file, 'utf8'))), file });
      o.step(`${kind} on ${name}: cached`);
      continue;
    }
    const r = await runSeededEval({
      ds: o.ds, home: o.home, split: 'cold-items', models: [...models], seeds: o.seeds, trainSeeds: false, modalityDrop: drop,
      phase: 'test', ks: [5, 10, 20], ties: 'pessimistic', features: o.features, threads: 1, config: o.config,
      command: `llmrec eval --dataset ${name} --split cold-items --model ${models.join(',')} --seeds ${o.seeds.join(',')}${drop ? ' --modality-drop' : ''}${o.quick ? ' (report --quick: one-epoch training, hashed TF-IDF text features)' : ''}`,
    });
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(r.json));
    renameSync(`${file}.tmp`, file);
    out.push({ doc: r.json, file });
    o.step(`${kind} on ${name}: ${r.json.rows.length} rows`);
  }
  return out;
}
