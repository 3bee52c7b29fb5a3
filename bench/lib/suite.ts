// The interface every benchmark suite implements. A suite is a file `bench/<name>.ts` exporting
// `export const suite: BenchSuite = { name, description, run }`; `llmrec bench` (npm run bench) discovers it,
// runs it (or only those named by --only), and writes `results/bench-<name>.json`.
// Benchmarks are measurements, not tests: they report numbers with the machine they ran on; they never fail
// on a target (targets are reported next to the figures, with `met: true|false`).

export interface BenchContext {
  /** Repository root (absolute). */
  repoRoot: string;
  /** $LLMREC_HOME (default <cwd>/.llmrec): caches, datasets, artifacts. */
  home: string;
  /** Shared data/models folder (LLMREC_SHARED_DIR or <repo>/../shared); may not exist. */
  sharedDir: string;
  /** --quick: shorter runs (smoke-checking the suite itself). */
  quick: boolean;
  /** Seconds per load phase (autocannon duration etc.); suites may scale it. */
  durationSec: number;
  /** Progress line on stderr. */
  log(msg: string): void;
}

/** One measured figure: value + unit, and the target when the issue sets one. */
export interface Metric {
  value: number;
  unit: string;
  /** Human-readable target, e.g. "<= 5 ms". */
  target?: string;
  met?: boolean;
  note?: string;
}

export interface BenchOutput {
  /** Named figures, e.g. { "edge_overhead_p99": { value: 1.2, unit: "ms", target: "<= 5 ms", met: true } }. */
  metrics: Record<string, Metric>;
  /** What was measured on what data, under which protocol. */
  setup: Record<string, unknown>;
  notes?: string[];
}

export interface BenchSuite {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchOutput>;
}

/** What `llmrec bench` writes to results/bench-<name>.json. */
export interface BenchRecord extends BenchOutput {
  suite: string;
  description: string;
  startedAt: string;
  wallSeconds: number;
  machine: { cpus: number; cpuModel: string; loadavgAtStart: number[]; loadavg: number[]; memGiB: number; node: string; platform: string; note: string };
}

/** Percentile (0..100) of a sample, nearest-rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank]!;
}

/** A metric with a "<= target" check. */
export function atMost(value: number, unit: string, target: number): Metric {
  return { value, unit, target: `<= ${target} ${unit}`, met: value <= target };
}

/** A metric with a ">= target" check. */
export function atLeast(value: number, unit: string, target: number): Metric {
  return { value, unit, target: `>= ${target} ${unit}`, met: value >= target };
}
