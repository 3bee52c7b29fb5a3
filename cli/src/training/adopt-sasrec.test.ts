import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adoptSasrec, sasrecConfigMismatches } from './adopt-sasrec.ts';

const tmp: string[] = [];
afterEach(() => tmp.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(config: Record<string, unknown>, users = 10, bytes = 'weights-a'): string {
  const d = mkdtempSync(join(os.tmpdir(), 'adopt-'));
  tmp.push(d);
  writeFileSync(join(d, 'sasrec.pt'), bytes);
  writeFileSync(join(d, 'done.json'), JSON.stringify({ config, metrics: { test: { full: { users, 'ndcg@10': 0.07 } } }, seconds: 426, device: 'cuda' }));
  return d;
}

const pipeline = { hidden: 64, lr: 0.0005, seed: 2, max_seconds: 18000 };
const trained = { hidden: 64, lr: 0.0005, seed: 2, max_seconds: 400, dropout: 0.5 };

describe('adoptSasrec', () => {
  it('takes a run whose config is the pipeline\'s (the time cap aside) into the step cache', () => {
    const from = run(trained);
    const cacheRoot = join(from, 'cache');
    const a = adoptSasrec({ from, cacheRoot, base: 'data-hash', config: pipeline, testUsers: 10 });
    expect(a.dir).toBe(join(cacheRoot, `sasrec-${a.key}`));
    expect(readFileSync(join(a.dir, 'sasrec.pt'), 'utf8')).toBe('weights-a');
    expect(a.done.adoptedFrom).toBe(from);
    expect(a.cached).toBe(false);
    expect(adoptSasrec({ from, cacheRoot, base: 'data-hash', config: pipeline, testUsers: 10 }).cached).toBe(true);
  });

  it('refuses another config, another seed, or another dataset', () => {
    expect(() => adoptSasrec({ from: run({ ...trained, lr: 0.002 }), cacheRoot: join(os.tmpdir(), 'x'), base: 'b', config: pipeline, testUsers: 10 })).toThrow(/lr: 0.002 \(pipeline: 0.0005\)/);
    expect(() => adoptSasrec({ from: run({ ...trained, seed: 1 }), cacheRoot: join(os.tmpdir(), 'x'), base: 'b', config: pipeline, testUsers: 10 })).toThrow(/seed/);
    expect(() => adoptSasrec({ from: run(trained, 11), cacheRoot: join(os.tmpdir(), 'x'), base: 'b', config: pipeline, testUsers: 10 })).toThrow(/11 test users/);
    const empty = mkdtempSync(join(os.tmpdir(), 'adopt-'));
    tmp.push(empty);
    mkdirSync(join(empty, 'x'));
    expect(() => adoptSasrec({ from: empty, cacheRoot: join(empty, 'c'), base: 'b', config: pipeline, testUsers: 10 })).toThrow(/sasrec.pt and done.json/);
  });

  it('keys the step by the checkpoint and the dataset, so later steps follow the backbone', () => {
    const a = run(trained, 10, 'weights-a');
    const b = run(trained, 10, 'weights-b');
    const key = (from: string, base: string) => adoptSasrec({ from, cacheRoot: join(from, 'c'), base, config: pipeline, testUsers: 10 }).key;
    expect(key(a, 'd1')).not.toBe(key(b, 'd1'));
    expect(key(a, 'd1')).not.toBe(key(a, 'd2'));
  });

  it('lists only the keys the pipeline sets, not the trainer defaults both sides share', () => {
    expect(sasrecConfigMismatches({ hidden: 64, extra: 1 }, { hidden: 64 })).toEqual([]);
    expect(sasrecConfigMismatches({}, { side: 'title-words' })).toEqual(['side: unset (pipeline: "title-words")']);
  });
});
