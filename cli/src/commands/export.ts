// `llmrec export`: writes a canonical dataset made of a prepared dataset plus what arrived through the API since
// it was published — items created or changed through PUT /v1/items (with their images) and events from the
// durable log — so `llmrec train` on it retrains on a catalog that grew without losing API-created items
// (issue 11). Erased users are left out. Events are journalled under $LLMREC_HOME/exports/<name>/ as they are
// read (through their own consumer group), so events the adapter job trims later are not lost to later exports.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { datasetDir, DatasetName, llmrecHome, mergeApiData, readDataset, readItems, readUsers, writeWithSplits, type ApiEvent, type ApiItem } from '@llmrec/data/index.ts';
import { openStore } from '@llmrec/edge/kv/open-store.ts';
import { erasedDigests } from '@llmrec/shared/catalog/erase-user.ts';
import { userDigest } from '@llmrec/shared/catalog/item-content.ts';
import { loadLiveView, readLiveHead } from '@llmrec/shared/catalog/live.ts';
import { getChunked } from '@llmrec/shared/kv/chunked.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { base64ToBytes } from '@llmrec/shared/base64.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { getTyped, mgetTyped, parseValue } from '@llmrec/shared/kv/typed.ts';
import { ItemIndex, LiveItem, LiveMedia, PublishedPointer } from '@llmrec/shared/kv/values.ts';
import { CliError, type Command, flag, optStr, str, UsageError } from '../command.ts';
import { log } from '../progress.ts';

/** One journalled event; `n` numbers the journal's entries (kept when erasure rewrites the journal). */
const JournalEvent = z.object({ n: z.number().int().positive(), eventId: z.string(), userId: z.string(), itemId: z.string(), ts: z.number() });
type JournalEvent = z.infer<typeof JournalEvent>;
/** exports/<name>/state.json: journal entries up to `merged` are already in the dataset exported in place. */
const ExportState = z.object({ v: z.literal(1), merged: z.number().int().nonnegative() });
const EXT: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png' };

/** Reads every event the export group has not seen into the journal (acked after it is on disk). */
async function journalEvents(store: KvStore, file: string, group: string): Promise<number> {
  const log = store.events;
  if (!log) return 0;
  const journal = readJournal(file);
  const seen = new Set(journal.map((e) => e.eventId));
  let n = journal.reduce((m, e) => Math.max(m, e.n), 0);
  let added = 0;
  for (;;) {
    const batch = await log.read(group, 'export', 500);
    if (batch.length === 0) break;
    const fresh = batch.filter((e) => !seen.has(e.eventId));
    if (fresh.length) appendFileSync(file, fresh.map((e) => JSON.stringify({ n: ++n, eventId: e.eventId, userId: e.userId, itemId: e.itemId, ts: e.ts }) + '\n').join(''));
    for (const e of fresh) seen.add(e.eventId);
    added += fresh.length;
    await log.ack(group, batch.map((e) => e.seq!));
  }
  return added;
}

function readJournal(file: string): JournalEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l, k) => {
    const r = JournalEvent.safeParse(JSON.parse(l));
    if (!r.success) throw new CliError(`${file}:${k + 1}: not an exported event (${r.error.issues[0]?.message})`);
    return r.data;
  });
}

export const command: Command = {
  name: 'export',
  summary: 'a dataset plus the items and events that arrived through the API (for retraining)',
  usage: [
    'llmrec export --dataset ml-100k [--store sqlite:.llmrec/kv.sqlite] [--as ml-100k]',
    'then: llmrec train --dataset ml-100k && llmrec publish --dataset ml-100k   (items added meanwhile are carried over)',
    'Reads the published version of --dataset in the store: created/changed items (with images) and every event in the log.',
    'Events are journalled under $LLMREC_HOME/exports/<as>/events.jsonl (consumer group --group, default llmrec-export):',
    'run the adapter job with --trim-also llmrec-export (its trimming then keeps what the export has not read).',
  ].join('\n'),
  options: {
    dataset: { type: 'string', short: 'd', description: 'prepared dataset the store\'s published catalog came from' },
    store: { type: 'string', short: 's', description: 'store spec (default $LLMREC_STORE or sqlite:$LLMREC_HOME/kv.sqlite)' },
    as: { type: 'string', description: 'name of the exported dataset (default: --dataset, replaced in place)' },
    group: { type: 'string', description: 'consumer group the export reads the event log with (default llmrec-export)' },
    home: { type: 'string', description: 'LLMREC_HOME (default ./.llmrec)' },
    force: { type: 'boolean', description: 'export even when the published catalog belongs to another dataset' },
    json: { type: 'boolean', description: 'print the export report as JSON on stdout' },
  },
  async run({ values }) {
    const name = str(values, 'dataset');
    const as = optStr(values, 'as') ?? name;
    if (!DatasetName.safeParse(as).success) throw new UsageError(`--as '${as}': not a valid dataset name`);
    const home = resolve(optStr(values, 'home') ?? llmrecHome());
    let ds;
    try {
      ds = readDataset(datasetDir(name, home));
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    const items = readItems(ds.dir);
    const users = readUsers(ds.dir);
    const store = await openStore(optStr(values, 'store'), { ...(process.env as Record<string, string>), LLMREC_HOME: home });
    try {
      const ptr = await getTyped(store, PublishedPointer, keys.published());
      if (!ptr) throw new CliError(`nothing is published in the store (${store.kind}): nothing arrived through the API for ${name}`);
      if (ptr.dataset !== name && !flag(values, 'force')) throw new CliError(`the store's published catalog ${ptr.version} is of dataset ${ptr.dataset}, not ${name} (--force to export anyway)`);
      const version = ptr.version;
      const ids = (await getTyped(store, ItemIndex, keys.itemIndex(version)))?.ids ?? [];
      // The published items must lead the dataset in the same order (an in-place export also holds the created ones after them).
      if (ids.length > ds.nItems || ids.some((id, i) => id !== items[i]!.id)) {
        if (!flag(values, 'force')) throw new CliError(`the published catalog ${version} does not index items as ${name} does (published from another preparation?): --force to export anyway`);
      }
      const view = await loadLiveView(store, version, ids, await readLiveHead(store, version), null);
      const liveIds = [...view.metaRev.keys()];
      const recs = (await mgetTyped(store, LiveItem, liveIds.map((id) => keys.liveItem(version, id)))).filter((r): r is LiveItem => r !== null);
      const mediaDir = join(home, 'media', as);
      const apiItems: ApiItem[] = [];
      for (const r of recs) {
        let image: string | null = null;
        if (r.image) {
          const raw = await getChunked(store, keys.liveMedia(version, r.id));
          if (raw !== null) {
            const m = parseValue(LiveMedia, keys.liveMedia(version, r.id), raw);
            mkdirSync(mediaDir, { recursive: true });
            image = join(mediaDir, `${encodeURIComponent(r.id)}.${EXT[m.contentType] ?? 'bin'}`);
            writeFileSync(image, base64ToBytes(m.data));
          }
        }
        apiItems.push({ id: r.id, idx: r.idx, created: r.created, title: r.title, text: r.text, image });
      }
      const exportDir = join(home, 'exports', as);
      mkdirSync(exportDir, { recursive: true });
      const journal = join(exportDir, 'events.jsonl');
      const newEvents = await journalEvents(store, journal, optStr(values, 'group') ?? 'llmrec-export');
      const digests = await erasedDigests(store);
      const events = readJournal(journal);
      const erased = new Set<string>();
      if (digests.size) {
        for (const id of new Set([...users.map((u) => u.id), ...events.map((e) => e.userId)])) if (digests.has(await userDigest(id))) erased.add(id);
        // The journal forgets erased users too.
        if (events.some((e) => erased.has(e.userId))) writeFileSync(journal, events.filter((e) => !erased.has(e.userId)).map((e) => JSON.stringify(e) + '\n').join(''));
      }
      // Exported in place before: the dataset already holds the journal up to `merged` (no event counted twice).
      const stateFile = join(exportDir, 'state.json');
      const incremental = as === name && ds.meta.source.kind === 'export' && existsSync(stateFile);
      const merged = incremental ? ExportState.parse(JSON.parse(readFileSync(stateFile, 'utf8'))).merged : 0;
      const toMerge: ApiEvent[] = events.filter((e) => e.n > merged && !erased.has(e.userId));
      const built = mergeApiData({ name: as, ds, items, users, apiItems, events: toMerge, erased, sourceFiles: [journal] });
      const r = writeWithSplits(built, datasetDir(as, home), { kind: 'export', dir: ds.dir, format: ds.meta.source.format }, { log });
      writeFileSync(stateFile, JSON.stringify({ v: 1, merged: events.reduce((m, e) => Math.max(m, e.n), merged) }) + '\n');
      const rep = { dir: r.dir, version, ...built.report, newEventsJournalled: newEvents, counts: r.meta.counts, splits: r.splits.map((s) => s.split) };
      log('export', `${as}: ${rep.createdItems} created and ${rep.changedItems} changed item(s), ${rep.events} event(s) (${newEvents} new since the last export), ${rep.newUsers} new user(s), ${rep.erasedUsers} erased user(s) left out -> ${r.dir}`);
      if (flag(values, 'json')) console.log(JSON.stringify(rep));
      return 0;
    } finally {
      await store.close?.();
    }
  },
};
