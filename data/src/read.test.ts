// The reader accepts canonical datasets written by the Python side too (training/llmrec_train/synthetic.py),
// and fails loudly on stale or partial folders.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetBuilder } from './builder.ts';
import { REPO_ROOT } from './paths.ts';
import { readDataset, readItems, readSplit } from './read.ts';
import { writeDataset } from './write.ts';

function tiny(dir: string) {
  const b = new DatasetBuilder('tiny');
  b.item('a', { title: 'A', text: {}, modalities: { image: null, audio: null } });
  const u = b.user('1');
  b.interaction(u, 0, 5);
  return writeDataset(b.build({ hasTimestamps: true, skipped: [], sourceFiles: [] }), dir, { kind: 'local', dir: '.' });
}

describe('readDataset', () => {
  it('rejects a missing folder, a wrong format version and truncated arrays', () => {
    const home = mkdtempSync(join(tmpdir(), 'read-'));
    expect(() => readDataset(join(home, 'none'))).toThrow(/no prepared dataset/);
    const dir = join(home, 'tiny');
    const meta = tiny(dir);
    expect(readDataset(dir).nItems).toBe(1);
    writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ ...meta, formatVersion: 2 }));
    expect(() => readDataset(dir)).toThrow(/not a canonical dataset v1: formatVersion/);
    tiny(dir);
    writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ ...meta, counts: { ...meta.counts, interactions: 2 } }));
    expect(() => readDataset(dir)).toThrow(/interactions\.user\.npy: shape \[1\] does not match 2 interactions/);
    rmSync(home, { recursive: true, force: true });
  });

  const synth = join(REPO_ROOT, 'training', 'llmrec_train', 'synthetic.py');
  it.skipIf(!existsSync(synth) || !existsSync('/usr/bin/python3'))('reads what the Python synthetic writer produces', () => {
    const out = mkdtempSync(join(tmpdir(), 'synth-'));
    try {
      execFileSync('/usr/bin/python3', ['-m', 'llmrec_train.synthetic', out], { cwd: join(REPO_ROOT, 'training'), stdio: 'pipe' });
    } catch (e) {
      console.warn(`[skip] python synthetic writer failed: ${(e as Error).message.split('\n')[0]}`);
      return;
    }
    const ds = readDataset(out);
    expect(ds.nItems).toBe(40);
    expect(ds.userStart[ds.nUsers]).toBe(ds.interactions.user.length);
    expect(readSplit(ds, 'loo').labels).toBeInstanceOf(Int8Array);
    expect(readSplit(ds, 'streaming').labels).toBeInstanceOf(Int32Array);
    expect(readItems(out).length).toBe(40);
    rmSync(out, { recursive: true, force: true });
  });
});
