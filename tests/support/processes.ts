// Test support: the worker and the edge as real child processes (so tests can SIGKILL them), a serving bundle
// written for a fixture catalog, free ports, readiness polling.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { sumEncoderOnnx } from '../../cli/src/serving/sum-encoder-onnx.ts';
import { writeNpyFloat32 } from '../../gpu-worker/src/npy.ts';
import type { Fixture } from './catalog-fixture.ts';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** Writes serving-bundle.json + files for the fixture into `dir` (the ONNX sum encoder over the latents). */
export function writeFixtureBundle(dir: string, f: Fixture): void {
  const lat = writeNpyFloat32(f.itemLatents, [f.ids.length, f.dim]);
  const enc = sumEncoderOnnx(f.itemLatents, f.dim);
  writeFileSync(join(dir, 'item-latents.npy'), lat);
  writeFileSync(join(dir, 'user-encoder.onnx'), enc);
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  writeFileSync(
    join(dir, 'serving-bundle.json'),
    JSON.stringify({
      v: 1,
      kind: 'serving-bundle',
      version: f.version,
      dataset: 'fixture',
      source: 'baseline-bag-of-items',
      createdAt: new Date(0).toISOString(),
      itemLatents: { path: 'item-latents.npy', sha256: sha(lat), items: f.ids.length, dim: f.dim },
      userEncoder: { path: 'user-encoder.onnx', sha256: sha(enc), input: 'history', output: 'user_latent', maxlen: 50 },
    }),
  );
}

export interface Child {
  proc: ChildProcess;
  url: string;
  log: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns `node --import tsx <entry>` with env; resolves once GET <url>/healthz answers. */
export async function spawnService(entry: string, env: Record<string, string>, port: number, timeoutMs = 30_000): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, entry)], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout!.on('data', (d) => (log = (log + d).slice(-20_000)));
  proc.stderr!.on('data', (d) => (log = (log + d).slice(-20_000)));
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
