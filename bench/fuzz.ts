// Longer property-based fuzzing of the edge routes than CI runs (CI: 1,000 cases per route): re-runs
// tests/fuzz.test.ts with LLMREC_FUZZ_RUNS cases per route and reports how many ran and whether any input
// produced a 5xx or a malformed error body.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BenchSuite } from './lib/suite.ts';

const ROUTES = 7;

export const suite: BenchSuite = {
  name: 'fuzz',
  description: 'fast-check fuzzing of every edge route, many more cases than CI (no 5xx allowed)',
  async run(ctx) {
    const runs = Number(process.env.LLMREC_FUZZ_RUNS ?? (ctx.quick ? 2000 : 20000));
    ctx.log(`${runs} cases per route`);
    const t0 = Date.now();
    const r = spawnSync(join(ctx.repoRoot, 'node_modules/.bin/vitest'), ['run', 'tests/fuzz.test.ts', '--reporter=dot'], {
      cwd: ctx.repoRoot,
      env: { ...process.env, LLMREC_FUZZ_RUNS: String(runs) },
      encoding: 'utf8',
      timeout: 3_600_000,
    });
    const secs = (Date.now() - t0) / 1000;
    const failed = r.status !== 0;
    if (failed) ctx.log(`counterexample or failure:\n${(r.stdout + r.stderr).slice(-4000)}`);
    return {
      metrics: {
        cases: { value: runs * ROUTES, unit: 'requests', note: `${runs} per route x ${ROUTES} routes` },
        failing_properties: { value: failed ? 1 : 0, unit: 'suites', target: '0 (no 5xx, every error body is ErrorBody)', met: !failed },
        seconds: { value: secs, unit: 's' },
      },
      setup: { test: 'tests/fuzz.test.ts', store: 'memory', worker: 'real worker app in-process (with the live catalog and an ONNX fixture content tower for the item routes)', runsPerRoute: runs },
    };
  },
};
