// The edge<->worker secret: compared on SHA-256 digests with crypto.timingSafeEqual (no early exit on the first
// differing character, no length leak), and a worker that would listen beyond loopback without one refuses to start.
import { describe, expect, it } from 'vitest';
import { WORKER_SECRET_HEADER } from '@llmrec/shared/api/wire.ts';
import { makeFixture } from '../../tests/support/catalog-fixture.ts';
import { createWorkerApp } from './app.ts';
import { workerConfigFromEnv } from './config.ts';
import { createLatentModel } from './model.ts';
import { startWorker } from './server.ts';
import { isLoopbackHost, secretMatches } from './worker-secret.ts';

const f = makeFixture();
const model = () => createLatentModel({ version: 'm', itemLatents: f.itemLatents, dim: f.dim });
const SECRET = 'secret-0123456789';

describe('worker secret comparison', () => {
  it('accepts only the exact secret', () => {
    expect(secretMatches(SECRET, SECRET)).toBe(true);
    for (const bad of [undefined, '', 'secret-012345678', 'secret-01234567890', 'Secret-0123456789', 'secret-0123456788', `${SECRET}\0`]) {
      expect(secretMatches(bad, SECRET)).toBe(false);
    }
  });

  it('an empty expected secret matches nothing (not even an empty header)', () => {
    expect(secretMatches('', '')).toBe(false);
    expect(secretMatches(undefined, '')).toBe(false);
  });

  it('guards /v1/score: wrong, truncated, extended or missing secrets get 401 before any parsing', async () => {
    const { app } = createWorkerApp({ model: model(), secret: SECRET });
    for (const s of ['secret-012345678', `${SECRET}x`, 'xecret-0123456789', undefined]) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (s !== undefined) headers[WORKER_SECRET_HEADER] = s;
      const res = await app.request('/v1/score', { method: 'POST', headers, body: '{not json' });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'unauthorized', message: 'bad or missing worker secret' });
    }
  });
});

describe('loopback-only without a secret', () => {
  it('classifies bind addresses', () => {
    for (const h of ['127.0.0.1', '127.3.2.1', 'localhost', 'LocalHost', ' 127.0.0.1 ', '::1', '[::1]', '0:0:0:0:0:0:0:1', '0000:0000:0000:0000:0000:0000:0000:0001', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of ['0.0.0.0', '::', '', '10.0.0.5', '192.168.1.2', 'example.com', '128.0.0.1', '::ffff:10.0.0.1', '1:0:0:0:0:0:0:1', '0:0:0:0:0:0:0:10', 'fe80::1', '::10', '2001:db8::1', '[::1', 'x[::1]']) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });

  it('configuration: a non-loopback host needs LLMREC_WORKER_SECRET; loopback may run without one', () => {
    const env = { LLMREC_ARTIFACTS: '/a' };
    expect(() => workerConfigFromEnv({ ...env, LLMREC_WORKER_HOST: '0.0.0.0' })).toThrow(/LLMREC_WORKER_SECRET is required .*0\.0\.0\.0/);
    expect(() => workerConfigFromEnv({ ...env, LLMREC_WORKER_HOST: '::' })).toThrow(/LLMREC_WORKER_SECRET is required/);
    expect(workerConfigFromEnv({ ...env, LLMREC_WORKER_HOST: '0.0.0.0', LLMREC_WORKER_SECRET: SECRET }).secret).toBe(SECRET);
    expect(workerConfigFromEnv({ ...env }).secret).toBeUndefined();
    expect(workerConfigFromEnv({ ...env, LLMREC_WORKER_HOST: '::1' }).host).toBe('::1');
    expect(() => workerConfigFromEnv({ ...env, LLMREC_WORKER_SECRET: 'short' })).toThrow(/at least 8 characters/);
  });

  it('startWorker refuses a non-loopback bind without a secret (also an empty one), and does not listen', async () => {
    await expect(startWorker({ model: model(), secret: '', host: '0.0.0.0' })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without a worker secret/);
    await expect(startWorker({ model: model(), host: '0.0.0.0' })).rejects.toThrow(/without a worker secret/);
  });

  it('without a secret on loopback, requests need no header', async () => {
    const w = await startWorker({ model: model(), host: '127.0.0.1' });
    try {
      const res = await fetch(`${w.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: 1, requestId: 'r', k: 2, exclude: [], prompt: { version: 1, user: { id: null, anonymous: true }, history: [{ idx: 0, title: 't' }], evidence: [], candidates: null } }) });
      expect(res.status).toBe(200);
    } finally {
      await w.close();
    }
  });
});
