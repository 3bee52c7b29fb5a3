// RecBole atomic files (typed header line `name:type`), for any prefix: the `item_id_list` history form of
// `<prefix>.test.inter` + `<prefix>.item` (Amazon Games: a user's full sequence is its test history plus its test
// target; `<prefix>.valid.inter`, when present, is checked against it), and the general form `<prefix>.inter`
// (one interaction per line) + optional `<prefix>.item`.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BuiltDataset, DatasetBuilder } from '../builder.ts';
import { LineIssues, readLines } from '../lines.ts';
import type { ItemText } from '../schema.ts';
import type { LoadOptions } from './ml-100k.ts';

export interface AtomicHeader {
  names: string[];
  types: string[];
}

/** Parse a RecBole header line such as `user_id:token\titem_id_list:token_seq\titem_id:token`. */
export function parseAtomicHeader(line: string, file: string): AtomicHeader {
  const cols = line.split('\t').map((c) => c.trim());
  const names: string[] = [];
  const types: string[] = [];
  for (const c of cols) {
    const m = /^([^:]+):(token|token_seq|float|float_seq)$/.exec(c);
    if (!m) throw new Error(`${file}:1: not a RecBole typed header column: ${JSON.stringify(c)}`);
    names.push(m[1]!);
    types.push(m[2]!);
  }
  return { names, types };
}

function column(h: AtomicHeader, name: string, file: string): number {
  const k = h.names.indexOf(name);
  if (k < 0) throw new Error(`${file}:1: header has no '${name}' column (has ${h.names.join(', ')})`);
  return k;
}

interface SeqRow {
  user: string;
  history: string[];
  target: string;
  line: number;
}

function readInter(file: string, issues: LineIssues): SeqRow[] {
  const lines = readLines(file);
  if (lines.length === 0) throw new Error(`${file}: empty file`);
  const h = parseAtomicHeader(lines[0]!, file);
  const [cu, ch, ct] = [column(h, 'user_id', file), column(h, 'item_id_list', file), column(h, 'item_id', file)];
  const rows: SeqRow[] = [];
  for (let k = 1; k < lines.length; k++) {
    const f = lines[k]!.split('\t');
    if (f.length !== h.names.length || !f[cu] || !f[ct]) {
      issues.bad(file, k + 1, `expected ${h.names.length} TAB-separated fields (${h.names.join(', ')}), got ${f.length}`);
      continue;
    }
    rows.push({ user: f[cu], history: f[ch]!.trim().split(/\s+/).filter(Boolean), target: f[ct].trim(), line: k + 1 });
  }
  return rows;
}

export function loadRecBoleSeq(dir: string, name: string, prefix: string, opts: LoadOptions = {}): BuiltDataset {
  dir = resolve(dir);
  const issues = new LineIssues(Boolean(opts.lenient));
  const b = new DatasetBuilder(name);
  const itemF = join(dir, `${prefix}.item`);
  const testF = join(dir, `${prefix}.test.inter`);
  const validF = join(dir, `${prefix}.valid.inter`);
  for (const f of [itemF, testF]) if (!existsSync(f)) throw new Error(`${f} not found (is ${dir} a RecBole atomic-file folder?)`);
  const files = [itemF, testF];

  const itemLines = readLines(itemF);
  if (itemLines.length === 0) throw new Error(`${itemF}: empty file`);
  const ih = parseAtomicHeader(itemLines[0]!, itemF);
  const [ci, ctitle] = [column(ih, 'item_id', itemF), column(ih, 'title', itemF)];
  for (let k = 1; k < itemLines.length; k++) {
    const f = itemLines[k]!.split('\t');
    if (f.length !== ih.names.length || !f[ci]) {
      issues.bad(itemF, k + 1, `expected ${ih.names.length} TAB-separated fields (${ih.names.join(', ')}), got ${f.length}`);
      continue;
    }
    b.item(f[ci].trim(), { title: f[ctitle]!.trim(), text: {}, modalities: { image: null, audio: null } });
  }
  const declaredItems = b.items.length;

  const test = readInter(testF, issues);
  const full = new Map<string, string[]>();
  for (const r of test) {
    if (full.has(r.user)) {
      issues.bad(testF, r.line, `user ${r.user} appears more than once`);
      continue;
    }
    full.set(r.user, [...r.history, r.target]);
  }
  if (existsSync(validF)) {
    files.push(validF);
    let mismatch = 0;
    for (const r of readInter(validF, issues)) {
      const seq = full.get(r.user);
      const want = [...r.history, r.target];
      // test history (possibly truncated at the front) must end with the valid sequence (possibly truncated too)
      const n = Math.min(want.length, (seq?.length ?? 1) - 1);
      if (!seq || seq.slice(-1 - n, -1).join(' ') !== want.slice(-n).join(' ')) mismatch++;
    }
    if (mismatch) b.notes.push(`${prefix}.valid.inter disagrees with ${prefix}.test.inter for ${mismatch} user(s)`);
  }
  for (const [user, seq] of full) {
    const u = b.user(user);
    seq.forEach((id, pos) => b.interaction(u, b.item(id, { title: `item ${id}`, text: {}, modalities: { image: null, audio: null } }), pos));
  }
  if (b.items.length > declaredItems) b.notes.push(`${b.items.length - declaredItems} interacted item(s) missing from ${prefix}.item (titled 'item <id>')`);
  b.notes.push('no timestamps: ts is the position in the user sequence; the source keeps at most 50 history items per user');
  return b.build({ hasTimestamps: false, skipped: issues.skipped, sourceFiles: files });
}

/**
 * The general RecBole atomic form: `<prefix>.inter` (user_id:token, item_id:token, optional rating:float and
 * timestamp:float) and optional `<prefix>.item` (item_id:token plus title / year / genre columns).
 */
export function loadRecBoleAtomic(dir: string, name: string, prefix: string, opts: LoadOptions = {}): BuiltDataset {
  dir = resolve(dir);
  const issues = new LineIssues(Boolean(opts.lenient));
  const b = new DatasetBuilder(name);
  const interF = join(dir, `${prefix}.inter`);
  const itemF = join(dir, `${prefix}.item`);
  if (!existsSync(interF)) throw new Error(`${interF} not found (is ${dir} a RecBole atomic-file folder?)`);
  const files = [interF];
  if (existsSync(itemF)) {
    files.push(itemF);
    const lines = readLines(itemF);
    if (lines.length === 0) throw new Error(`${itemF}: empty file`);
    const h = parseAtomicHeader(lines[0]!, itemF);
    const ci = column(h, 'item_id', itemF);
    const named = (...names: string[]) => h.names.findIndex((n) => names.includes(n));
    const [ct, cy, cg] = [named('title', 'movie_title', 'name'), named('release_year', 'year'), named('genre', 'genres', 'categories', 'class')];
    for (let k = 1; k < lines.length; k++) {
      const f = lines[k]!.split('\t');
      if (f.length !== h.names.length || !f[ci]?.trim()) {
        issues.bad(itemF, k + 1, `expected ${h.names.length} TAB-separated fields (${h.names.join(', ')}), got ${f.length}`);
        continue;
      }
      const text: ItemText = {};
      const year = cy >= 0 ? Number(f[cy]) : NaN;
      if (Number.isInteger(year) && year > 0) text.year = year;
      if (cg >= 0 && f[cg]!.trim()) text.genres = f[cg]!.trim().split(/\s+/);
      const id = f[ci]!.trim();
      b.item(id, { title: ct >= 0 && f[ct]!.trim() ? f[ct]!.trim() : `item ${id}`, text, modalities: { image: null, audio: null } });
    }
  }
  const lines = readLines(interF);
  if (lines.length === 0) throw new Error(`${interF}: empty file`);
  const h = parseAtomicHeader(lines[0]!, interF);
  const [cu, ci] = [column(h, 'user_id', interF), column(h, 'item_id', interF)];
  const cr = h.names.indexOf('rating');
  const cts = h.names.indexOf('timestamp');
  const position = new Map<number, number>();
  for (let k = 1; k < lines.length; k++) {
    const f = lines[k]!.split('\t');
    const ts = cts >= 0 ? Number(f[cts]) : 0;
    const rating = cr >= 0 ? Number(f[cr]) : 1;
    if (f.length !== h.names.length || !f[cu]?.trim() || !f[ci]?.trim() || !Number.isFinite(ts) || !Number.isFinite(rating)) {
      issues.bad(interF, k + 1, `expected ${h.names.length} TAB-separated fields (${h.names.join(', ')}) with numeric rating/timestamp, got ${JSON.stringify(lines[k]!.slice(0, 80))}`);
      continue;
    }
    const u = b.user(f[cu]!.trim());
    const id = f[ci]!.trim();
    const i = b.item(id, { title: `item ${id}`, text: {}, modalities: { image: null, audio: null } });
    const pos = position.get(u) ?? 0;
    position.set(u, pos + 1);
    b.interaction(u, i, cts >= 0 ? ts : pos, rating);
  }
  if (cts < 0) b.notes.push('no timestamp column: ts is the position in the user sequence (file order)');
  return b.build({ hasTimestamps: cts >= 0, skipped: issues.skipped, sourceFiles: files });
}
