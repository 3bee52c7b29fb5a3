// Test helper: runs `wrangler dev` (real workerd, offline, local KV simulation persisted in a temp dir) for a
// test Worker config and returns its URL; also a KvStore client that drives test-support/workerd/kv-worker.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventLog, KvStore, LoggedEvent } from '@llmrec/shared/kv/store.ts';
import { freePort } from './free-port.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..');

/** Environment for running wrangler offline in tests (no metrics, no prompts, config kept under `state`). */
export function wranglerEnv(state: string): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1', XDG_CONFIG_HOME: join(state, 'config') };
}

export const wranglerBin = join(repoRoot, 'node_modules', '.bin', 'wrangler');

export interface WranglerDev {
  url: string;
  stop(): Promise<void>;
}

/** `persistTo`: an existing local-state folder (e.g. filled by `wrangler kv bulk put --local`); kept on stop. */
export async function startWranglerDev(config: string, timeoutMs = 60_000, persistTo?: string): Promise<WranglerDev> {
  const port = await freePort();
  const inspector = await freePort();
  const own = persistTo === undefined;
  const state = persistTo ?? mkdtempSync(join(tmpdir(), 'llmrec-wrangler-'));
  const bin = wranglerBin;
  const args = ['dev', '--config', config, '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--persist-to', state, '--show-interactive-dev-session=false', '--log-level', 'warn'];
  const child: ChildProcess = spawn(bin, args, {
    cwd: dirname(config),
    env: wranglerEnv(state),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {}
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    if (own) rmSync(state, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) return { url, stop };
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`wrangler dev did not become ready (exit ${child.exitCode}):\n${log.slice(-2000)}`);
}

export interface RemoteBackend {
  backend: 'cloudflare-kv' | 'upstash';
  url?: string;
  token?: string;
  claimIdleMs?: number;
  dedupHorizonMs?: number;
}

/** A KvStore whose operations run inside workerd (test-support/workerd/kv-worker.ts) against a real backend. */
export function remoteKvStore(workerUrl: string, prefix: string, backend: RemoteBackend = { backend: 'cloudflare-kv' }): KvStore {
  const call = async (op: string, ...args: unknown[]) => {
    const r = await fetch(`${workerUrl}/op`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...backend, op, args, prefix }) });
    const body = (await r.json()) as { result?: unknown; error?: string };
    if (body.error !== undefined) throw new Error(body.error);
    return body.result;
  };
  const events: EventLog | undefined =
    backend.backend === 'upstash'
      ? {
          append: async (e, h) => (await call('eventsAppend', e, ...(h ? [h] : []))) as { added: number; duplicates: number },
          read: async (g, c, n) => (await call('eventsRead', g, c, n)) as LoggedEvent[],
          ack: async (g, s) => void (await call('eventsAck', g, s)),
          trim: async (g) => (await call('eventsTrim', g)) as number,
          length: async () => (await call('eventsLength')) as number,
          forgetUser: async (u) => (await call('eventsForgetUser', u)) as { removed: number; eventIds: string[] },
        }
      : undefined;
  return {
    kind: backend.backend,
    events,
    get: async (k) => (await call('get', k)) as string | null,
    mget: async (ks) => (await call('mget', ks)) as (string | null)[],
    set: async (k, v, o) => void (await call('set', k, v, o)),
    del: async (k) => void (await call('del', k)),
    setMany: async (e) => void (await call('setMany', e)),
    listPush: async (k, v, m) => void (await call('listPush', k, v, m)),
    listRange: async (k, a, b) => (await call('listRange', k, a, b)) as string[],
    ping: async () => void (await call('ping')),
  };
}
