// The worker and the edge as real child processes (`node --import tsx <entry>`), for benchmarks and fault
// tests: free ports, readiness polling on /healthz, kill with a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export { freePort } from '../../test-support/free-port.ts';

export interface Child {
  proc: ChildProcess;
  url: string;
  log: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns `node --import tsx <entry> [args]` (path relative to the repo) with env; resolves once GET <url>/healthz answers. */
export async function spawnService(entry: string, env: Record<string, string>, port: number, timeoutMs = 30_000, args: readonly string[] = []): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, entry), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => (log = (log + d).slice(-20_000)));
  proc.stderr.on('data', (d) => (log = (log + d).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const child: Child = {
    proc,
    url,
    log: () => log,
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${entry} exited with ${proc.exitCode}:\n${log}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await child.kill();
  throw new Error(`${entry} not ready within ${timeoutMs} ms:\n${log}`);
}

/** The GPU worker process as the image runs it (`llmrec worker`), configured by env (LLMREC_WORKER_PORT must be `port`). */
export function spawnWorker(env: Record<string, string>, port: number, timeoutMs = 30_000): Promise<Child> {
  return spawnService('bin/llmrec.js', env, port, timeoutMs, ['worker']);
}
