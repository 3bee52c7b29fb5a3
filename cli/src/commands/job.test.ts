// Crash test of the adapter job as a real process: `llmrec job` over the embedded SQLite store is killed with
// SIGKILL mid-run, restarted, and must end with every event counted exactly once and a complete serving version.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetDir, prepareDataset, readDataset, readItems, readSplit, REPO_ROOT, sharedDataDir } from '../../../data/src/index.ts';
import { createSqliteStore } from '../../../edge/src/kv/sqlite-store.ts';
import { readAdapter, readPointer } from '../../../shared/src/adapter/adapter-store.ts';

const shared = sharedDataDir();
const home = mkdtempSync(join(tmpdir(), 'llmrec-job-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function runJob(dbPath: string, killAfterWindows?: number): Promise<{ stderr: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/llmrec.js'), 'job', '--dataset', 'ml-100k', '--store', `sqlite:${dbPath}`, '--once', '--no-guardrail', '--base-epochs', '1'], {
      env: { ...process.env, LLMREC_HOME: home },
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
    child.on('close', () => resolve({ stderr, killed }));
  });
}

describe.skipIf(!shared)('llmrec job crash test (real process, SQLite)', () => {
  it('SIGKILL mid-run: the restarted job resumes from its cursor and counts every event exactly once', async () => {
    prepareDataset({ name: 'ml-100k', from: join(shared!, 'ml-100k'), home, splits: ['streaming'] });
    const ds = readDataset(datasetDir('ml-100k', home));
    const labels = readSplit(ds, 'streaming').labels;
    const ids = readItems(ds.dir).map((r) => r.id);
    const rows: number[] = [];
    for (let r = 0; r < labels.length; r++) if (labels[r] >= 0) rows.push(r);
    rows.sort((a, b) => ds.interactions.ts[a] - ds.interactions.ts[b] || a - b);
    const chosen = rows.slice(0, 1000);
    const db = join(home, 'kv.sqlite');
    const store = createSqliteStore(db);
    const events = chosen.map((r) => ({ eventId: `row-${r}`, userId: String(ds.interactions.user[r]), itemId: ids[ds.interactions.item[r]], type: 'rating', ts: ds.interactions.ts[r] * 1000 }));
    await store.events!.append(events);
    await store.events!.append(events.slice(0, 300)); // duplicates at ingest are dropped by the log
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
});
