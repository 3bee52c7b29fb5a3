// Line-level input checking shared by every raw-format loader: strict mode stops at the first malformed line
// with an error naming file and line; lenient mode skips it and records where, so nothing is ever dropped silently.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Skipped } from './schema.ts';

export class MalformedInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason} (use --lenient to skip malformed lines)`);
    this.name = 'MalformedInputError';
  }
}

export class LineIssues {
  readonly skipped: Skipped[] = [];
  constructor(readonly lenient: boolean) {}

  /** Report a malformed line: throws in strict mode, records it in lenient mode. */
  bad(file: string, line: number, reason: string): void {
    if (!this.lenient) throw new MalformedInputError(file, line, reason);
    this.skipped.push({ file: basename(file), line, reason });
  }

  /** "N lines skipped (u.data:3, u.data:17, ...)" or '' when nothing was skipped. */
  summary(max = 10): string {
    if (this.skipped.length === 0) return '';
    const where = this.skipped.slice(0, max).map((s) => `${s.file}:${s.line} ${s.reason}`);
    const more = this.skipped.length > max ? `, ... ${this.skipped.length - max} more` : '';
    return `${this.skipped.length} malformed line(s) skipped: ${where.join('; ')}${more}`;
  }
}

/** Read a text file as lines (1-based numbers); `encoding` 'latin1' for MovieLens item/movie files. */
export function readLines(path: string, encoding: 'utf8' | 'latin1' = 'utf8'): string[] {
  const text = readFileSync(path).toString(encoding);
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Parse a base-10 integer field strictly (no trailing garbage, no empty string). */
export function parseIntField(s: string | undefined): number | undefined {
  if (s === undefined || !/^-?\d+$/.test(s.trim())) return undefined;
  return Number(s.trim());
}

/** Parse a finite number field strictly. */
export function parseNumField(s: string | undefined): number | undefined {
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s.trim());
  return Number.isFinite(n) ? n : undefined;
}
