// MovieLens 100K loader: u.data (TAB), u.user and u.item (`|`, latin-1, 19 genre flags), plus the optional
// side information used by the multimodal part: extras/imdb-details.json (plot, people) and posters/{id}.jpg.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { type BuiltDataset, DatasetBuilder } from '../builder.ts';
import { LineIssues, parseIntField, readLines } from '../lines.ts';
import type { ItemText } from '../schema.ts';

export const ML100K_GENRES = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
];

const ImdbDetails = z.array(
  z.looseObject({
    movie_id: z.number().int(),
    description: z.string().nullish(),
    director: z.array(z.string()).nullish(),
    writer: z.array(z.string()).nullish(),
    cast: z.array(z.string()).nullish(),
    // the scrape stores the year as a number, a string ("1959") or null
    year: z.union([z.number(), z.string()]).nullish(),
  }),
);

export interface LoadOptions {
  lenient?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Year from a MovieLens title such as "Toy Story (1995)". */
export function yearFromTitle(title: string): number | undefined {
  const m = /\((\d{4})\)\s*$/.exec(title);
  return m ? Number(m[1]) : undefined;
}

export function loadMl100k(dir: string, opts: LoadOptions = {}): BuiltDataset {
  dir = resolve(dir);
  const issues = new LineIssues(Boolean(opts.lenient));
  const b = new DatasetBuilder('ml-100k');
  const files = [join(dir, 'u.user'), join(dir, 'u.item'), join(dir, 'u.data')];
  for (const f of files) if (!existsSync(f)) throw new Error(`${f} not found (is ${dir} a MovieLens 100K folder?)`);

  readLines(files[0]!).forEach((line, k) => {
    const f = line.split('|');
    const id = parseIntField(f[0]);
    const age = parseIntField(f[1]);
    if (f.length !== 5 || id === undefined || age === undefined) return issues.bad(files[0]!, k + 1, `expected id|age|gender|occupation|zip, got ${JSON.stringify(line.slice(0, 80))}`);
    b.user(String(id), { age, gender: f[2]!, occupation: f[3]!, zip: f[4]! });
  });

  const imdb = new Map<number, z.infer<typeof ImdbDetails>[number]>();
  const imdbPath = join(dir, 'extras', 'imdb-details.json');
  if (existsSync(imdbPath)) {
    const parsed = ImdbDetails.safeParse(JSON.parse(readFileSync(imdbPath, 'utf8')));
    if (!parsed.success) throw new Error(`${imdbPath}: unexpected structure: ${parsed.error.issues[0]?.message}`);
    for (const d of parsed.data) imdb.set(d.movie_id, d);
    files.push(imdbPath);
  } else {
    b.notes.push('extras/imdb-details.json absent: items have no plot/director/writer/cast');
  }
  const posterDir = join(dir, 'posters');
  let imdbMismatch = 0;

  readLines(files[1]!, 'latin1').forEach((line, k) => {
    const f = line.split('|');
    const id = parseIntField(f[0]);
    const flags = f.slice(5);
    if (f.length !== 24 || id === undefined || flags.some((x) => x !== '0' && x !== '1')) {
      return issues.bad(files[1]!, k + 1, `expected id|title|release|video|url|19 genre flags, got ${f.length} fields`);
    }
    const title = f[1]!;
    const text: ItemText = { genres: ML100K_GENRES.filter((_, g) => flags[g] === '1') };
    const titleYear = yearFromTitle(title);
    let d = imdb.get(id);
    const imdbYear = d?.year === undefined || d.year === null ? NaN : Number(d.year);
    // The scrape matched some titles to a remake or another film (e.g. "Magnificent Seven, The (1954)" -> 2016):
    // use its details only when the film's year agrees with the MovieLens title.
    if (d && (titleYear === undefined || (Number.isFinite(imdbYear) && Math.abs(imdbYear - titleYear) > 1))) {
      d = undefined;
      imdbMismatch++;
    }
    const year = titleYear ?? (Number.isFinite(imdbYear) ? imdbYear : undefined);
    if (year !== undefined) text.year = year;
    if (d?.description) text.plot = d.description;
    if (d?.director?.length) text.director = d.director;
    if (d?.writer?.length) text.writer = d.writer;
    if (d?.cast?.length) text.cast = d.cast;
    const poster = join(posterDir, `${id}.jpg`);
    b.item(String(id), { title, text, modalities: { image: existsSync(poster) ? poster : null, audio: null } });
  });

  if (imdbMismatch) b.notes.push(`IMDb details ignored for ${imdbMismatch} item(s) whose IMDb year disagrees with the title year (another film was matched)`);

  const lines = readLines(files[2]!);
  lines.forEach((line, k) => {
    const f = line.split('\t');
    const [u, i, r, t] = f.map(parseIntField);
    if (f.length !== 4 || u === undefined || i === undefined || r === undefined || t === undefined) {
      return issues.bad(files[2]!, k + 1, `expected user<TAB>item<TAB>rating<TAB>timestamp, got ${JSON.stringify(line.slice(0, 80))}`);
    }
    const ui = b.findUser(String(u));
    const ii = b.findItem(String(i));
    if (ui === undefined) return issues.bad(files[2]!, k + 1, `unknown user ${u}`);
    if (ii === undefined) return issues.bad(files[2]!, k + 1, `unknown item ${i}`);
    if (r < 1 || r > 5) return issues.bad(files[2]!, k + 1, `rating ${r} outside 1..5`);
    b.interaction(ui, ii, t, r);
    if (opts.onProgress && k % 20000 === 0) opts.onProgress(k, lines.length);
  });
  opts.onProgress?.(lines.length, lines.length);
  return b.build({ hasTimestamps: true, skipped: issues.skipped, sourceFiles: files });
}
