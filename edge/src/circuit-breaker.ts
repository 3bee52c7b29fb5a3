// Circuit breaker around the worker client (part 6, degradation): after `failures` consecutive worker
// failures the edge stops calling the worker for `openMs` and answers degraded at once (no connect attempts,
// no waiting out timeouts); then one probe request goes through, and a success closes the circuit again.
import type { ScoreRequest } from '@llmrec/shared/api/wire.ts';
import { WorkerUnavailableError, type WorkerClient } from './worker-client.ts';

export interface BreakerOptions {
  failures?: number;
  openMs?: number;
  clock?: () => number;
}

export function withCircuitBreaker(inner: WorkerClient, opts: BreakerOptions = {}): WorkerClient & { state(): 'closed' | 'open' | 'half-open' } {
  const threshold = opts.failures ?? 3;
  const openMs = opts.openMs ?? 1000;
  const clock = opts.clock ?? Date.now;
  let consecutive = 0;
  let openedAt = 0;
  let lastReason = '';
  let probing = false;

  const state = (): 'closed' | 'open' | 'half-open' => (consecutive < threshold ? 'closed' : clock() - openedAt >= openMs ? 'half-open' : 'open');

  return {
    state,
    available: () => state() !== 'open',
    async score(req: ScoreRequest, o: { timeoutMs: number }) {
      const s = state();
      if (s === 'open' || (s === 'half-open' && probing)) {
        throw new WorkerUnavailableError('circuit_open', `worker marked down after ${consecutive} consecutive failures (last: ${lastReason}); retrying it within ${openMs} ms`);
      }
      if (s === 'half-open') probing = true;
      try {
        const res = await inner.score(req, o);
        consecutive = 0;
        return res;
      } catch (err) {
        if (err instanceof WorkerUnavailableError) {
          consecutive++;
          lastReason = err.reason;
          if (consecutive >= threshold) openedAt = clock();
        }
        throw err;
      } finally {
        if (s === 'half-open') probing = false;
      }
    },
    ready: (o) => inner.ready(o),
    ...(inner.llmRank ? { llmRank: inner.llmRank.bind(inner) } : {}),
    ...(inner.encode ? { encode: inner.encode.bind(inner) } : {}),
    ...(inner.catalog ? { catalog: inner.catalog } : {}),
    // Explanations do not count towards the breaker (they have their own budget) but skip a worker known down.
    ...(inner.explain
      ? {
          explain: (req: Parameters<NonNullable<WorkerClient['explain']>>[0], o: { timeoutMs: number }) =>
            state() === 'open' ? Promise.reject(new WorkerUnavailableError('unreachable', 'worker marked down by the circuit breaker')) : inner.explain!(req, o),
        }
      : {}),
  };
}
