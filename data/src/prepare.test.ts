// End to end: prepare ML-100K into a temp home, read it back through the validated reader, and check that
// NumPy (the Python training's reader) sees the same arrays.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataset } from './prepare.ts';
import { readDataset, readItems, readSplit, readUsers } from './read.ts';
import { SHARED } from './test-support/shared-data.ts';

describe.skipIf(!SHARED)('prepareDataset (ML-100K)', () => {
  const home = mkdtempSync(join(tmpdir(), 'prep-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  it('writes the canonical form that the TS reader and NumPy both read', () => {
    const r = prepareDataset({ name: 'ml-100k', from: join(SHARED!, 'ml-100k'), home });
    expect(r.splits.map((s) => s.split)).toEqual(['loo', 'temporal', 'cold', 'streaming']);
    const ds = readDataset(r.dir);
    expect([ds.nUsers, ds.nItems, ds.interactions.user.length]).toEqual([943, 1682, 100000]);
    expect(ds.meta.source.files.map((f) => f.name)).toEqual(['u.user', 'u.item', 'u.data', 'imdb-details.json']);
    expect(ds.meta.modalities.image).toBe(1620);
    expect(ds.userStart[943]).toBe(100000);
    const items = readItems(r.dir);
    expect(items[542]!.title).toBe('Misérables, Les (1995)');
    expect(readUsers(r.dir).length).toBe(943);
    const loo = readSplit(ds, 'loo');
    expect(loo.labels).toBeInstanceOf(Int8Array);
    expect(readSplit(ds, 'streaming').labels).toBeInstanceOf(Int32Array);

    const script = join(home, 'check.py');
    writeFileSync(
      script,
      [
        'import json, sys, numpy as np',
        'd = sys.argv[1]',
        'u = np.load(d + "/interactions.user.npy"); i = np.load(d + "/interactions.item.npy"); t = np.load(d + "/interactions.ts.npy")',
        'l = np.load(d + "/splits/loo.npy")',
        'print(json.dumps([str(u.dtype), str(t.dtype), int(u.max()) + 1, int(i.max()) + 1, int((l == 2).sum()), int(i[l == 2].sum()), bool((np.diff(u) >= 0).all())]))',
      ].join('\n'),
    );
    let out: string;
    try {
      out = execFileSync('/usr/bin/python3', [script, r.dir], { encoding: 'utf8' });
    } catch (e) {
      console.warn(`[skip numpy check] ${(e as Error).message.split('\n')[0]}`);
      return;
    }
    let testItemSum = 0;
    loo.labels.forEach((v, k) => v === 2 && (testItemSum += ds.interactions.item[k]!));
    expect(JSON.parse(out)).toEqual(['int32', 'float64', 943, 1682, 943, testItemSum, true]);
  });
});
