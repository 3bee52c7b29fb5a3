// The generic import formats and prefix detection on small fixtures: the example catalogs in csv and jsonl give
// the same dataset; malformed lines fail naming file and line (or are skipped and listed with lenient); CSV
// quoting; s3rec / recbole prefixes found from the folder.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../csv.ts';
import { MalformedInputError } from '../lines.ts';
import { REPO_ROOT } from '../paths.ts';
import { parseTimestamp } from './generic.ts';
import { detectPrefix, loadFormat } from './index.ts';

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'generic-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), content);
  }
  return d;
}

describe('CSV records', () => {
  it('handles quotes, doubled quotes, commas and newlines inside quotes, CRLF, and names lines', () => {
    const recs = parseCsv('a,b\r\n"x, y","say ""hi"""\n"multi\nline",z\n\n');
    expect(recs).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['multi\nline', 'z'] },
    ]);
    expect(() => parseCsv('a,b\n"open,b\n')).toThrow(/unterminated/);
    expect(() => parseCsv('a,b\nx"y,b\n')).toThrow(/quote inside an unquoted field/);
  });
});

describe('generic csv / jsonl import', () => {
  it('the example catalogs load the same in both formats', () => {
    const csv = loadFormat('csv', join(REPO_ROOT, 'examples', 'catalog-csv'), 'shop').built;
    const jsonl = loadFormat('jsonl', join(REPO_ROOT, 'examples', 'catalog-jsonl'), 'shop').built;
    expect([csv.users.length, csv.items.length, csv.interactions.user.length]).toEqual([6, 8, 33]);
    expect(jsonl.items).toEqual(csv.items);
    expect(jsonl.users).toEqual(csv.users);
    expect(Array.from(jsonl.interactions.item)).toEqual(Array.from(csv.interactions.item));
    expect(Array.from(jsonl.interactions.ts)).toEqual(Array.from(csv.interactions.ts));
    expect(Array.from(jsonl.interactions.rating)).toEqual(Array.from(csv.interactions.rating));
    expect(csv.hasTimestamps).toBe(true);
    const b2 = csv.items.find((i) => i.id === 'b2')!;
    expect(b2).toMatchObject({ title: 'Salt and Stone', text: { genres: ['essays', 'travel'], year: 2016, plot: 'Essays on coastal towns, fishing crews and the sea.', fields: { author: 'Ivo Serra' } } });
    expect(csv.items[0]!.modalities.image).toBe('https://images.example.com/b1.jpg');
    expect(csv.notes.join(' ')).toMatch(/event types .*purchase \d+.*view \d+|view \d+.*purchase \d+/);
    // 2025-01-01T11:57:25Z is the first row of the file
    expect(Math.min(...csv.interactions.ts)).toBe(Date.parse('2025-01-01T11:57:25Z') / 1000);
  });

  it('without timestamps the order in the file is kept; items only in interactions get a note', () => {
    const d = dir({ 'interactions.csv': 'user,item\nu1,a\nu2,b\nu1,c\nu1,b\n', 'items.csv': 'item_id,title\na,Apple\nb,Banana\n' });
    const ds = loadFormat('csv', d, 'x').built;
    expect(ds.hasTimestamps).toBe(false);
    expect(ds.items.map((i) => [i.id, i.title])).toEqual([['a', 'Apple'], ['b', 'Banana'], ['c', 'item c']]);
    expect(Array.from(ds.interactions.item)).toEqual([0, 2, 1, 1]); // u1: a, c, b; u2: b
    expect(Array.from(ds.interactions.ts)).toEqual([0, 1, 2, 0]);
    expect(ds.notes.join(' ')).toMatch(/1 interacted item\(s\) missing from items\.csv/);
  });

  it('malformed input names file and line; lenient skips and lists it', () => {
    const files = { 'interactions.csv': 'user_id,item_id,timestamp\nu1,a,100\nu2,b\nu1,b,1700000000000\nu 3,a,5\n' };
    expect(() => loadFormat('csv', dir(files), 'x')).toThrow(MalformedInputError);
    expect(() => loadFormat('csv', dir(files), 'x')).toThrow(/interactions\.csv:3: expected 3 comma-separated fields/);
    const ds = loadFormat('csv', dir(files), 'x', { lenient: true }).built;
    expect(ds.skipped.map((s) => [s.file, s.line])).toEqual([['interactions.csv', 3], ['interactions.csv', 4], ['interactions.csv', 5]]);
    expect(ds.skipped[1]!.reason).toMatch(/looks like milliseconds/);
    expect(ds.skipped[2]!.reason).toMatch(/not usable through the API/);
    expect(() => loadFormat('csv', dir({ 'interactions.csv': 'user_id,item,when\nu,a,1\n' }), 'x')).toThrow(/interactions\.csv:1: unknown column\(s\) when/);
    expect(() => loadFormat('jsonl', dir({ 'interactions.jsonl': '{"user_id":"u","item_id":"a"}\n{"user_id":"u","itemid":"a"}\n' }), 'x')).toThrow(/interactions\.jsonl:2: .*item_id/);
    expect(() => loadFormat('csv', dir({ 'interactions.csv': 'user_id,item_id\nu,a\n', 'items.csv': 'item_id,image\na,pics/a.jpg\n' }), 'x')).toThrow(/items\.csv:2: file pics\/a\.jpg not found/);
    expect(() => loadFormat('csv', dir({ 'interactions.csv': 'user_id,item_id\nu,a\n', 'items.csv': 'item_id\na\na\n' }), 'x')).toThrow(/items\.csv:3: item a appears more than once/);
  });

  it('timestamps: Unix seconds or ISO-8601; milliseconds are refused', () => {
    expect(parseTimestamp('881250949')).toBe(881250949);
    expect(parseTimestamp('2025-01-01T00:00:00Z')).toBe(1735689600);
    expect(parseTimestamp(1.7e12)).toMatch(/milliseconds/);
    expect(parseTimestamp('yesterday')).toMatch(/neither/);
  });
});

describe('s3rec / recbole prefix detection', () => {
  it('finds the S3-Rec pair by prefix, and asks for --prefix when ambiguous', () => {
    const d = dir({ 'Toys.txt': '1 1 2\n2 2 3\n', 'Toys_item2attributes.json': '{"1":[5]}', 'README.txt': 'notes' });
    expect(detectPrefix(d, 's3rec')).toEqual({ prefix: 'Toys' });
    const ds = loadFormat('s3rec', d, 'toys').built;
    expect(ds.name).toBe('toys');
    expect(ds.items[0]!.text.attributes).toEqual(['5']);
    expect(() => detectPrefix(dir({ 'A.txt': '', 'B.txt': '' }), 's3rec')).toThrow(/several S3-Rec datasets \(A, B\): choose one with --prefix/);
    expect(detectPrefix(dir({ 'A.txt': '', 'B.txt': '' }), 's3rec', 'B')).toEqual({ prefix: 'B' });
  });

  it('recbole: the sequential form (.test.inter) and the general .inter form', () => {
    const head = 'user_id:token\titem_id_list:token_seq\titem_id:token\n';
    const seq = dir({ 'Shop.item': 'item_id:token\ttitle:token_seq\n0\tA\n1\tB\n', 'Shop.test.inter': `${head}7\t0\t1\n` });
    expect(detectPrefix(seq, 'recbole')).toEqual({ prefix: 'Shop', layout: 'sequential' });
    expect(Array.from(loadFormat('recbole', seq, 's').built.interactions.item)).toEqual([0, 1]);
    const atomic = dir({
      'ml.inter': 'user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t10\t4\t300\n1\t11\t5\t100\n2\t10\t3\t200\n',
      'ml.item': 'item_id:token\tmovie_title:token_seq\trelease_year:token\tgenre:token_seq\n10\tHeat\t1995\tCrime Drama\n11\tFargo\t1996\tCrime\n',
    });
    expect(detectPrefix(atomic, 'recbole')).toEqual({ prefix: 'ml', layout: 'atomic' });
    const ds = loadFormat('recbole', atomic, 'm').built;
    expect(ds.items.map((i) => [i.title, i.text.year, i.text.genres])).toEqual([['Heat', 1995, ['Crime', 'Drama']], ['Fargo', 1996, ['Crime']]]);
    expect(Array.from(ds.interactions.item)).toEqual([1, 0, 0]); // user 1 by time: 11 (t=100), 10 (t=300)
    expect(Array.from(ds.interactions.rating)).toEqual([5, 4, 3]);
  });
});
