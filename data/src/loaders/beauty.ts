// S3-Rec sequence files (Amazon Beauty): `Beauty.txt` (one user per line: `user item1 item2 ...`, time order,
// no timestamps) and `Beauty_item2attributes.json` (item -> anonymised brand/category attribute ids).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { type BuiltDataset, DatasetBuilder } from '../builder.ts';
import { LineIssues, parseIntField, readLines } from '../lines.ts';
import type { LoadOptions } from './ml-100k.ts';

const Item2Attributes = z.record(z.string(), z.array(z.number().int()));

export function loadS3Rec(dir: string, name = 'beauty', prefix = 'Beauty', opts: LoadOptions = {}): BuiltDataset {
  dir = resolve(dir);
  const issues = new LineIssues(Boolean(opts.lenient));
  const b = new DatasetBuilder(name);
  const seqF = join(dir, `${prefix}.txt`);
  const attrF = join(dir, `${prefix}_item2attributes.json`);
  if (!existsSync(seqF)) throw new Error(`${seqF} not found (is ${dir} an S3-Rec data folder?)`);
  const files = [seqF];

  const seqs: Array<{ user: string; items: number[] }> = [];
  const itemIds = new Set<number>();
  const seenUsers = new Set<string>();
  readLines(seqF).forEach((line, k) => {
    const f = line.trim().split(/\s+/);
    const ids = f.map(parseIntField);
    if (f.length < 2 || ids.some((x) => x === undefined)) return issues.bad(seqF, k + 1, `expected 'user item1 item2 ...' of integers, got ${JSON.stringify(line.slice(0, 80))}`);
    if (seenUsers.has(f[0]!)) return issues.bad(seqF, k + 1, `user ${f[0]} appears on more than one line`);
    seenUsers.add(f[0]!);
    const items = ids.slice(1) as number[];
    seqs.push({ user: f[0]!, items });
    for (const i of items) itemIds.add(i);
  });

  let attrs: Record<string, number[]> = {};
  if (existsSync(attrF)) {
    const parsed = Item2Attributes.safeParse(JSON.parse(readFileSync(attrF, 'utf8')));
    if (!parsed.success) throw new Error(`${attrF}: expected {item: [attribute ids]}: ${parsed.error.issues[0]?.message}`);
    attrs = parsed.data;
    files.push(attrF);
  } else {
    b.notes.push(`${prefix}_item2attributes.json absent: items have no attributes`);
  }
  // Items in numeric id order (S3-Rec ids are 1..N), so item idx = id - 1 on the published files.
  for (const id of [...itemIds].sort((x, y) => x - y)) {
    const a = attrs[String(id)];
    b.item(String(id), { title: `item ${id}`, text: a ? { attributes: a.map(String) } : {}, modalities: { image: null, audio: null } });
  }
  for (const { user, items } of seqs) {
    const u = b.user(user);
    items.forEach((i, pos) => b.interaction(u, b.findItem(String(i))!, pos));
  }
  b.notes.push('no timestamps: ts is the position in the user sequence');
  return b.build({ hasTimestamps: false, skipped: issues.skipped, sourceFiles: files });
}
