// Event ingest (POST /v1/events): a batch is one append (one round trip on every backend) that carries the
// users' history entries, so events and history entries are stored together or not at all. Whatever fails —
// the history write, or the append whose answer got lost after it was applied — a retry of the same batch
// leaves each event in the log once and in its user's history once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { KvUnavailableError, type EventLog, type KvStore } from '@llmrec/shared/kv/store.ts';
import { makeFixture, publishFixture } from '../../tests/support/catalog-fixture.ts';
import { makeHarness } from '../../tests/support/harness.ts';
import { createSqliteStore } from './kv/sqlite-store.ts';

const f = makeFixture();
const dir = mkdtempSync(join(tmpdir(), 'llmrec-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW = Date.now();
const batch = (n: number, user = 'fresh-user') => ({ events: Array.from({ length: n }, (_, i) => ({ eventId: `ev-${user}-${i}`, userId: user, itemId: f.ids[i % f.ids.length]!, type: 'view', ts: NOW - (n - i) * 1000 })) });

/** The store with its event log and list writes instrumented: call counts and injectable failures. */
function instrument(store: KvStore, fail: { appendLostAnswer?: number; listPush?: number } = {}) {
  const calls = { append: 0, listPush: 0 };
  const inner = store.events!;
  const events: EventLog = {
    append: async (evs, history) => {
      calls.append++;
      const r = await inner.append(evs, history);
      if (fail.appendLostAnswer && fail.appendLostAnswer-- > 0) throw new KvUnavailableError('connection reset after the request was sent');
      return r;
    },
    read: inner.read.bind(inner),
    ack: inner.ack.bind(inner),
    trim: inner.trim.bind(inner),
    length: inner.length.bind(inner),
  };
  const wrapped: KvStore = Object.assign(Object.create(store) as KvStore, {
    events,
    listPush: async (key: string, values: readonly string[], maxLen: number) => {
      calls.listPush++;
      if (fail.listPush && fail.listPush-- > 0) throw new KvUnavailableError('history write failed');
      return store.listPush(key, values, maxLen);
    },
  });
  return { store: wrapped, calls };
}

async function history(store: KvStore, user: string): Promise<string[]> {
  return (await store.listRange(keys.history(user), 0, -1)).map((v) => (JSON.parse(v) as { item: string }).item);
}

const backends: [string, () => KvStore][] = [
  ['memory', () => createMemoryStore()],
  ['sqlite', () => createSqliteStore(join(dir, `${Math.random().toString(36).slice(2)}.sqlite`))],
];

for (const [name, make] of backends) {
  describe(`POST /v1/events on ${name}`, () => {
    it('a 500-event batch is one append; histories newest first', async () => {
      const base = make();
      await publishFixture(base, f);
      const { store, calls } = instrument(base);
      const h = makeHarness(store, f, { config: { historyMaxLen: 1000 } });
      const body = batch(500);
      const r = await h.call('POST', '/v1/events', body);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ accepted: 500, duplicates: 0 });
      expect(calls.append).toBe(1);
      expect(await history(base, 'fresh-user')).toEqual(body.events.map((e) => e.itemId).reverse());
      await base.close?.();
    });

    for (const failure of ['the history write fails after the append', 'the append is applied but its answer is lost'] as const) {
      it(`${failure}: a retry updates the history exactly once`, async () => {
        const base = make();
        await publishFixture(base, f);
        const { store } = instrument(base, failure.startsWith('the history') ? { listPush: 1 } : { appendLostAnswer: 1 });
        const h = makeHarness(store, f);
        const body = batch(6, 'retry-user');
        const first = await h.call('POST', '/v1/events', body);
        if (first.status !== 200) {
          expect(first.status).toBe(503);
          const again = await h.call('POST', '/v1/events', body);
          expect(again.status).toBe(200);
        }
        const third = await h.call('POST', '/v1/events', body);
        expect(third.json).toMatchObject({ accepted: 0, duplicates: 6 });
        expect(await base.events!.length()).toBe(6);
        expect(await history(base, 'retry-user')).toEqual(body.events.map((e) => e.itemId).reverse());
        await base.close?.();
      });
    }
  });
}

describe('event time bounds (one far-future event must not steer the adapter job)', () => {
  const CLOCK = Date.UTC(2026, 0, 15, 12);
  async function harness(config = {}) {
    const store = createMemoryStore();
    await publishFixture(store, f);
    return { store, h: makeHarness(store, f, { config, deps: { clock: () => CLOCK } }) };
  }
  const one = (ts: number, eventId = `t-${ts}`) => ({ eventId, userId: 'u1', itemId: '1', ts });

  it('ts 8000000000000000 (year 255,000) is 400 with the problem at ts; nothing is stored', async () => {
    const { store, h } = await harness();
    const r = await h.call('POST', '/v1/events', one(8_000_000_000_000_000));
    expect(r.status).toBe(400);
    expect(r.json.problems).toEqual([{ path: 'ts', message: expect.stringMatching(/more than 300 s ahead of the server clock \(2026-01-15T12:00:00\.000Z\)/) }]);
    expect(await store.events.length()).toBe(0);
  });

  it('accepts up to 5 minutes of clock skew by default, refuses beyond it and before 2000-01-01', async () => {
    const { store, h } = await harness();
    expect((await h.call('POST', '/v1/events', one(CLOCK + 299_000))).status).toBe(200);
    expect((await h.call('POST', '/v1/events', one(CLOCK + 301_000))).status).toBe(400);
    expect((await h.call('POST', '/v1/events', one(Date.UTC(2000, 0, 1)))).status).toBe(200);
    const old = await h.call('POST', '/v1/events', { events: [one(CLOCK - 1000, 'ok-1'), one(Date.UTC(1999, 11, 31, 23, 59), 'old')] });
    expect(old.status).toBe(400);
    expect(old.json.problems).toEqual([{ path: 'events.1.ts', message: expect.stringMatching(/before the earliest accepted event time 2000-01-01T00:00:00\.000Z/) }]);
    expect(await store.events.length()).toBe(2); // the batch with one bad event stored nothing
  });

  it('both bounds are configurable (eventTime in EdgeConfig; LLMREC_EVENT_MAX_FUTURE_MS / LLMREC_EVENT_MIN_TS)', async () => {
    const { h } = await harness({ eventTime: { maxFutureMs: 3_600_000, minTs: 0 } });
    expect((await h.call('POST', '/v1/events', one(CLOCK + 1_800_000))).status).toBe(200);
    expect((await h.call('POST', '/v1/events', one(5000))).status).toBe(200);
    expect((await h.call('POST', '/v1/events', one(CLOCK + 3_700_000))).status).toBe(400);
    const { edgeConfigFromEnv } = await import('./config.ts');
    const cfg = edgeConfigFromEnv({ LLMREC_API_KEY: 'k-0123456789', LLMREC_WORKER_SECRET: 's-0123456789', LLMREC_EVENT_MAX_FUTURE_MS: '60000' });
    expect(cfg.eventTime).toEqual({ maxFutureMs: 60_000, minTs: 946_684_800_000 });
  });
});
