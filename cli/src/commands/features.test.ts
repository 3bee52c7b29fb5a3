// `llmrec features` as a user runs it (spawned CLI) on a small canonical dataset written here with real ML-100K
// titles and posters: exit codes and one-line reasons, progress on stderr, the features folder, a per-item note for a
// corrupt poster, and a second run that finds everything up to date.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '@llmrec/data/test-support/shared-data.ts';
import { tempDirs } from '@llmrec/data/test-support/temp-dirs.ts';
import { llmrec } from '@llmrec/data/test-support/spawn-cli.ts';
import { parseFeaturesManifest } from '@llmrec/shared/features.ts';

const tmp = tempDirs();

function tinyDataset(home: string): void {
  const dir = join(home, 'datasets', 'tiny');
  mkdirSync(dir, { recursive: true });
  const posters = join(SHARED!, 'ml-100k', 'posters');
  const corrupt = join(home, 'corrupt.jpg');
  writeFileSync(corrupt, readFileSync(join(posters, '1.jpg')).subarray(0, 3000));
  const items = [
    { idx: 0, id: '1', title: 'Toy Story (1995)', text: { genres: ['Animation'] }, modalities: { image: join(posters, '1.jpg'), audio: null } },
    { idx: 1, id: '2', title: 'GoldenEye (1995)', text: {}, modalities: { image: corrupt, audio: null } },
    { idx: 2, id: '3', title: 'Four Rooms (1995)', text: {}, modalities: { image: null, audio: null } },
  ];
  writeFileSync(join(dir, 'items.jsonl'), items.map((i) => JSON.stringify(i)).join('\n') + '\n');
  const meta = { formatVersion: 1, name: 'tiny', source: { kind: 'local', dir, files: [] }, createdAt: new Date().toISOString(), counts: { users: 1, items: 3, interactions: 0 }, hasTimestamps: false, modalities: { image: 2, audio: 0 }, skipped: [] };
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify(meta));
}

describe('llmrec features', () => {
  it('usage errors exit 2 with a one-line reason; a missing dataset exits 1 naming it', () => {
    const home = tmp('cli-features-');
    expect(llmrec(['features', '--help']).stdout).toMatch(/--text-encoder/);
    const bad = llmrec(['features', '--dataset', '../x', '--home', home]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("llmrec features: --dataset '../x' is not a dataset name (letters, digits, '.', '_', '-')");
    const missing = llmrec(['features', '--dataset', 'nope', '--home', home]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no prepared dataset at .*datasets\/nope/);
  });

  it.skipIf(!SHARED)('extracts text and image features with notes, then finds them up to date', () => {
    const home = tmp('cli-features-');
    tinyDataset(home);
    const badModality = llmrec(['features', '--dataset', 'tiny', '--home', home, '--modalities', 'text,video']);
    expect(badModality.code).toBe(2);
    expect(badModality.stderr).toMatch(/unknown modality 'video'/);
    const r = llmrec(['features', '--dataset', 'tiny', '--home', home]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(join(home, 'features', 'tiny', 'features.json'));
    expect(r.stderr).toMatch(/features image done: 3\/3 items/);
    expect(r.stderr).toMatch(/image: computed .* 1 present, 2 missing, 1 notes/);
    const m = parseFeaturesManifest(JSON.parse(readFileSync(r.stdout.trim(), 'utf8')));
    expect(m.modalities.text?.count).toEqual({ present: 3, missing: 0 });
    expect(m.modalities.image?.notes).toEqual([{ idx: 1, id: '2', reason: expect.stringMatching(/corrupt\.jpg: corrupt JPEG/) }]);
    const again = llmrec(['features', '--dataset', 'tiny', '--home', home]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/text: up-to-date/);
    expect(again.stderr).toMatch(/image: up-to-date/);
  });
});
