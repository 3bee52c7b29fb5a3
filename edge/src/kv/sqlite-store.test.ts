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
  });
});
