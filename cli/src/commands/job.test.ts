// Crash test of the adapter job as a real process: `llmrec job` over the embedded SQLite store is killed with
// SIGKILL mid-run, restarted, and must end with every event counted exactly once and a complete serving version.
// And the default base: the job trains around the serving bundle the local stack serves (here the baseline
// bundle), so the worker's AdapterRegistry over that bundle loads what it publishes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetDir, prepareDataset, readDataset, readItems, readSplit, REPO_ROOT, sharedDataDir } from '@llmrec/data/index.ts';
import { createSqliteStore } from '@llmrec/edge/kv/sqlite-store.ts';
import { AdapterRegistry } from '@llmrec/gpu-worker/adapter-runtime/adapter-registry.ts';
import { loadBundleBase } from '@llmrec/gpu-worker/job/bundle-base.ts';
import { readAdapter, readPointer } from '@llmrec/shared/adapter/adapter-store.ts';
import { makeFixture } from '../../../tests/support/catalog-fixture.ts';
import { writeFixtureBundle } from '../../../tests/support/processes.ts';

const shared = sharedDataDir();
const home = mkdtempSync(join(tmpdir(), 'llmrec-job-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function runJob(dbPath: string, killAfterWindows?: number, base = ['--base', 'fallback', '--base-epochs', '1']): Promise<{ stderr: string; killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/llmrec.js'), 'job', '--dataset', 'ml-100k', '--store', `sqlite:${dbPath}`, '--once', '--no-guardrail', ...base], {
      env: { ...process.env, LLMREC_HOME: home, LLMREC_BASELINE_EPOCHS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      const windows = stderr.split('\n').filter((l) => l.includes('] window:')).length;
      if (killAfterWindows !== undefined && !killed && windows >= killAfterWindows) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ stderr, killed, code }));
  });
}

/** The first `n` streaming events of ML-100K (prepared once in `home`) appended to a fresh SQLite log. */
let prepared = false;
async function logWithEvents(db: string, n: number) {
  if (!prepared) prepareDataset({ name: 'ml-100k', from: join(shared!, 'ml-100k'), home, splits: ['streaming'] });
  prepared = true;
  const ds = readDataset(datasetDir('ml-100k', home));
  const labels = readSplit(ds, 'streaming').labels;
  const ids = readItems(ds.dir).map((r) => r.id);
  const rows: number[] = [];
  for (let r = 0; r < labels.length; r++) if (labels[r]! >= 0) rows.push(r);
  rows.sort((a, b) => ds.interactions.ts[a]! - ds.interactions.ts[b]! || a - b);
  const events = rows.slice(0, n).map((r) => ({ eventId: `row-${r}`, userId: String(ds.interactions.user[r]), itemId: ids[ds.interactions.item[r]!]!, type: 'rating', ts: ds.interactions.ts[r]! * 1000 }));
  const store = createSqliteStore(db);
  await store.events.append(events);
  return { store, events };
}

describe.skipIf(!shared)('llmrec job crash test (real process, SQLite)', () => {
  it('SIGKILL mid-run: the restarted job resumes from its cursor and counts every event exactly once', async () => {
    const db = join(home, 'kv.sqlite');
    const { store, events } = await logWithEvents(db, 1000);
    await store.events.append(events.slice(0, 300)); // duplicates at ingest are dropped by the log
    await store.close?.();

    const first = await runJob(db, 1);
    expect(first.killed).toBe(true);
    const second = await runJob(db);
    expect(second.stderr).toContain('resumed from checkpoint');
    const done = /done: (\d+) events counted, serving version (\d+)/.exec(second.stderr);
    expect(done, second.stderr).not.toBeNull();
    expect(Number(done![1])).toBe(1000);

    const after = createSqliteStore(db);
    const ptr = await readPointer(after);
    expect(ptr?.version).toBe(Number(done![2]));
    const rec = await readAdapter(after, ptr!.version);
    expect(rec?.record.trainedOnEvents).toBe(1000);
    await after.close?.();
    expect(existsSync(db)).toBe(true);
  }, 240_000);

  it('--base bundle (the default): trains on the served baseline bundle; the worker registry on it loads the version', async () => {
    const db = join(home, 'kv-bundle.sqlite');
    await (await logWithEvents(db, 400)).store.close?.();
    const run = await runJob(db, undefined, []);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/base: serving bundle baseline-ml-100k-\w+ \(baseline, /);
    const done = /done: (\d+) events counted, serving version (\d+)/.exec(run.stderr);
    expect(Number(done![1])).toBe(400);

    const after = createSqliteStore(db);
    const ptr = await readPointer(after);
    expect(ptr?.version).toBeGreaterThan(0);
    const { base, model } = await loadBundleBase(join(home, 'artifacts', 'ml-100k', 'baseline-serving'), { threads: 1 });
    try {
      expect((await readAdapter(after, ptr!.version))?.record.shapes.adapter?.[0]).toBe(base.dim);
      const reg = new AdapterRegistry(after, base);
      expect(await reg.refresh()).toBe(true);
      expect(reg.lastError).toBeNull();
      expect(reg.version).toBe(ptr!.version);
    } finally {
      await model.close();
      await after.close?.();
    }
  }, 240_000);

  it('--base bundle refuses a bundle of another catalog', async () => {
    const dir = join(home, 'fixture-bundle');
    mkdirSync(dir, { recursive: true });
    writeFixtureBundle(dir, makeFixture({ items: 60, dim: 12 }));
    const db = join(home, 'kv-other.sqlite');
    await (await logWithEvents(db, 10)).store.close?.();
    const run = await runJob(db, undefined, ['--artifacts', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/serving bundle v-test-1 in .* has 60 items, dataset ml-100k has 1682/);
  }, 120_000);
});
