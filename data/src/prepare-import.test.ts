// prepareDataset on imported catalogs: any name, the import format recorded; a failed import writes nothing and
// keeps the previous dataset; preparing the same inputs twice leaves every file byte-identical (issue 14.18: the
// training cache is keyed on these files, so re-running `llmrec data` must not invalidate it).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.ts';
import { prepareDataset } from './prepare.ts';
import { readDataset, readItems } from './read.ts';
import { hashTree } from './test-support/hash-tree.ts';

describe('prepareDataset (imported catalogs)', () => {
  it('imports the example csv catalog under a new name, with its format recorded and all splits', () => {
    const home = mkdtempSync(join(tmpdir(), 'prep-imp-'));
    const r = prepareDataset({ name: 'bookshop', format: 'csv', from: join(REPO_ROOT, 'examples', 'catalog-csv'), home });
    expect(r.dir).toBe(join(home, 'datasets', 'bookshop'));
    expect(r.meta).toMatchObject({ name: 'bookshop', source: { kind: 'local', format: 'csv' }, counts: { users: 6, items: 8, interactions: 33 }, hasTimestamps: true });
    expect(r.splits.map((s) => s.split)).toEqual(['loo', 'temporal', 'cold', 'streaming']);
    expect(readDataset(r.dir).nItems).toBe(8);
    expect(readItems(r.dir)[2]!.title).toBe('Orbit of Glass');
    expect(readdirSync(home + '/datasets')).toEqual(['bookshop']); // no temp folder left behind
  });

  it('the same inputs twice: every file byte-identical (createdAt kept); changed inputs: a new createdAt', async () => {
    const home = mkdtempSync(join(tmpdir(), 'prep-imp-'));
    const from = mkdtempSync(join(tmpdir(), 'raw-'));
    writeFileSync(join(from, 'interactions.csv'), 'user_id,item_id,timestamp\nu1,a,1\nu1,b,2\nu1,c,3\nu2,a,4\nu2,c,5\nu2,b,6\n');
    const a = prepareDataset({ name: 'tiny', format: 'csv', from, home });
    const before = hashTree(a.dir);
    await new Promise((r) => setTimeout(r, 20)); // a later clock, so a fresh createdAt would differ
    const b = prepareDataset({ name: 'tiny', format: 'csv', from, home });
    expect(hashTree(b.dir)).toEqual(before);
    expect(b.meta.createdAt).toBe(a.meta.createdAt);
    writeFileSync(join(from, 'interactions.csv'), 'user_id,item_id,timestamp\nu1,a,1\nu1,b,2\nu1,c,3\nu2,a,4\nu2,c,5\n');
    const c = prepareDataset({ name: 'tiny', format: 'csv', from, home });
    expect(c.meta.createdAt).not.toBe(a.meta.createdAt);
    expect(hashTree(c.dir)['interactions.item.npy']).not.toBe(before['interactions.item.npy']);
  });

  it('a malformed import writes nothing and keeps the previous dataset', () => {
    const home = mkdtempSync(join(tmpdir(), 'prep-imp-'));
    const from = mkdtempSync(join(tmpdir(), 'raw-'));
    writeFileSync(join(from, 'interactions.jsonl'), '{"user_id":"u1","item_id":"a"}\n{"user_id":"u1","item_id":"b"}\n');
    const ok = prepareDataset({ name: 'shop', format: 'jsonl', from, home });
    const before = hashTree(ok.dir);
    writeFileSync(join(from, 'interactions.jsonl'), '{"user_id":"u1","item_id":"a"}\n{"user_id":"u1",\n');
    expect(() => prepareDataset({ name: 'shop', format: 'jsonl', from, home })).toThrow(/interactions\.jsonl:2: not a JSON object/);
    expect(hashTree(ok.dir)).toEqual(before);
    expect(readdirSync(join(home, 'datasets'))).toEqual(['shop']);
    // a first import that fails leaves no folder at all
    expect(() => prepareDataset({ name: 'other', format: 'jsonl', from, home })).toThrow(/interactions\.jsonl:2/);
    expect(existsSync(join(home, 'datasets', 'other'))).toBe(false);
  });

  it('refuses unsafe names and non-presets without a format', () => {
    const from = mkdtempSync(join(tmpdir(), 'raw-'));
    mkdirSync(join(from, 'x'));
    expect(() => prepareDataset({ name: '../evil', format: 'csv', from })).toThrow(/dataset names are/);
    expect(() => prepareDataset({ name: 'mine', from })).toThrow(/not a preset .* give its format/);
  });
});
