// The keep-alive fetch the Node edge uses for worker calls, against a real worker server: answers, timeouts
// and refused connections map to the same WorkerUnavailableError reasons as with the global fetch.
import { describe, expect, it } from 'vitest';
import { makeFixture } from './support/catalog-fixture.ts';
import { freePort } from './support/processes.ts';
import { createLatentModel } from '@llmrec/gpu-worker/model.ts';
import { startWorker } from '@llmrec/gpu-worker/server.ts';
import { keepAliveFetch } from '@llmrec/edge/node-http-fetch.ts';
import { httpWorkerClient, WorkerUnavailableError } from '@llmrec/edge/worker-client.ts';

const f = makeFixture();
const req = (k: number) => ({ version: 1 as const, requestId: `r${k}`, k: 3, exclude: [0], prompt: { version: 1 as const, user: { id: null, anonymous: true }, history: [{ idx: 0, title: 't' }], evidence: [], candidates: null } });

describe('keepAliveFetch', () => {
  it('scores through a real worker, reuses sockets, and reports timeouts and refusals', async () => {
    const base = createLatentModel({ version: 'v', itemLatents: f.itemLatents, dim: f.dim });
    let slow = false;
    const model = { ...base, encodeUsers: async (h: readonly (readonly number[])[]) => (slow && (await new Promise((r) => setTimeout(r, 500))), base.encodeUsers(h)) };
    const w = await startWorker({ model, secret: 'secret-123456789' });
    const client = httpWorkerClient({ url: w.url, secret: 'secret-123456789', fetch: keepAliveFetch() });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.score(req(i), { timeoutMs: 2000 })));
    for (const r of results) expect(r.items.map((i) => f.clusterOf(i.idx))).toEqual([0, 0, 0]);
    expect((await client.ready({ timeoutMs: 1000, requestId: 'x' })).ready).toBe(true);
    slow = true;
    await expect(client.score(req(99), { timeoutMs: 100 })).rejects.toMatchObject({ reason: 'timeout' });
    slow = false;
    const wrong = httpWorkerClient({ url: w.url, secret: 'wrong-secret-123', fetch: keepAliveFetch() });
    await expect(wrong.score(req(1), { timeoutMs: 1000 })).rejects.toMatchObject({ reason: 'worker_error' });
    await w.close();
    const dead = httpWorkerClient({ url: `http://127.0.0.1:${await freePort()}`, secret: 'x', fetch: keepAliveFetch() });
    const err = await dead.score(req(1), { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerUnavailableError);
    expect((err as WorkerUnavailableError).reason).toBe('unreachable');
  });
});
