// `llmrec data` as a user runs it (spawned `node bin/llmrec.js`): help, exit codes with one-line reasons,
// lenient mode reporting, and the real ML-100K preparation.
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '@llmrec/data/test-support/shared-data.ts';
import { tempDirs } from '@llmrec/data/test-support/temp-dirs.ts';
import { makeZip } from '@llmrec/data/test-support/make-zip.ts';
import { llmrec, llmrecAsync } from '@llmrec/data/test-support/spawn-cli.ts';
import { REPO_ROOT } from '@llmrec/data/paths.ts';

const tmp = tempDirs();

describe('llmrec data', () => {
  it('--help exits 0 and lists the options', () => {
    const r = llmrec(['data', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--from/);
    expect(r.stdout).toMatch(/--lenient/);
  });

  it('usage errors exit 2 with a one-line reason', () => {
    const r = llmrec(['data', '--dataset', 'nope', '--from', '.']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(["llmrec data: unknown dataset 'nope' (presets: ml-100k, ml-1m, beauty, games; to import your own: --name nope --format <csv|jsonl|s3rec|recbole> --from <folder>)"]);
    expect(llmrec(['data', '--name', 'mine', '--from', '.']).stderr).toMatch(/'mine' is not a preset: give --format/);
    expect(llmrec(['data', '--name', 'Bad Name', '--format', 'csv', '--from', '.']).stderr).toMatch(/--name 'Bad Name': dataset names are/);
    expect(llmrec(['data', '--name', 'x', '--format', 'xml', '--from', '.']).stderr).toMatch(/unknown format 'xml' \(known: csv, jsonl, s3rec, recbole\)/);
    expect(llmrec(['data', '--dataset', 'beauty']).stderr).toMatch(/no public download here: pass --from/);
  });

  it('a malformed line fails naming file and line; --lenient skips it and says where', () => {
    const d = tmp('cli-data-');
    writeFileSync(join(d, 'Beauty.txt'), '1 1 2 3\n2 2 x\n3 3 1 2\n');
    const home = join(d, 'home');
    const strict = llmrec(['data', '--dataset', 'beauty', '--from', d, '--home', home]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/Beauty\.txt:2: expected 'user item1 item2 \.\.\.'/);
    const lenient = llmrec(['data', '--dataset', 'beauty', '--from', d, '--home', home, '--lenient', '--json']);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/1 malformed line\(s\) skipped: Beauty\.txt:2/);
    const out = JSON.parse(lenient.stdout);
    expect(out.counts).toEqual({ users: 2, items: 3, interactions: 6 });
    expect(out.skipped).toEqual([{ file: 'Beauty.txt', line: 2, reason: expect.any(String) }]);
    expect(out.splits.map((s: { split: string }) => s.split)).toEqual(['loo', 'temporal', 'cold']); // no timestamps: no streaming
  });

  it('imports the example catalog under a chosen name; a malformed file fails naming file and line and writes nothing', () => {
    const home = tmp('cli-data-');
    const r = llmrec(['data', '--name', 'bookshop', '--format', 'csv', '--from', join(REPO_ROOT, 'examples', 'catalog-csv'), '--home', home, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'bookshop', counts: { users: 6, items: 8, interactions: 33 }, source: { format: 'csv' } });
    const d = tmp('cli-raw-');
    writeFileSync(join(d, 'interactions.csv'), 'user_id,item_id\nu1,a\nu1,"b\n');
    const bad = llmrec(['data', '--name', 'broken', '--format', 'csv', '--from', d, '--home', home]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/interactions\.csv:3: unterminated quoted field/);
    expect(existsSync(join(home, 'datasets', 'broken'))).toBe(false);
  });

  it.skipIf(!SHARED)('prepares the real ML-100K (the README command)', () => {
    const home = tmp('cli-data-');
    const r = llmrec(['data', '--dataset', 'ml-100k', '--from', join(SHARED!, 'ml-100k'), '--home', home]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ml-100k: 943 users, 1682 items, 100000 interactions/);
  });

  it('--download --url fetches a zip from a (local) mirror, caches it and prepares the dataset', async () => {
    const flags = Array(19).fill(0).join('|');
    const zip = makeZip({
      'ml-100k/u.user': Buffer.from('1|24|M|technician|85711\n'),
      'ml-100k/u.item': Buffer.from(`1|A (1995)|||u|${flags}\n2|B (1996)|||u|${flags}\n`),
      'ml-100k/u.data': Buffer.from('1\t1\t5\t100\n1\t2\t4\t200\n1\t1\t3\t300\n'),
    });
    const server = createServer((_req, res) => res.writeHead(200, { 'content-length': zip.length }).end(zip));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/ml-100k.zip`;
    const home = tmp('cli-dl-');
    try {
      const r = await llmrecAsync(['data', '--dataset', 'ml-100k', '--download', '--url', url, '--home', home, '--json']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.source).toMatchObject({ kind: 'download', url });
      expect(out.counts).toEqual({ users: 1, items: 2, interactions: 3 });
      expect(existsSync(join(home, 'cache', 'downloads', 'ml-100k.zip'))).toBe(true);
    } finally {
      server.close();
    }
    expect(llmrec(['data', '--dataset', 'ml-100k', '--from', '.', '--url', url]).stderr).toMatch(/--url needs --download/);
  });
});
