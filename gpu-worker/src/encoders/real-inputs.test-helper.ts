// Test helper for the encoder tests: real ML-100K inputs read from the shared raw files (titles from u.item, plots
// from the IMDb extras, posters), and one conversion cache shared by every test file of a run (and later runs:
// entries are keyed by source and converter hashes, so they never go stale).
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED } from '@llmrec/data/test-support/shared-data.ts';

export const ML100K = SHARED ? join(SHARED, 'ml-100k') : undefined;
export const SKIP_NO_ML100K = !ML100K || !existsSync(join(ML100K, 'u.item'));

/** Converted models for tests live here, not in the user's $LLMREC_HOME. */
export const TEST_HOME = join(tmpdir(), `llmrec-encoder-tests-${process.getuid?.() ?? 0}`);

export interface Ml100kMovie {
  id: number;
  title: string;
  plot?: string;
}

export function ml100kMovies(): Ml100kMovie[] {
  if (!ML100K) throw new Error('shared data absent');
  const plots = new Map<number, string>();
  const extras = join(ML100K, 'extras', 'imdb-details.json');
  if (existsSync(extras)) {
    for (const d of JSON.parse(readFileSync(extras, 'utf8')) as Array<{ movie_id: number; description?: string }>) if (d.description) plots.set(Number(d.movie_id), d.description);
  }
  return new TextDecoder('latin1')
    .decode(readFileSync(join(ML100K, 'u.item')))
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, title] = line.split('|');
      return { id: Number(id), title: title!, plot: plots.get(Number(id)) };
    });
}

/** A handful of real texts for the parity tests: short titles and long title + plot strings. */
export function ml100kTexts(n = 8): string[] {
  const movies = ml100kMovies().filter((m) => m.plot);
  const out: string[] = [];
  for (let k = 0; out.length < n; k += 97) {
    const m = movies[k % movies.length]!;
    out.push(out.length % 2 ? m.title : `${m.title}. ${m.plot}`);
  }
  return out;
}

export function posterPath(id: number): string {
  if (!ML100K) throw new Error('shared data absent');
  return join(ML100K, 'posters', `${id}.jpg`);
}

/** Ids of the first n items that have a poster. */
export function posterIds(n: number, from = 1): number[] {
  const ids: number[] = [];
  for (let id = from; ids.length < n && id <= 1682; id++) if (existsSync(posterPath(id))) ids.push(id);
  return ids;
}
