// Test helper: a real redis-server for the Redis-backed tests. ensureRedis uses the one scripts/setup.sh
// started on LLMREC_TEST_REDIS_PORT (default 6390) when it answers, else starts a private one on a free port
// (so `npx vitest run <file>` works alone) and stops it afterwards; startPrivateRedis always starts its own
// (end-to-end tests that must not share keys with other tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface RedisHandle {
  port: number;
  /** True when this helper started the server (and stop() will end it). */
  owned: boolean;
  stop(): Promise<void>;
}

async function pingRedis(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('*1\r\n$4\r\nPING\r\n'));
    s.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

export async function ensureRedis(): Promise<RedisHandle> {
  const shared = Number(process.env.LLMREC_TEST_REDIS_PORT ?? 6390);
  if (await pingRedis(shared)) return { port: shared, owned: false, stop: async () => {} };
  return startPrivateRedis();
}

/**
 * A private redis-server on a free port, in its own temporary directory (removed by stop()), for tests that
 * must not share keys with others. Resolves once it answers PING; `appendonly` for tests about durability.
 */
export async function startPrivateRedis(opts: { appendonly?: boolean } = {}): Promise<RedisHandle> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'llmrec-redis-'));
  let child: ChildProcess;
  try {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', opts.appendonly ? 'yes' : 'no', '--dir', dir], { stdio: 'ignore' });
  } catch (e) {
    throw new Error(`cannot start redis-server (install Debian's redis-server or run scripts/setup.sh): ${(e as Error).message}`);
  }
  const spawnError = new Promise<never>((_, rej) => child.once('error', (e) => rej(new Error(`cannot start redis-server: ${e.message}`))));
  const ready = (async () => {
    for (let i = 0; i < 100; i++) {
      if (await pingRedis(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on port ${port} did not answer PING within 5 s`);
  })();
  await Promise.race([ready, spawnError]);
  return {
    port,
    owned: true,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
