// Embedded persistent KvStore + EventLog on SQLite (better-sqlite3): the default store for local runs
// (`LLMREC_STORE=sqlite:.llmrec/kv.sqlite`). Node only. setMany and every list/log update run in one
// transaction; WAL mode keeps readers unblocked and survives a process crash (part 5: durable events).
// Idempotency lives in event_ids, not in events, so trimming events keeps late retries duplicates; trim
// forgets the ids older than the dedup horizon whose events are gone (event_ids.added_at, schema v3).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { checkHistoryWrite, DEFAULT_DEDUP_HORIZON_MS, type EventLog, type EventLogOptions, type HistoryWrite, type KvStore, type LoggedEvent } from '@llmrec/shared/kv/store.ts';

type Db = Database.Database;

export type SqliteStoreOptions = EventLogOptions;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lists (key TEXT PRIMARY KEY, items TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL, item_id TEXT NOT NULL, type TEXT NOT NULL, ts REAL NOT NULL);
CREATE TABLE IF NOT EXISTS event_ids (event_id TEXT PRIMARY KEY, added_at INTEGER) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_groups (name TEXT PRIMARY KEY, last_seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_pending (grp TEXT NOT NULL, seq INTEGER NOT NULL, consumer TEXT NOT NULL,
  delivered_at INTEGER NOT NULL, PRIMARY KEY (grp, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '3');
`;

// Version 1 kept the idempotency ids only in events.event_id: copy them into event_ids once.
const MIGRATE_1_TO_2 = `
INSERT OR IGNORE INTO event_ids (event_id) SELECT event_id FROM events;
UPDATE meta SET value = '2' WHERE key = 'schema_version';
`;

// Version 2 had no first-append time: ids get the migration time, so they live one horizon from now.
// (A version-1 file already has the v3 event_ids table, created by SCHEMA, hence the column check.)
function migrate2To3(db: Db, now: number) {
  const cols = db.prepare('PRAGMA table_info(event_ids)').all() as { name: string }[];
  if (!cols.some((c) => c.name === 'added_at')) db.exec('ALTER TABLE event_ids ADD COLUMN added_at INTEGER');
  db.prepare('UPDATE event_ids SET added_at = ? WHERE added_at IS NULL').run(now);
  db.exec("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
}

interface EventRow {
  seq: number;
  event_id: string;
  user_id: string;
  item_id: string;
  type: string;
  ts: number;
}

const toEvent = (r: EventRow): LoggedEvent => ({ eventId: r.event_id, userId: r.user_id, itemId: r.item_id, type: r.type, ts: r.ts, seq: String(r.seq) });

export class SqliteEventLog implements EventLog {
  private readonly claimIdleMs: number;
  private readonly dedupHorizonMs: number;
  private readonly st;
  private readonly appendTx;
  private readonly readTx;
  private readonly ackTx;
  private readonly trimTx;

  /** `pushList`: the owning store's list prepend, run inside the append's transaction. */
  constructor(private readonly db: Db, opts: SqliteStoreOptions = {}, private readonly pushList: (key: string, values: readonly string[], maxLen: number) => void = () => {}) {
    this.claimIdleMs = opts.claimIdleMs ?? 30_000;
    this.dedupHorizonMs = opts.dedupHorizonMs ?? DEFAULT_DEDUP_HORIZON_MS;
    this.st = {
      newId: db.prepare('INSERT OR IGNORE INTO event_ids (event_id, added_at) VALUES (?, ?)'),
      insert: db.prepare('INSERT INTO events (event_id, user_id, item_id, type, ts) VALUES (?, ?, ?, ?, ?)'),
      count: db.prepare('SELECT COUNT(*) AS n FROM events'),
      group: db.prepare('SELECT last_seq FROM event_groups WHERE name = ?'),
      addGroup: db.prepare('INSERT OR IGNORE INTO event_groups (name, last_seq) VALUES (?, 0)'),
      setGroup: db.prepare('UPDATE event_groups SET last_seq = ? WHERE name = ?'),
      own: db.prepare('SELECT e.* FROM event_pending p JOIN events e ON e.seq = p.seq WHERE p.grp = ? AND p.consumer = ? ORDER BY p.seq LIMIT ?'),
      stale: db.prepare('SELECT e.* FROM event_pending p JOIN events e ON e.seq = p.seq WHERE p.grp = ? AND p.consumer <> ? AND p.delivered_at <= ? ORDER BY p.seq LIMIT ?'),
      fresh: db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
      deliver: db.prepare('INSERT OR REPLACE INTO event_pending (grp, seq, consumer, delivered_at) VALUES (?, ?, ?, ?)'),
      ack: db.prepare('DELETE FROM event_pending WHERE grp = ? AND seq = ?'),
      // First seq the group still needs: its oldest pending event, else the one after the last delivered.
      keepFrom: db.prepare('SELECT MIN(g.last_seq + 1, COALESCE((SELECT MIN(seq) FROM event_pending WHERE grp = g.name), g.last_seq + 1)) AS s FROM event_groups g WHERE g.name = ?'),
      trim: db.prepare('DELETE FROM events WHERE seq < ?'),
      // Pending entries of other groups on trimmed events would never be delivered again (XAUTOCLAIM drops them too).
      trimPending: db.prepare('DELETE FROM event_pending WHERE seq < ?'),
      userEvents: db.prepare('SELECT seq, event_id FROM events WHERE user_id = ?'),
      delEvent: db.prepare('DELETE FROM events WHERE seq = ?'),
      delPending: db.prepare('DELETE FROM event_pending WHERE seq = ?'),
      delId: db.prepare('DELETE FROM event_ids WHERE event_id = ?'),
      forget: db.prepare('DELETE FROM event_ids WHERE added_at < ? AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = event_ids.event_id)'),
    };
    this.appendTx = db.transaction((events: readonly LoggedEvent[], now: number, history: HistoryWrite | undefined) => {
      let added = 0;
      const lists = new Map<string, string[]>();
      events.forEach((e, i) => {
        if (this.st.newId.run(e.eventId, now).changes === 0) return;
        this.st.insert.run(e.eventId, e.userId, e.itemId, e.type, e.ts);
        added++;
        const h = history?.entries[i];
        if (h) (lists.get(h.key) ?? lists.set(h.key, []).get(h.key)!).push(h.value);
      });
      for (const [key, values] of lists) this.pushList(key, values, history!.maxLen);
      return added;
    });
    this.readTx = db.transaction((group: string, consumer: string, count: number, now: number) => {
      this.st.addGroup.run(group);
      const rows = this.st.own.all(group, consumer, count) as EventRow[];
      if (rows.length < count) rows.push(...(this.st.stale.all(group, consumer, now - this.claimIdleMs, count - rows.length) as EventRow[]));
      if (rows.length < count) {
        const last = (this.st.group.get(group) as { last_seq: number }).last_seq;
        const fresh = this.st.fresh.all(last, count - rows.length) as EventRow[];
        if (fresh.length) this.st.setGroup.run(fresh[fresh.length - 1]!.seq, group);
        rows.push(...fresh);
      }
      for (const r of rows) this.st.deliver.run(group, r.seq, consumer, now);
      return rows.map(toEvent);
    });
    this.ackTx = db.transaction((group: string, seqs: readonly string[]) => {
      for (const s of seqs) this.st.ack.run(group, Number(s));
    });
    this.trimTx = db.transaction((groups: readonly string[], now: number) => {
      const removed = this.trimEvents(groups);
      this.st.forget.run(now - this.dedupHorizonMs);
      return removed;
    });
  }

  private trimEvents(groups: readonly string[]): number {
    if (groups.length === 0) return 0;
    let cut = Infinity;
    for (const name of groups) {
      const row = this.st.keepFrom.get(name) as { s: number } | undefined;
      if (!row) return 0;
      cut = Math.min(cut, row.s);
    }
    this.st.trimPending.run(cut);
    // seq is AUTOINCREMENT: sqlite_sequence keeps the highest seq ever used, so new events never reuse a trimmed seq.
    return this.st.trim.run(cut).changes;
  }

  async append(events: readonly LoggedEvent[], history?: HistoryWrite) {
    checkHistoryWrite(events, history);
    const added = this.appendTx(events, Date.now(), history);
    return { added, duplicates: events.length - added };
  }

  async read(group: string, consumer: string, count: number) {
    return count <= 0 ? [] : this.readTx(group, consumer, count, Date.now());
  }

  async ack(group: string, seqs: readonly string[]) {
    this.ackTx(group, seqs);
  }

  async trim(groups: readonly string[]) {
    return this.trimTx(groups, Date.now());
  }

  async length() {
    return (this.st.count.get() as { n: number }).n;
  }

  async forgetUser(userId: string) {
    return this.db.transaction(() => {
      const rows = this.st.userEvents.all(userId) as { seq: number; event_id: string }[];
      for (const r of rows) {
        this.st.delPending.run(r.seq);
        this.st.delEvent.run(r.seq);
        this.st.delId.run(r.event_id);
      }
      return { removed: rows.length, eventIds: rows.map((r) => r.event_id) };
    })();
  }
}

export class SqliteStore implements KvStore {
  readonly kind = 'sqlite';
  readonly events: SqliteEventLog;
  private readonly db: Db;
  private readonly st;
  private readonly setManyTx;
  private readonly pushTx;

  constructor(readonly path: string, opts: SqliteStoreOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a process crash (only an OS crash may lose the tail).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const version = (this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value;
    if (version === '1') this.db.transaction(() => this.db.exec(MIGRATE_1_TO_2))();
    if (version === '1' || version === '2') this.db.transaction(() => migrate2To3(this.db, Date.now()))();
    this.db.exec('CREATE INDEX IF NOT EXISTS event_ids_added_at ON event_ids (added_at)');
    const db = this.db;
    this.st = {
      get: db.prepare('SELECT value, expires_at FROM kv WHERE key = ?'),
      set: db.prepare('INSERT OR REPLACE INTO kv (key, value, expires_at) VALUES (?, ?, ?)'),
      del: db.prepare('DELETE FROM kv WHERE key = ?'),
      delList: db.prepare('DELETE FROM lists WHERE key = ?'),
      expire: db.prepare('DELETE FROM kv WHERE key = ? AND expires_at IS NOT NULL AND expires_at <= ?'),
      getList: db.prepare('SELECT items FROM lists WHERE key = ?'),
      setList: db.prepare('INSERT OR REPLACE INTO lists (key, items) VALUES (?, ?)'),
      ping: db.prepare('SELECT 1'),
    };
    this.setManyTx = db.transaction((entries: readonly (readonly [string, string])[]) => {
      for (const [k, v] of entries) this.st.set.run(k, v, null);
    });
    this.pushTx = db.transaction((key: string, values: readonly string[], maxLen: number) => {
      const row = this.st.getList.get(key) as { items: string } | undefined;
      const list: string[] = row ? JSON.parse(row.items) : [];
      const next = [...values].reverse().concat(list).slice(0, Math.max(0, maxLen));
      this.st.setList.run(key, JSON.stringify(next));
    });
    this.events = new SqliteEventLog(db, opts, (key, values, maxLen) => this.pushTx(key, values, maxLen));
  }

  private read(key: string, now: number): string | null {
    const row = this.st.get.get(key) as { value: string; expires_at: number | null } | undefined;
    if (!row) return null;
    if (row.expires_at !== null && row.expires_at <= now) {
      this.st.expire.run(key, now);
      return null;
    }
    return row.value;
  }

  async get(key: string) {
    return this.read(key, Date.now());
  }

  async mget(keys: readonly string[]) {
    const now = Date.now();
    // One read transaction: a concurrent setMany is seen entirely or not at all.
    return this.db.transaction(() => keys.map((k) => this.read(k, now)))();
  }

  async set(key: string, value: string, opts?: { ttlSeconds?: number }) {
    this.st.set.run(key, value, opts?.ttlSeconds ? Date.now() + opts.ttlSeconds * 1000 : null);
  }

  async del(key: string) {
    this.st.del.run(key);
    this.st.delList.run(key);
  }

  async setMany(entries: readonly (readonly [string, string])[]) {
    this.setManyTx(entries);
  }

  async listPush(key: string, values: readonly string[], maxLen: number) {
    this.pushTx(key, values, maxLen);
  }

  async listRange(key: string, start: number, stop: number) {
    const row = this.st.getList.get(key) as { items: string } | undefined;
    const list: string[] = row ? JSON.parse(row.items) : [];
    return list.slice(start, stop === -1 ? undefined : stop + 1);
  }

  async ping() {
    this.st.ping.get();
  }

  async close() {
    if (this.db.open) this.db.close();
  }
}

export function createSqliteStore(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(path, opts);
}
