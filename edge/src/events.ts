// Event ingest (part 5, edge side): validate item ids against the published catalog, append to the durable
// log (idempotent by client event id), then push the NEW events onto each user's recent history so the
// very next recommend sees them. Appends go one event at a time so a retried batch with some known ids
// updates histories only for the events that are new.
import type { EventIn, Problem } from '@llmrec/shared/api/http.ts';
import { eventUserId } from '@llmrec/shared/api/session.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import type { EventLog, KvStore, LoggedEvent } from '@llmrec/shared/kv/store.ts';
import { encodeValue } from '@llmrec/shared/kv/typed.ts';
import { HistoryEntry } from '@llmrec/shared/kv/values.ts';
import type { Catalog } from './catalog.ts';
import { ApiError, badRequest } from './errors.ts';

export interface IngestDeps {
  store: KvStore;
  events: EventLog;
  catalog: Catalog;
  historyMaxLen: number;
  clock: () => number;
}

export async function ingestEvents(deps: IngestDeps, batch: readonly EventIn[], field: string): Promise<{ accepted: number; duplicates: number }> {
  const cat = await deps.catalog.published();
  if (!cat) throw new ApiError(503, 'not_published', 'no catalog has been published to this store yet (run `llmrec publish`)');
  const meta = await deps.catalog.items(cat, batch.map((e) => e.itemId));
  const problems: Problem[] = [];
  meta.forEach((m, i) => {
    if (m === null) problems.push({ path: `${field}${i}.itemId`, message: `unknown item id ${JSON.stringify(batch[i]!.itemId)}` });
  });
  if (problems.length) throw badRequest('unknown items in events', problems.slice(0, 50));

  const now = deps.clock();
  const fresh: LoggedEvent[] = [];
  let duplicates = 0;
  for (const e of batch) {
    const logged: LoggedEvent = { eventId: e.eventId, userId: eventUserId(e), itemId: e.itemId, type: e.type, ts: e.ts ?? now };
    const r = await deps.events.append([logged]);
    if (r.added === 1) fresh.push(logged);
    else duplicates++;
  }
  // Histories: per user, oldest first so the newest ends up at the head of the list.
  const byUser = new Map<string, LoggedEvent[]>();
  for (const e of fresh) (byUser.get(e.userId) ?? byUser.set(e.userId, []).get(e.userId)!).push(e);
  await Promise.all(
    [...byUser].map(([userId, evs]) => {
      evs.sort((a, b) => a.ts - b.ts);
      const values = evs.map((e) => encodeValue(HistoryEntry, { v: 1, item: e.itemId, ts: e.ts, type: e.type }));
      return deps.store.listPush(keys.history(userId), values, deps.historyMaxLen);
    }),
  );
  return { accepted: fresh.length, duplicates };
}
