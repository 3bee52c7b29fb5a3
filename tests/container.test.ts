// The worker image, built and run (issue 14.10): runs scripts/container-test.sh — build the CPU variant from the
// locally made base, /healthz, /readyz, a scoring call, the LLM path's modules, refusal without a secret, SIGTERM —
// when a container engine is present AND LLMREC_CONTAINER_TEST=1 (a build takes minutes and podman's image store
// is shared by everyone on a machine, so it is opt-in; CI sets it where it installs podman). Skipped otherwise.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../bench/lib/services.ts';

const engine = process.env.LLMREC_CONTAINER_ENGINE ?? 'podman';
const present = spawnSync(engine, ['--version'], { stdio: 'ignore' }).status === 0;

describe.runIf(present && process.env.LLMREC_CONTAINER_TEST === '1')(`worker image (${engine})`, () => {
  it('builds, answers /healthz and a scoring call, loads the LLM path, refuses to run unauthenticated, stops on SIGTERM', () => {
    const r = spawnSync('bash', ['scripts/container-test.sh'], { cwd: repoRoot, encoding: 'utf8', timeout: 1_500_000 });
    expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { buildSeconds: number; healthySeconds: number };
    expect(summary.healthySeconds).toBeGreaterThan(0);
  }, 1_600_000);
});
