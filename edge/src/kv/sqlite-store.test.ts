// Runs the KV conformance suite against the embedded SQLite backend (real files, re-opened for durability).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runKvConformance } from '../../../test-support/kv-conformance.ts';
import { createSqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'llmrec-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runKvConformance('sqlite', {
  open: async (ns, opts) => createSqliteStore(join(dir, `${ns}.sqlite`), opts),
  persistent: true,
  atomicSetMany: true,
  minTtlSeconds: 1,
  hasEventLog: true,
});

describe('sqlite schema', () => {
  it('a version-1 file (ids only in events) keeps its ids as duplicates after trimming', async () => {
    const path = join(dir, 'v1.sqlite');
    const old = new Database(path);
    old.exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
      user_id TEXT NOT NULL, item_id TEXT NOT NULL, type TEXT NOT NULL, ts REAL NOT NULL);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      INSERT INTO meta VALUES ('schema_version', '1');
      INSERT INTO events (event_id, user_id, item_id, type, ts) VALUES ('old1', 'u', 'i', 'click', 1), ('old2', 'u', 'i', 'click', 2);`);
    old.close();
    const store = createSqliteStore(path);
    const log = store.events;
    const got = await log.read('g', 'c', 10);
    await log.ack('g', got.map((e) => e.seq!));
    expect(await log.trim(['g'])).toBe(2);
    expect(await log.append([{ eventId: 'old1', userId: 'u', itemId: 'i', type: 'click', ts: 1 }])).toEqual({ added: 0, duplicates: 1 });
    await store.close();
    expect(schemaVersion(path)).toBe('3');
  });

  it('a version-2 file (ids without time) migrates to 3: ids get the migration time and live one horizon from it', async () => {
    const path = join(dir, 'v2.sqlite');
    const old = new Database(path);
    old.exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
      user_id TEXT NOT NULL, item_id TEXT NOT NULL, type TEXT NOT NULL, ts REAL NOT NULL);
      CREATE TABLE event_ids (event_id TEXT PRIMARY KEY) WITHOUT ROWID;
      CREATE TABLE event_groups (name TEXT PRIMARY KEY, last_seq INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE event_pending (grp TEXT NOT NULL, seq INTEGER NOT NULL, consumer TEXT NOT NULL,
        delivered_at INTEGER NOT NULL, PRIMARY KEY (grp, seq)) WITHOUT ROWID;
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      INSERT INTO meta VALUES ('schema_version', '2');
      INSERT INTO events (seq, event_id, user_id, item_id, type, ts) VALUES (3, 'kept', 'u', 'i', 'click', 3);
      INSERT INTO event_ids VALUES ('trimmed1'), ('trimmed2'), ('kept');`);
    old.close();
    const e = (eventId: string) => ({ eventId, userId: 'u', itemId: 'i', type: 'click', ts: 1 });
    const store = createSqliteStore(path, { dedupHorizonMs: 300 });
    const log = store.events;
    expect(schemaVersion(path)).toBe('3');
    expect(await log.trim(['g'])).toBe(0);
    expect(await log.append([e('trimmed1'), e('trimmed2'), e('kept')])).toEqual({ added: 0, duplicates: 3 });
    await new Promise((r) => setTimeout(r, 450));
    await log.trim([]);
    expect(await log.append([e('trimmed1'), e('kept')])).toEqual({ added: 1, duplicates: 1 });
    expect(await log.length()).toBe(2);
    await store.close();
  });
});

function schemaVersion(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value;
  } finally {
    db.close();
  }
}
