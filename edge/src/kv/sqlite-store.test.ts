// Runs the KV conformance suite against the embedded SQLite backend (real files, re-opened for durability).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
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
