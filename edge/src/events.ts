// Event ingest (part 5, edge side): validate event times (clock skew and floor, EdgeConfig.eventTime) and
// item ids against the published catalog, then ONE append to the durable log (idempotent by client event id)
// that carries each event's history entry: the backend stores a new event and its entry at the head of the
// user's recent history in the same atomic step (EventLog.append with HistoryWrite), so the very next
// recommend sees it, and a retried batch — after any failure, even one that lost the answer of an append
// that was applied — updates every history exactly once.
import type { EventIn, Problem } from '@llmrec/shared/api/http.ts';
import { eventUserId } from '@llmrec/shared/api/session.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import type { EventLog, LoggedEvent } from '@llmrec/shared/kv/store.ts';
import { encodeValue } from '@llmrec/shared/kv/typed.ts';
import { HistoryEntry } from '@llmrec/shared/kv/values.ts';
import type { Catalog } from './catalog.ts';
import { ApiError, badRequest } from './errors.ts';

export interface IngestDeps {
  events: EventLog;
  catalog: Catalog;
  historyMaxLen: number;
  clock: () => number;
  /** Accepted event times: at most maxFutureMs ahead of `clock`, not before minTs (EdgeConfig.eventTime). */
  eventTime: { maxFutureMs: number; minTs: number };
}

/** Problems with client-given event times (event time drives the adapter job's windows and statistics). */
function eventTimeProblems(batch: readonly EventIn[], field: string, now: number, bounds: IngestDeps['eventTime']): Problem[] {
  const latest = now + bounds.maxFutureMs;
  const problems: Problem[] = [];
  batch.forEach((e, i) => {
    if (e.ts === undefined) return;
    const path = field ? `${field}${i}.ts` : 'ts';
    if (e.ts > latest) problems.push({ path, message: `event time ${e.ts} is more than ${bounds.maxFutureMs / 1000} s ahead of the server clock (${new Date(now).toISOString()}); send ms since epoch, or omit ts for ingest time` });
    else if (e.ts < bounds.minTs) problems.push({ path, message: `event time ${e.ts} is before the earliest accepted event time ${new Date(bounds.minTs).toISOString()}` });
  });
  return problems;
}

export async function ingestEvents(deps: IngestDeps, batch: readonly EventIn[], field: string): Promise<{ accepted: number; duplicates: number }> {
  const now = deps.clock();
  const late = eventTimeProblems(batch, field, now, deps.eventTime);
  if (late.length) throw badRequest('event times out of range', late.slice(0, 50));
  const cat = await deps.catalog.published();
  if (!cat) throw new ApiError(503, 'not_published', 'no catalog has been published to this store yet (run `llmrec publish`)');
  const meta = await deps.catalog.items(cat, batch.map((e) => e.itemId));
  const problems: Problem[] = [];
  meta.forEach((m, i) => {
    if (m === null) problems.push({ path: `${field}${i}.itemId`, message: `unknown item id ${JSON.stringify(batch[i]!.itemId)}` });
  });
  if (problems.length) throw badRequest('unknown items in events', problems.slice(0, 50));

  // Event-time order (stable): each user's newest event ends up at the head of its history list.
  const logged: LoggedEvent[] = batch
    .map((e) => ({ eventId: e.eventId, userId: eventUserId(e), itemId: e.itemId, type: e.type, ts: e.ts ?? now }))
    .sort((a, b) => a.ts - b.ts);
  const entries = logged.map((e) => ({ key: keys.history(e.userId), value: encodeValue(HistoryEntry, { v: 1, item: e.itemId, ts: e.ts, type: e.type }) }));
  const r = await deps.events.append(logged, { entries, maxLen: deps.historyMaxLen });
  return { accepted: r.added, duplicates: r.duplicates };
}
