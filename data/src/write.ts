// Writes a built dataset to disk in the canonical form (docs/dataset-format.md): dataset.json, users/items
// JSON Lines and interaction arrays as .npy, written to a temp folder then renamed so readers never see half a dataset.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { BuiltDataset } from './builder.ts';
import { writeNpy } from './npy.ts';
import { DatasetMeta, FORMAT_VERSION } from './schema.ts';

export interface WriteOptions {
  kind: 'local' | 'download';
  dir: string;
  url?: string;
}

function fileEntry(path: string) {
  const bytes = readFileSync(path);
  return { name: basename(path), bytes: statSync(path).size, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function jsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

/** Write `ds` into `outDir` (replacing what was there, including old splits) and return its metadata. */
export function writeDataset(ds: BuiltDataset, outDir: string, src: WriteOptions): DatasetMeta {
  const meta = DatasetMeta.parse({
    formatVersion: FORMAT_VERSION,
    name: ds.name,
    source: { kind: src.kind, dir: src.dir, ...(src.url ? { url: src.url } : {}), files: ds.sourceFiles.map(fileEntry) },
    createdAt: new Date().toISOString(),
    counts: { users: ds.users.length, items: ds.items.length, interactions: ds.interactions.user.length },
    hasTimestamps: ds.hasTimestamps,
    modalities: {
      image: ds.items.filter((i) => i.modalities.image !== null).length,
      audio: ds.items.filter((i) => i.modalities.audio !== null).length,
    },
    skipped: ds.skipped,
    ...(ds.notes.length ? { notes: ds.notes } : {}),
  });
  const tmp = join(dirname(outDir), `.${basename(outDir)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'splits'), { recursive: true });
  writeFileSync(join(tmp, 'users.jsonl'), jsonl(ds.users));
  writeFileSync(join(tmp, 'items.jsonl'), jsonl(ds.items));
  writeNpy(join(tmp, 'interactions.user.npy'), ds.interactions.user);
  writeNpy(join(tmp, 'interactions.item.npy'), ds.interactions.item);
  writeNpy(join(tmp, 'interactions.ts.npy'), ds.interactions.ts);
  writeNpy(join(tmp, 'interactions.rating.npy'), ds.interactions.rating);
  writeFileSync(join(tmp, 'dataset.json'), JSON.stringify(meta, null, 2) + '\n');
  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmp, outDir);
  return meta;
}
