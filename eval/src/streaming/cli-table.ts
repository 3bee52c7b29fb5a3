// What `llmrec eval --split streaming --model static,dynamic[,dynamic-no-...]` (or `--ablation`) runs: the
// streaming table of issue 6 over every seed (runAblation: each seed re-initialises the adapters, and with the
// fallback base also retrains the base), mean ± 95% CI over seeds and the seed-level paired t-test vs static,
// written to results/eval-<dataset>-streaming-<models>[-events<N>]-<base>.{json,md}.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '@llmrec/data/index.ts';
import type { EvalJson } from '../report.ts';
import { streamingEvalJson } from '../report/streaming-json.ts';
import { formatAblation, runAblation, VARIANTS, type AblationResult, type BaseKind } from './ablation.ts';
import { trainedArtifactsExist } from './trained-base.ts';

/** True when every requested model is a streaming variant this table can run. */
export function isStreamingTable(models: readonly string[]): boolean {
  return models.length > 0 && models.every((m) => m in VARIANTS);
}

export const ABLATION_MODELS = ['static', 'dynamic', 'dynamic-no-distill', 'dynamic-no-ewc', 'dynamic-no-replay', 'dynamic-no-gate'];

export interface StreamingTableOptions {
  ds: Dataset;
  home: string;
  models: string[];
  seeds: number[];
  /** Replay only the first N online events (0 = the whole online part). */
  events: number;
  /** 'auto': trained when `llmrec train --split streaming` artifacts exist, else the fallback base. */
  base: BaseKind | 'auto';
  /** Results folder; undefined = do not write. */
  out?: string;
  command: string;
  /** git commit of the code, recorded in the JSON when known. */
  commit?: string | null;
  log: (m: string) => void;
}

export interface StreamingTable {
  result: AblationResult & { command: string; wallSeconds: number; machine: string };
  /** The same figures in the one eval JSON shape (what is written and printed by --json). */
  json: EvalJson;
  markdown: string;
  files: string[];
}

export function resolveBase(ds: Dataset, home: string, base: BaseKind | 'auto'): BaseKind {
  if (base !== 'auto') return base;
  return trainedArtifactsExist(ds, home) ? 'trained' : 'fallback';
}

export async function runStreamingTable(o: StreamingTableOptions): Promise<StreamingTable> {
  const kind = resolveBase(o.ds, o.home, o.base);
  o.log(`streaming table: ${o.models.join(',')} seeds ${o.seeds.join(',')}, base ${kind}${o.events ? `, first ${o.events} online events` : ''}`);
  const t = performance.now();
  const res = await runAblation(o.ds, o.home, o.models, o.seeds, o.log, o.events, kind);
  const wallSeconds = (performance.now() - t) / 1000;
  const os = await import('node:os');
  const machine = `${os.cpus().length} CPUs, shared with other jobs`;
  const result = { ...res, command: o.command, wallSeconds, machine };
  const json = streamingEvalJson(res, { command: o.command, wallSeconds, commit: o.commit ?? null,
    machine: { cpus: os.cpus().length, node: process.versions.node, note: `${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0]!.toFixed(1)} at the end (shared machine)` } });
  const markdown = `${formatAblation(res)}\n\n\`${o.command}\` — wall time ${wallSeconds.toFixed(0)} s (${machine})\n`;
  const files: string[] = [];
  if (o.out) {
    mkdirSync(o.out, { recursive: true });
    const stem = join(o.out, `eval-${o.ds.meta.name}-streaming-${o.models.join('+')}${o.events ? `-events${o.events}` : ''}-${kind}`);
    writeFileSync(`${stem}.json`, JSON.stringify(json, null, 2) + '\n');
    writeFileSync(`${stem}.md`, markdown);
    files.push(`${stem}.json`, `${stem}.md`);
  }
  return { result, json, markdown, files };
}
