// `llmrec bench` (npm run bench): discovers the suites in bench/<name>.ts, runs them, writes
// results/bench-<name>.json. Suites implement bench/lib/suite.ts; see docs/api.md for the serving figures.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CliError, flag, int, optStr, UsageError, type Command } from '../command.ts';
import type { BenchRecord, BenchSuite } from '../../../bench/lib/suite.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Suite files: bench/<name>.ts, excluding tests and helpers (bench/lib/). */
export function listSuiteFiles(dir = path.join(repoRoot, 'bench')): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

async function loadSuite(file: string): Promise<BenchSuite> {
  const mod = (await import(pathToFileURL(file).href)) as { suite?: BenchSuite };
  const s = mod.suite;
  if (!s || typeof s.name !== 'string' || typeof s.run !== 'function') {
    throw new CliError(`${path.relative(repoRoot, file)} does not export \`suite = { name, description, run }\``);
  }
  return s;
}

export const command: Command = {
  name: 'bench',
  summary: 'run the benchmarks (npm run bench)',
  usage: 'llmrec bench [--only serving,llm] [--quick] [--duration 10] [--list]',
  options: {
    only: { type: 'string', description: 'comma-separated suite names (default: all)' },
    quick: { type: 'boolean', description: 'short runs to check the suites themselves' },
    duration: { type: 'string', description: 'seconds per load phase (default 10; quick: 3)' },
    list: { type: 'boolean', description: 'list the suites and exit' },
    out: { type: 'string', description: 'results folder (default <repo>/results)' },
  },
  async run({ values }) {
    const quick = flag(values, 'quick');
    const durationSec = int(values, 'duration', quick ? 3 : 10, 1, 600);
    const files = listSuiteFiles();
    const suites: BenchSuite[] = [];
    for (const f of files) suites.push(await loadSuite(f));
    if (flag(values, 'list')) {
      for (const s of suites) console.log(`${s.name.padEnd(16)}${s.description}`);
      return 0;
    }
    const only = optStr(values, 'only')?.split(',').map((s) => s.trim()).filter(Boolean);
    if (only) {
      const unknown = only.filter((n) => !suites.some((s) => s.name === n));
      if (unknown.length) throw new UsageError(`unknown suite(s) ${unknown.join(', ')} (known: ${suites.map((s) => s.name).join(', ')})`);
    }
    const chosen = only ? suites.filter((s) => only.includes(s.name)) : suites;
    if (chosen.length === 0) throw new CliError('no benchmark suites found under bench/');
    const outDir = path.resolve(optStr(values, 'out') ?? path.join(repoRoot, 'results'));
    mkdirSync(outDir, { recursive: true });
    const home = path.resolve(process.env.LLMREC_HOME ?? path.join(process.cwd(), '.llmrec'));
    const sharedDir = path.resolve(process.env.LLMREC_SHARED_DIR ?? path.join(repoRoot, '..', 'shared'));
    let failed = 0;
    for (const s of chosen) {
      const t0 = Date.now();
      const startedAt = new Date().toISOString();
      const loadAtStart = os.loadavg().map((v) => Math.round(v * 100) / 100);
      process.stderr.write(`bench ${s.name}: ${s.description}\n`);
      try {
        const out = await s.run({ repoRoot, home, sharedDir, quick, durationSec, log: (m) => process.stderr.write(`bench ${s.name}: ${m}\n`) });
        const record: BenchRecord = {
          suite: s.name,
          description: s.description,
          startedAt,
          wallSeconds: (Date.now() - t0) / 1000,
          machine: {
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model ?? 'unknown',
            loadavgAtStart: loadAtStart,
            loadavg: os.loadavg().map((v) => Math.round(v * 100) / 100),
            memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
            node: process.version,
            platform: `${os.platform()} ${os.arch()}`,
            note: process.env.LLMREC_BENCH_NOTE ?? 'shared development machine; other processes may compete for the CPUs (see loadavg)',
          },
          ...out,
        };
        const file = path.join(outDir, `bench-${s.name}.json`);
        writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
        for (const [k, m] of Object.entries(out.metrics)) {
          const tgt = m.target ? `  (target ${m.target}: ${m.met ? 'met' : 'NOT met'})` : '';
          console.log(`${s.name}  ${k.padEnd(34)} ${fmt(m.value)} ${m.unit}${tgt}`);
        }
        process.stderr.write(`bench ${s.name}: wrote ${path.relative(process.cwd(), file)} (${record.wallSeconds.toFixed(1)} s)\n`);
      } catch (err) {
        failed++;
        process.stderr.write(`bench ${s.name}: FAILED: ${(err as Error).message}\n`);
      }
    }
    if (failed) throw new CliError(`${failed} suite(s) failed`);
    return 0;
  },
};

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}
