// Test helper: run the `llmrec` CLI exactly as a user would (`node bin/llmrec.js ...`) and capture its output.
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths.ts';

export function llmrec(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/llmrec.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, cwd: REPO_ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Async variant, for tests that serve something (e.g. a local HTTP server) from the test process meanwhile. */
export function llmrecAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin/llmrec.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, cwd: REPO_ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
