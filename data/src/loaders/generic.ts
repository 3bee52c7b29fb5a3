// The generic import formats (`llmrec data --name <name> --format csv|jsonl --from <folder>`): an interactions
// file (user, item, optional timestamp, event type, weight) and an optional items file (title, description,
// free-text fields, genres, attributes, year, image, audio). Both formats carry the same columns
// (docs/dataset-format.md "Importing your own data"); ids must be usable through the HTTP API (PublicId).
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { PublicId } from '@llmrec/shared/api/http.ts';
import { liveText } from '@llmrec/shared/catalog/item-content.ts';
import { type BuiltDataset, DatasetBuilder } from '../builder.ts';
import { CsvSyntaxError, parseCsv } from '../csv.ts';
import { LineIssues, MalformedInputError, parseNumField, readLines } from '../lines.ts';
import type { ItemRecord, ItemText } from '../schema.ts';
import type { LoadOptions } from './ml-100k.ts';

export type GenericFormat = 'csv' | 'jsonl';

/** Interaction columns and the aliases accepted for them. */
const INTERACTION_COLUMNS = { user: ['user_id', 'user'], item: ['item_id', 'item'], ts: ['timestamp', 'ts', 'time'], type: ['event', 'type'], weight: ['weight', 'rating'] } as const;
/** Item columns; `text_<name>` columns go to text.fields[name]. */
const ITEM_COLUMNS = ['item_id', 'id', 'title', 'description', 'genres', 'attributes', 'year', 'image', 'audio'] as const;
/** List cells in CSV are `|`-separated. */
const LIST_SEP = '|';
/** Unix seconds beyond this look like milliseconds (year 5138): refused rather than guessed. */
const MAX_SECONDS = 1e11;

const JsonInteraction = z
  .object({
    user_id: z.union([z.string(), z.number()]),
    item_id: z.union([z.string(), z.number()]),
    timestamp: z.union([z.number(), z.string()]).optional(),
    event: z.string().optional(),
    weight: z.number().finite().optional(),
  })
  .strict();

const JsonItem = z
  .object({
    item_id: z.union([z.string(), z.number()]),
    title: z.string().optional(),
    description: z.string().optional(),
    fields: z.record(z.string(), z.string()).optional(),
    genres: z.array(z.string()).optional(),
    attributes: z.array(z.string()).optional(),
    year: z.number().int().optional(),
    image: z.string().nullable().optional(),
    audio: z.string().nullable().optional(),
  })
  .strict();

interface RawInteraction {
  line: number;
  user: string;
  item: string;
  ts?: string | number;
  type?: string;
  weight?: number;
}

interface RawItem {
  line: number;
  id: string;
  title?: string;
  description?: string;
  fields?: Record<string, string>;
  genres?: string[];
  attributes?: string[];
  year?: number;
  image?: string | null;
  audio?: string | null;
}

const idProblem = (id: string) => {
  const r = PublicId.safeParse(id);
  return r.success ? null : `id ${JSON.stringify(id.slice(0, 80))} is not usable through the API: ${r.error.issues[0]?.message}`;
};

/** Unix seconds from a number or an ISO-8601 string; a reason when it is neither. */
export function parseTimestamp(v: string | number): number | string {
  if (typeof v === 'number' || /^-?\d+(\.\d+)?$/.test(v.trim())) {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) return `timestamp ${JSON.stringify(v)} is not a non-negative number`;
    if (n > MAX_SECONDS) return `timestamp ${n} looks like milliseconds: give Unix seconds (or an ISO-8601 date)`;
    return n;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(v.trim())) {
    const ms = Date.parse(v.trim());
    if (Number.isFinite(ms)) return ms / 1000;
  }
  return `timestamp ${JSON.stringify(v.slice(0, 40))} is neither Unix seconds nor an ISO-8601 date`;
}

function csvRecords(file: string, issues: LineIssues): { header: string[]; rows: { line: number; cells: Record<string, string> }[] } {
  let recs;
  try {
    recs = parseCsv(readFileSync(file, 'utf8'));
  } catch (e) {
    // A broken quote makes the rest of the file unreadable: no lenient skipping past it.
    if (e instanceof CsvSyntaxError) throw new MalformedInputError(file, e.line, e.reason);
    throw e;
  }
  if (recs.length === 0) throw new MalformedInputError(file, 1, 'empty file (expected a header line)');
  const header = recs[0]!.fields.map((h) => h.trim());
  const rows: { line: number; cells: Record<string, string> }[] = [];
  for (const r of recs.slice(1)) {
    if (r.fields.length !== header.length) {
      issues.bad(file, r.line, `expected ${header.length} comma-separated fields (${header.join(', ')}), got ${r.fields.length}`);
      continue;
    }
    rows.push({ line: r.line, cells: Object.fromEntries(header.map((h, k) => [h, r.fields[k]!])) });
  }
  return { header, rows };
}

function jsonlRecords<S extends z.ZodType>(file: string, schema: S, issues: LineIssues): { line: number; value: z.infer<S> }[] {
  const out: { line: number; value: z.infer<S> }[] = [];
  readLines(file).forEach((text, k) => {
    if (text.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return issues.bad(file, k + 1, 'not a JSON object');
    }
    const r = schema.safeParse(json);
    if (!r.success) return issues.bad(file, k + 1, r.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; '));
    out.push({ line: k + 1, value: r.data });
  });
  return out;
}

function pick(header: string[], names: readonly string[], file: string): string | undefined {
  const found = header.filter((h) => names.includes(h));
  if (found.length > 1) throw new MalformedInputError(file, 1, `columns ${found.join(' and ')} mean the same thing: keep one`);
  return found[0];
}

function readCsvInteractions(file: string, issues: LineIssues): { rows: RawInteraction[]; hasTs: boolean } {
  const { header, rows } = csvRecords(file, issues);
  const known = Object.values(INTERACTION_COLUMNS).flat() as string[];
  const unknown = header.filter((h) => !known.includes(h));
  if (unknown.length) throw new MalformedInputError(file, 1, `unknown column(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const col = Object.fromEntries(Object.entries(INTERACTION_COLUMNS).map(([k, names]) => [k, pick(header, names, file)])) as Record<keyof typeof INTERACTION_COLUMNS, string | undefined>;
  if (!col.user || !col.item) throw new MalformedInputError(file, 1, `the header needs user_id and item_id columns (got ${header.join(', ')})`);
  const out: RawInteraction[] = [];
  for (const { line, cells } of rows) {
    let weight: number | undefined;
    if (col.weight && cells[col.weight]!.trim() !== '') {
      weight = parseNumField(cells[col.weight]);
      if (weight === undefined) {
        issues.bad(file, line, `weight ${JSON.stringify(cells[col.weight])} is not a number`);
        continue;
      }
    }
    out.push({ line, user: cells[col.user]!.trim(), item: cells[col.item]!.trim(), ts: col.ts ? cells[col.ts] : undefined, type: col.type ? cells[col.type]!.trim() || undefined : undefined, weight });
  }
  return { rows: out, hasTs: col.ts !== undefined };
}

function readJsonlInteractions(file: string, issues: LineIssues): { rows: RawInteraction[]; hasTs: boolean } {
  const recs = jsonlRecords(file, JsonInteraction, issues);
  const hasTs = recs.some((r) => r.value.timestamp !== undefined);
  return { rows: recs.map(({ line, value: v }) => ({ line, user: String(v.user_id), item: String(v.item_id), ts: v.timestamp, type: v.event, weight: v.weight })), hasTs };
}

function readCsvItems(file: string, issues: LineIssues): RawItem[] {
  const { header, rows } = csvRecords(file, issues);
  const unknown = header.filter((h) => !(ITEM_COLUMNS as readonly string[]).includes(h) && !/^text_[A-Za-z0-9_]+$/.test(h));
  if (unknown.length) throw new MalformedInputError(file, 1, `unknown column(s) ${unknown.join(', ')} (known: ${ITEM_COLUMNS.join(', ')}, text_<name>)`);
  const idCol = pick(header, ['item_id', 'id'], file);
  if (!idCol) throw new MalformedInputError(file, 1, `the header needs an item_id column (got ${header.join(', ')})`);
  const list = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s.split(LIST_SEP).map((x) => x.trim()).filter(Boolean));
  const out: RawItem[] = [];
  for (const { line, cells } of rows) {
    let year: number | undefined;
    if (cells.year !== undefined && cells.year.trim() !== '') {
      year = parseNumField(cells.year);
      if (year === undefined || !Number.isInteger(year)) {
        issues.bad(file, line, `year ${JSON.stringify(cells.year)} is not an integer`);
        continue;
      }
    }
    const fields = Object.fromEntries(header.filter((h) => h.startsWith('text_') && cells[h]!.trim() !== '').map((h) => [h.slice(5), cells[h]!]));
    out.push({
      line, id: cells[idCol]!.trim(), title: cells.title, description: cells.description || undefined, fields: Object.keys(fields).length ? fields : undefined,
      genres: list(cells.genres), attributes: list(cells.attributes), year, image: cells.image?.trim() || null, audio: cells.audio?.trim() || null,
    });
  }
  return out;
}

function readJsonlItems(file: string, issues: LineIssues): RawItem[] {
  return jsonlRecords(file, JsonItem, issues).map(({ line, value: v }) => ({ line, ...v, id: String(v.item_id) }));
}

/** A media reference: https?:// URLs are kept as they are, paths are resolved against the folder and must exist. */
function media(dir: string, ref: string | null | undefined): { path: string | null; problem?: string } {
  if (!ref) return { path: null };
  if (/^https?:\/\//i.test(ref)) return { path: ref };
  const p = isAbsolute(ref) ? ref : resolve(dir, ref);
  return existsSync(p) ? { path: p } : { path: null, problem: `file ${ref} not found` };
}

export function loadGeneric(dir: string, name: string, format: GenericFormat, opts: LoadOptions = {}): BuiltDataset {
  dir = resolve(dir);
  const issues = new LineIssues(Boolean(opts.lenient));
  const b = new DatasetBuilder(name);
  const interF = join(dir, `interactions.${format}`);
  const itemsF = join(dir, `items.${format}`);
  if (!existsSync(interF)) throw new Error(`${interF} not found (a ${format} folder holds interactions.${format} and optionally items.${format}; see docs/dataset-format.md)`);
  const files = [interF];

  const declared = new Set<string>();
  if (existsSync(itemsF)) {
    files.push(itemsF);
    for (const it of format === 'csv' ? readCsvItems(itemsF, issues) : readJsonlItems(itemsF, issues)) {
      const bad = idProblem(it.id);
      if (bad) {
        issues.bad(itemsF, it.line, bad);
        continue;
      }
      if (declared.has(it.id)) {
        issues.bad(itemsF, it.line, `item ${it.id} appears more than once`);
        continue;
      }
      const image = media(dir, it.image);
      const audio = media(dir, it.audio);
      const missing = [image.problem, audio.problem].filter(Boolean).join('; ');
      if (missing) {
        issues.bad(itemsF, it.line, missing);
        continue;
      }
      declared.add(it.id);
      const text: ItemText = liveText(it);
      const rec: Omit<ItemRecord, 'idx' | 'id'> = { title: it.title?.trim() || `item ${it.id}`, text, modalities: { image: image.path, audio: audio.path } };
      b.item(it.id, rec);
    }
  }

  const { rows, hasTs } = format === 'csv' ? readCsvInteractions(interF, issues) : readJsonlInteractions(interF, issues);
  const types = new Map<string, number>();
  const position = new Map<number, number>();
  let undeclared = 0;
  rows.forEach((r, k) => {
    const bad = idProblem(r.user) ?? idProblem(r.item);
    if (bad) return issues.bad(interF, r.line, bad);
    let ts: number;
    if (hasTs) {
      if (r.ts === undefined || r.ts === '') return issues.bad(interF, r.line, 'missing timestamp (the file has a timestamp column: every row needs one)');
      const t = parseTimestamp(r.ts);
      if (typeof t === 'string') return issues.bad(interF, r.line, t);
      ts = t;
    } else {
      ts = -1; // set below: the position in the user's sequence, in file order
    }
    if (r.weight !== undefined && !(r.weight > 0)) return issues.bad(interF, r.line, `weight ${r.weight} must be > 0`);
    if (declared.size > 0 && !declared.has(r.item) && b.findItem(r.item) === undefined) undeclared++;
    const u = b.user(r.user);
    const i = b.item(r.item, { title: `item ${r.item}`, text: {}, modalities: { image: null, audio: null } });
    if (!hasTs) {
      ts = position.get(u) ?? 0;
      position.set(u, ts + 1);
    }
    if (r.type) types.set(r.type, (types.get(r.type) ?? 0) + 1);
    b.interaction(u, i, ts, r.weight ?? 1);
    if (opts.onProgress && k % 50_000 === 0) opts.onProgress(k, rows.length);
  });
  opts.onProgress?.(rows.length, rows.length);
  if (b.interactionCount === 0) throw new MalformedInputError(interF, 1, 'no usable interaction');
  if (undeclared) b.notes.push(`${undeclared} interacted item(s) missing from ${format === 'csv' ? 'items.csv' : 'items.jsonl'} (titled 'item <id>')`);
  if (types.size) b.notes.push(`event types (one weight per interaction is kept; types are not stored): ${[...types].map(([t, n]) => `${t} ${n}`).join(', ')}`);
  if (!hasTs) b.notes.push('no timestamps: ts is the position in the user sequence (file order)');
  return b.build({ hasTimestamps: hasTs, skipped: issues.skipped, sourceFiles: files });
}
