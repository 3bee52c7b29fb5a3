// The README's main job end to end: `llmrec demo --once` in a fresh LLMREC_HOME prepares ML-100K from the
// shared data folder, builds the (shortened) baseline bundle, publishes to the embedded SQLite store, starts
// worker + edge and prints real recommendations with titles for a real user over HTTP.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..');
const shared = resolve(process.env.LLMREC_SHARED_DIR ?? join(repo, '..', 'shared'));
const raw = join(shared, 'data', 'ml-100k');
const home = mkdtempSync(join(tmpdir(), 'llmrec-demo-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

it.skipIf(!existsSync(join(raw, 'u.item')))('llmrec demo --once prints real titles for a real user (needs ../shared/data/ml-100k)', () => {
  const r = spawnSync(process.execPath, [join(repo, 'bin/llmrec.js'), 'demo', '--once', '--no-train', '--port', '0', '--worker-port', '0', '--device', 'cpu'], {
    cwd: repo,
    env: { ...process.env, LLMREC_HOME: home, LLMREC_SHARED_DIR: shared, LLMREC_BASELINE_EPOCHS: '1', LLMREC_API_KEY: '' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(r.status, r.stderr.slice(-3000)).toBe(0);
  const titles = new Set(
    readFileSync(join(raw, 'u.item'), 'latin1')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('|')[1]),
  );
  const lines = r.stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Top 5 for user 1'));
  expect(start).toBeGreaterThanOrEqual(0);
  const recs = lines.slice(start + 1, start + 6).map((l) => /^\s+(\d)\. (.+?)  \[item (\d+)/.exec(l));
  expect(recs.every((m) => m !== null)).toBe(true);
  for (const m of recs) expect(titles.has(m![2]!)).toBe(true);
  // User 1 rated items 1..272 in ML-100K: exclude-seen must hold for the whole history.
  for (const m of recs) expect(Number(m![3])).toBeGreaterThan(272);
  expect(r.stdout).toMatch(/API docs: http:\/\/127\.0\.0\.1:\d+\/docs/);
  expect(r.stdout).not.toMatch(/DEGRADED/);
}, 300_000);
