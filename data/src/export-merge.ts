// Merges what arrived through the API into a canonical dataset (issue 11: retraining picks up what the API
// created, `llmrec export`): the dataset's items keep their dense indices, items created through the item API
// follow in the order of their live indices (so the exported dataset indexes items exactly as the live catalog
// did), items changed through the API take their new title and text, events from the log are appended to their
// users' sequences (new users after the dataset's), and erased users are left out entirely.
import { type BuiltDataset, DatasetBuilder } from './builder.ts';
import type { Dataset } from './read.ts';
import type { ItemRecord, ItemText, UserRecord } from './schema.ts';

export interface ApiItem {
  id: string;
  /** Dense index in the live catalog (published items keep theirs, created ones come after). */
  idx: number;
  created: boolean;
  title: string;
  text: ItemText;
  /** Image file written by the exporter (absolute path), or null. */
  image: string | null;
}

export interface ApiEvent {
  eventId: string;
  userId: string;
  itemId: string;
  /** ms since epoch. */
  ts: number;
}

export interface MergeInput {
  name: string;
  ds: Dataset;
  items: readonly ItemRecord[];
  users: readonly UserRecord[];
  apiItems: readonly ApiItem[];
  events: readonly ApiEvent[];
  /** Raw ids of erased users: not exported at all. */
  erased: ReadonlySet<string>;
  sourceFiles: string[];
}

export function mergeApiData(m: MergeInput): BuiltDataset & { report: { createdItems: number; changedItems: number; events: number; newUsers: number; erasedUsers: number; skippedEvents: number } } {
  const b = new DatasetBuilder(m.name);
  const changed = new Map(m.apiItems.filter((a) => !a.created).map((a) => [a.id, a]));
  for (const it of m.items) {
    const c = changed.get(it.id);
    b.item(it.id, c ? { title: c.title, text: c.text, modalities: { image: c.image ?? it.modalities.image, audio: it.modalities.audio } } : { title: it.title, text: it.text, modalities: it.modalities });
  }
  const created = m.apiItems.filter((a) => a.created && b.findItem(a.id) === undefined).sort((x, y) => x.idx - y.idx);
  for (const a of created) b.item(a.id, { title: a.title, text: a.text, modalities: { image: a.image, audio: null } });

  const { user, item, ts, rating } = m.ds.interactions;
  const lastPos = new Map<number, number>();
  let erasedUsers = 0;
  for (const u of m.users) {
    if (m.erased.has(u.id)) {
      erasedUsers++;
      continue;
    }
    b.user(u.id, u.attrs);
  }
  for (let r = 0; r < user.length; r++) {
    const id = m.users[user[r]!]?.id;
    if (id === undefined || m.erased.has(id)) continue;
    const u = b.findUser(id)!;
    b.interaction(u, item[r]!, ts[r]!, rating[r]!);
    lastPos.set(u, Math.max(lastPos.get(u) ?? -1, ts[r]!));
  }
  const known = new Set(m.users.map((u) => u.id));
  let newUsers = 0;
  let skippedEvents = 0;
  let added = 0;
  const sorted = [...m.events].sort((x, y) => x.ts - y.ts || (x.eventId < y.eventId ? -1 : 1));
  for (const e of sorted) {
    if (m.erased.has(e.userId)) continue;
    const i = b.findItem(e.itemId);
    if (i === undefined) {
      skippedEvents++;
      continue;
    }
    if (!known.has(e.userId) && b.findUser(e.userId) === undefined) newUsers++;
    const u = b.user(e.userId);
    // Without timestamps the dataset orders by position: API events continue each user's sequence in event time.
    const t = m.ds.meta.hasTimestamps ? e.ts / 1000 : (lastPos.get(u) ?? -1) + 1;
    if (!m.ds.meta.hasTimestamps) lastPos.set(u, t);
    b.interaction(u, i, t, 1);
    added++;
  }
  // A note that does not depend on how much this run added: exporting again with nothing new rewrites identical files.
  const note = `exported from dataset ${m.ds.meta.name} plus the items and events that arrived through the API (llmrec export)`;
  b.notes.push(note, ...(m.ds.meta.notes ?? []).filter((n) => n !== note));
  const built = b.build({ hasTimestamps: m.ds.meta.hasTimestamps, skipped: [], sourceFiles: m.sourceFiles });
  return { ...built, report: { createdItems: created.length, changedItems: changed.size, events: added, newUsers, erasedUsers, skippedEvents } };
}
