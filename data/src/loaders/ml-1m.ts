// MovieLens 1M loader: ratings.dat, movies.dat (latin-1), users.dat, all `::`-separated.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BuiltDataset, DatasetBuilder } from '../builder.ts';
import { LineIssues, parseIntField, readLines } from '../lines.ts';
import type { ItemText } from '../schema.ts';
import { type LoadOptions, yearFromTitle } from './ml-100k.ts';

export function loadMl1m(dir: string, opts: LoadOptions = {}): BuiltDataset {
  dir = resolve(dir);
  const issues = new LineIssues(Boolean(opts.lenient));
  const b = new DatasetBuilder('ml-1m');
  const [usersF, moviesF, ratingsF] = ['users.dat', 'movies.dat', 'ratings.dat'].map((f) => join(dir, f)) as [string, string, string];
  for (const f of [usersF, moviesF, ratingsF]) if (!existsSync(f)) throw new Error(`${f} not found (is ${dir} a MovieLens 1M folder?)`);

  readLines(usersF, 'latin1').forEach((line, k) => {
    const f = line.split('::');
    const id = parseIntField(f[0]);
    const age = parseIntField(f[2]);
    const occ = parseIntField(f[3]);
    if (f.length !== 5 || id === undefined || age === undefined || occ === undefined) {
      return issues.bad(usersF, k + 1, `expected UserID::Gender::Age::Occupation::Zip, got ${JSON.stringify(line.slice(0, 80))}`);
    }
    b.user(String(id), { gender: f[1]!, age, occupation: occ, zip: f[4]! });
  });

  readLines(moviesF, 'latin1').forEach((line, k) => {
    const f = line.split('::');
    const id = parseIntField(f[0]);
    if (f.length !== 3 || id === undefined) return issues.bad(moviesF, k + 1, `expected MovieID::Title::Genres, got ${JSON.stringify(line.slice(0, 80))}`);
    const title = f[1]!;
    const text: ItemText = { genres: f[2]!.split('|').filter(Boolean) };
    const year = yearFromTitle(title);
    if (year !== undefined) text.year = year;
    b.item(String(id), { title, text, modalities: { image: null, audio: null } });
  });

  const lines = readLines(ratingsF);
  lines.forEach((line, k) => {
    const f = line.split('::');
    const [u, i, r, t] = f.map(parseIntField);
    if (f.length !== 4 || u === undefined || i === undefined || r === undefined || t === undefined) {
      return issues.bad(ratingsF, k + 1, `expected UserID::MovieID::Rating::Timestamp, got ${JSON.stringify(line.slice(0, 80))}`);
    }
    const ui = b.findUser(String(u));
    const ii = b.findItem(String(i));
    if (ui === undefined) return issues.bad(ratingsF, k + 1, `unknown user ${u}`);
    if (ii === undefined) return issues.bad(ratingsF, k + 1, `unknown movie ${i}`);
    if (r < 1 || r > 5) return issues.bad(ratingsF, k + 1, `rating ${r} outside 1..5`);
    b.interaction(ui, ii, t, r);
    if (opts.onProgress && k % 100000 === 0) opts.onProgress(k, lines.length);
  });
  opts.onProgress?.(lines.length, lines.length);
  return b.build({ hasTimestamps: true, skipped: issues.skipped, sourceFiles: [usersF, moviesF, ratingsF] });
}
