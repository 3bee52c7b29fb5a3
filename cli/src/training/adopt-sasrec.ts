// `llmrec train --sasrec-from DIR` (and `llmrec report --backbone-runs`): the pipeline's SASRec step taken from a
// folder the same training code wrote elsewhere (the sweep tool's run folder, or a `llmrec train` cache folder on a
// GPU machine: sasrec.pt + done.json), so the later steps (aligner, fusion, export, PQ) run here on a backbone that
// would take hours per seed on this machine's CPU. Refused unless the folder's config is the one this pipeline would
// train (every key the pipeline sets, except the machine's wall-clock cap) and its test users are the dataset's.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { differingKeys } from '@llmrec/eval/report/backbone-record.ts';
import { CliError } from '../command.ts';

// machine-specific: the cap stops a run, the model it trains up to then is the same
const FREE_KEYS = new Set(['max_seconds']);

const Done = z.object({
  config: z.record(z.string(), z.unknown()),
  metrics: z.object({ test: z.object({ full: z.object({ users: z.number().int() }).passthrough() }).passthrough() }).passthrough(),
  seconds: z.number().optional(),
}).passthrough();

export interface AdoptedStep {
  dir: string;
  key: string;
  done: Record<string, any>;
  cached: boolean;
  seconds: number;
}

/** Where `got` (a trained run's full config) differs from `want` (the keys the pipeline sets), one line per key. */
export function sasrecConfigMismatches(got: Record<string, unknown>, want: Record<string, unknown>): string[] {
  return differingKeys(got, want, FREE_KEYS).map((k) => `${k}: ${k in got ? JSON.stringify(got[k]) : 'unset'} (pipeline: ${JSON.stringify(want[k])})`);
}

/**
 * Copies the run in `from` into the step cache as this pipeline's SASRec step. The cache key hashes the checkpoint's
 * bytes with the dataset (`base`), so later steps are keyed on exactly this backbone.
 */
export function adoptSasrec(o: { from: string; cacheRoot: string; base: string; config: Record<string, unknown>; testUsers: number }): AdoptedStep {
  const from = resolve(o.from);
  const ckpt = join(from, 'sasrec.pt');
  const doneFile = join(from, 'done.json');
  if (!existsSync(ckpt) || !existsSync(doneFile)) throw new CliError(`--sasrec-from ${from}: expected sasrec.pt and done.json there (a finished SASRec run folder)`);
  const parsed = Done.safeParse(JSON.parse(readFileSync(doneFile, 'utf8')));
  if (!parsed.success) throw new CliError(`${doneFile}: not a SASRec step record (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  const done = parsed.data;
  const bad = sasrecConfigMismatches(done.config, o.config);
  if (bad.length) throw new CliError(`--sasrec-from ${from}: trained with another config than this pipeline's SASRec step (${bad.join('; ')})`);
  if (done.metrics.test.full.users !== o.testUsers) throw new CliError(`--sasrec-from ${from}: evaluated on ${done.metrics.test.full.users} test users, this dataset has ${o.testUsers}: another dataset or split`);
  const bytes = readFileSync(ckpt);
  const key = createHash('sha256').update(JSON.stringify({ step: 'sasrec', adopted: createHash('sha256').update(bytes).digest('hex'), base: o.base })).digest('hex').slice(0, 16);
  const dir = join(o.cacheRoot, `sasrec-${key}`);
  const cached = existsSync(join(dir, 'done.json'));
  if (!cached) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(ckpt, join(dir, 'sasrec.pt'));
    if (existsSync(join(from, 'metrics.json'))) copyFileSync(join(from, 'metrics.json'), join(dir, 'metrics.json'));
    writeFileSync(join(dir, 'adopted.json'), JSON.stringify({ from, at: new Date().toISOString() }, null, 1));
    // done.json last: its presence marks the step complete
    writeFileSync(join(dir, 'done.json'), JSON.stringify({ ...done, adoptedFrom: from }, null, 1));
  }
  return { dir, key, done: { ...done, adoptedFrom: from }, cached, seconds: 0 };
}
