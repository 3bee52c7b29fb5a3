// Loader behaviour on small fixtures written by the tests: ML-1M `::` + latin-1, malformed lines (strict error
// naming file and line; lenient skip with count and place), S3-Rec and RecBole atomic files.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MalformedInputError } from '../lines.ts';
import { LOADERS } from './index.ts';

function dir(files: Record<string, string | Buffer>): string {
  const d = mkdtempSync(join(tmpdir(), 'loader-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), content);
  }
  return d;
}

const ml1m = (ratings: string) =>
  dir({
    'users.dat': '1::F::1::10::48067\n2::M::56::16::70072\n',
    'movies.dat': Buffer.from('1::Toy Story (1995)::Animation|Children\'s|Comedy\n2::Misérables, Les (1995)::Drama|Musical\n', 'latin1'),
    'ratings.dat': ratings,
  });

describe('ML-1M loader (fixture)', () => {
  it('parses ::-separated files, decodes latin-1 titles and orders by time', () => {
    const ds = LOADERS['ml-1m'].load(ml1m('1::2::5::978300760\n1::1::3::978300000\n2::1::4::978299000\n'), {});
    expect([ds.users.length, ds.items.length, ds.interactions.user.length]).toEqual([2, 2, 3]);
    expect(ds.items[1]!.title).toBe('Misérables, Les (1995)');
    expect(ds.items[1]!.text).toEqual({ genres: ['Drama', 'Musical'], year: 1995 });
    expect(Array.from(ds.interactions.item)).toEqual([0, 1, 0]); // user 1 sorted by time, then user 2
    expect(Array.from(ds.interactions.rating)).toEqual([3, 5, 4]);
    expect(ds.users[1]!.attrs).toEqual({ gender: 'M', age: 56, occupation: 16, zip: '70072' });
  });

  it('strict mode: a malformed line is an error naming file and line', () => {
    const d = ml1m('1::2::5::978300760\n1::1::x::978300000\n');
    expect(() => LOADERS['ml-1m'].load(d, {})).toThrow(MalformedInputError);
    expect(() => LOADERS['ml-1m'].load(d, {})).toThrow(/ratings\.dat:2: expected UserID::MovieID::Rating::Timestamp/);
    expect(() => LOADERS['ml-1m'].load(ml1m('1::9::5::1\n'), {})).toThrow(/ratings\.dat:1: unknown movie 9/);
  });

  it('lenient mode skips malformed lines and records how many and where', () => {
    const ds = LOADERS['ml-1m'].load(ml1m('1::2::5::978300760\n1::1::x::978300000\nbroken\n2::1::4::978299000\n2::1::9::1\n'), { lenient: true });
    expect(ds.interactions.user.length).toBe(2);
    expect(ds.skipped.map((s) => `${s.file}:${s.line}`)).toEqual(['ratings.dat:2', 'ratings.dat:3', 'ratings.dat:5']);
    expect(ds.skipped[2]!.reason).toMatch(/rating 9 outside/);
  });
});

describe('ML-100K loader (fixture)', () => {
  const flags = (g: number) => Array.from({ length: 19 }, (_, k) => (k === g ? 1 : 0)).join('|');
  const files = (data: string) => ({
    'u.user': '1|24|M|technician|85711\n',
    'u.item': Buffer.from(`1|Toy Story (1995)|01-Jan-1995||http://x|${flags(3)}\n2|Café (1990)|01-Jan-1990||http://y|${flags(8)}\n`, 'latin1'),
    'u.data': data,
    'posters/2.jpg': 'jpeg',
  });
  it('marks items without a poster as null and reads without extras', () => {
    const ds = LOADERS['ml-100k'].load(dir(files('1\t1\t5\t10\n1\t2\t3\t5\n')), {});
    expect(ds.items.map((i) => i.modalities.image === null)).toEqual([true, false]);
    expect(ds.items[1]!.title).toBe('Café (1990)');
    expect(ds.items[0]!.text).toEqual({ genres: ['Animation'], year: 1995 });
    expect(Array.from(ds.interactions.item)).toEqual([1, 0]);
    expect(ds.notes.join(' ')).toMatch(/imdb-details\.json absent/);
  });
  it('names file and line for a short u.data line', () => {
    expect(() => LOADERS['ml-100k'].load(dir(files('1\t1\t5\t10\n1\t2\t3\n')), {})).toThrow(/u\.data:2: expected user<TAB>item/);
  });
});

describe('S3-Rec and RecBole loaders (fixtures)', () => {
  it('Beauty: sequences in order, duplicate user is malformed', () => {
    const d = dir({ 'Beauty.txt': '1 3 1 2\n2 2 3\n', 'Beauty_item2attributes.json': '{"1": [7, 8]}' });
    const ds = LOADERS.beauty.load(d, {});
    expect(ds.items.map((i) => i.id)).toEqual(['1', '2', '3']);
    expect(Array.from(ds.interactions.item)).toEqual([2, 0, 1, 1, 2]);
    expect(ds.items[0]!.text.attributes).toEqual(['7', '8']);
    expect(() => LOADERS.beauty.load(dir({ 'Beauty.txt': '1 3 1\n1 2\n' }), {})).toThrow(/Beauty\.txt:2: user 1 appears/);
    expect(LOADERS.beauty.load(dir({ 'Beauty.txt': '1 3 1\n1 2\nx y\n' }), { lenient: true }).skipped.length).toBe(2);
  });

  it('Games: typed headers, full sequence = test history + target, bad column count', () => {
    const head = 'user_id:token\titem_id_list:token_seq\titem_id:token\n';
    const d = dir({
      'Games-6k.item': 'item_id:token\ttitle:token_seq\n0\tA\n1\tB\n2\tC\n',
      'Games-6k.test.inter': `${head}0\t0 1\t2\n1\t2\t0\n`,
      'Games-6k.valid.inter': `${head}0\t0\t1\n1\t\t2\n`,
    });
    const ds = LOADERS.games.load(d, {});
    expect(Array.from(ds.interactions.item)).toEqual([0, 1, 2, 2, 0]);
    expect(ds.notes.some((n) => n.includes('disagrees'))).toBe(false);
    const bad = dir({ 'Games-6k.item': 'item_id:token\ttitle:token_seq\n0\tA\n', 'Games-6k.test.inter': `${head}0\t0\n` });
    expect(() => LOADERS.games.load(bad, {})).toThrow(/Games-6k\.test\.inter:2: expected 3 TAB-separated fields/);
    const badHead = dir({ 'Games-6k.item': 'item_id\ttitle\n', 'Games-6k.test.inter': head });
    expect(() => LOADERS.games.load(badHead, {})).toThrow(/Games-6k\.item:1: not a RecBole typed header/);
  });
});
