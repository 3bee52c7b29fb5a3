// Loader statistics against the real files in ../shared/data (skipped, with a message, only when that folder is absent).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../test-support/shared-data.ts';
import { LOADERS } from './index.ts';

function sortedByUserThenTime(ds: ReturnType<typeof LOADERS['ml-100k']['load']>): boolean {
  const { user, ts } = ds.interactions;
  for (let k = 1; k < user.length; k++) {
    if (user[k]! < user[k - 1]! || (user[k] === user[k - 1] && ts[k]! < ts[k - 1]!)) return false;
  }
  return true;
}

describe.skipIf(!SHARED)('real datasets', () => {
  it('ML-100K: 943 users / 1,682 items / 100,000 interactions, latin-1 titles, posters and IMDb text', () => {
    const ds = LOADERS['ml-100k'].load(join(SHARED!, 'ml-100k'), {});
    expect([ds.users.length, ds.items.length, ds.interactions.user.length]).toEqual([943, 1682, 100000]);
    expect(ds.hasTimestamps).toBe(true);
    expect(sortedByUserThenTime(ds)).toBe(true);
    expect(ds.items[542]!.title).toBe('Misérables, Les (1995)'); // decoded as latin-1, not U+FFFD
    expect(ds.items[0]!.text.genres).toEqual(['Animation', "Children's", 'Comedy']);
    expect(ds.items[0]!.text.director).toEqual(['John Lasseter']);
    const withImage = ds.items.filter((i) => i.modalities.image !== null);
    expect(withImage.length).toBe(1620);
    expect(ds.items.filter((i) => i.modalities.image === null).length).toBe(62);
    expect(withImage[0]!.modalities.image).toMatch(/posters\/\d+\.jpg$/);
    expect(ds.users[0]!.attrs).toEqual({ age: 24, gender: 'M', occupation: 'technician', zip: '85711' });
    // rating and timestamp of u.data line 1: "196 242 3 881250949"
    const rows = [...ds.interactions.user.keys()].filter((k) => ds.interactions.user[k] === 195 && ds.interactions.item[k] === 241);
    expect(rows.length).toBe(1);
    expect([ds.interactions.rating[rows[0]!], ds.interactions.ts[rows[0]!]]).toEqual([3, 881250949]);
  });

  it('Beauty: 22,363 users / 12,101 items / 198,502 interactions with attributes', () => {
    const ds = LOADERS.beauty.load(join(SHARED!, 'amazon-beauty'), {});
    expect([ds.users.length, ds.items.length, ds.interactions.user.length]).toEqual([22363, 12101, 198502]);
    expect(ds.hasTimestamps).toBe(false);
    expect(ds.items[3]!.id).toBe('4');
    expect(ds.items[3]!.text.attributes).toEqual(['1', '2', '3']);
    // user 1's line is "1 1 2 3 4 5": positions 0..4 in order
    expect(Array.from(ds.interactions.item.subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(ds.interactions.ts.subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
  });

  it('Games: 50,546 users / 16,859 items; full sequence = test history + test target', () => {
    const ds = LOADERS.games.load(join(SHARED!, 'amazon-games'), {});
    expect([ds.users.length, ds.items.length]).toEqual([50546, 16859]);
    expect(ds.items[0]!.title).toBe('Fire Emblem: The Sacred Stones');
    // user 0: history 0..13, target 14
    const u0 = [...ds.interactions.user.keys()].filter((k) => ds.interactions.user[k] === 0).map((k) => ds.interactions.item[k]);
    expect(u0).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(ds.notes.some((n) => n.includes('disagrees'))).toBe(false); // valid file consistent with test file
  });
});
