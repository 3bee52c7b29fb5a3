import { describe, expect, it } from 'vitest';
import type { ScoreRequest, ScoreResponse } from '@llmrec/shared/api/wire.ts';
import { withCircuitBreaker } from './circuit-breaker.ts';
import { WorkerUnavailableError, type WorkerClient } from './worker-client.ts';

const req = {} as ScoreRequest;
const ok = { items: [] } as unknown as ScoreResponse;

describe('circuit breaker', () => {
  it('opens after N failures, fails fast while open, probes once, closes on success', async () => {
    let now = 0;
    let up = false;
    let calls = 0;
    const inner: WorkerClient = {
      score: async () => {
        calls++;
        if (!up) throw new WorkerUnavailableError('unreachable', 'down');
        return ok;
      },
      ready: async () => ({ ready: true, executionProvider: 'cpu', model: 'm', items: 1, dim: 1, scorer: 's' }),
    };
    const b = withCircuitBreaker(inner, { failures: 3, openMs: 1000, clock: () => now });
    for (let i = 0; i < 3; i++) await expect(b.score(req, { timeoutMs: 1 })).rejects.toThrow('down');
    expect(b.state()).toBe('open');
    await expect(b.score(req, { timeoutMs: 1 })).rejects.toThrow(/marked down/);
    expect(calls).toBe(3);
    now = 1000;
    expect(b.state()).toBe('half-open');
    await expect(b.score(req, { timeoutMs: 1 })).rejects.toThrow('down'); // failed probe re-opens
    expect(calls).toBe(4);
    expect(b.state()).toBe('open');
    now = 2500;
    up = true;
    await expect(b.score(req, { timeoutMs: 1 })).resolves.toBe(ok);
    expect(b.state()).toBe('closed');
  });

  it('non-worker errors do not count', async () => {
    const inner: WorkerClient = { score: async () => Promise.reject(new Error('bug')), ready: async () => Promise.reject(new Error('x')) };
    const b = withCircuitBreaker(inner, { failures: 1 });
    await expect(b.score(req, { timeoutMs: 1 })).rejects.toThrow('bug');
    expect(b.state()).toBe('closed');
  });
});
