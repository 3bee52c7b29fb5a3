// Writes a built dataset to disk in the canonical form (docs/dataset-format.md): dataset.json, users/items
// JSON Lines and interaction arrays as .npy. Everything (splits included) is staged in a temp folder beside
// the target and swapped in by rename, so a reader never sees half a dataset and a failed import leaves the
// previous one untouched. Writing identical content again keeps dataset.json's createdAt, so every file stays
// byte-identical and caches keyed on the files (llmrec train) stay valid.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { BuiltDataset } from './builder.ts';
import { writeNpy } from './npy.ts';
import { DatasetMeta, FORMAT_VERSION } from './schema.ts';

export interface WriteOptions {
  kind: 'local' | 'download' | 'export';
  dir: string;
  url?: string;
  format?: string;
  prefix?: string;
}

function fileEntry(path: string) {
  const bytes = readFileSync(path);
  return { name: basename(path), bytes: statSync(path).size, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function jsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

/** The previous dataset.json's createdAt when it describes exactly the same content (everything else equal). */
function keptCreatedAt(outDir: string, meta: DatasetMeta): string | undefined {
  const path = join(outDir, 'dataset.json');
  if (!existsSync(path)) return undefined;
  try {
    const old = DatasetMeta.parse(JSON.parse(readFileSync(path, 'utf8')));
    return JSON.stringify({ ...old, createdAt: '' }) === JSON.stringify({ ...meta, createdAt: '' }) ? old.createdAt : undefined;
  } catch {
    return undefined;
  }
}

export interface StagedDataset {
  /** Temp folder holding the new dataset (write splits into it before commit). */
  dir: string;
  meta: DatasetMeta;
  /** Swaps the staged folder in for `outDir`. */
  commit(): void;
  /** Removes the staged folder (on failure). */
  discard(): void;
}

/** Writes `ds` into a temp folder next to `outDir`; commit() replaces `outDir` (old splits included). */
export function stageDataset(ds: BuiltDataset, outDir: string, src: WriteOptions): StagedDataset {
  const meta = DatasetMeta.parse({
    formatVersion: FORMAT_VERSION,
    name: ds.name,
    source: { kind: src.kind, dir: src.dir, ...(src.url ? { url: src.url } : {}), ...(src.format ? { format: src.format } : {}), ...(src.prefix ? { prefix: src.prefix } : {}), files: ds.sourceFiles.map(fileEntry) },
    createdAt: '',
    counts: { users: ds.users.length, items: ds.items.length, interactions: ds.interactions.user.length },
    hasTimestamps: ds.hasTimestamps,
    modalities: {
      image: ds.items.filter((i) => i.modalities.image !== null).length,
      audio: ds.items.filter((i) => i.modalities.audio !== null).length,
    },
    skipped: ds.skipped,
    ...(ds.notes.length ? { notes: ds.notes } : {}),
  });
  meta.createdAt = keptCreatedAt(outDir, meta) ?? new Date().toISOString();
  mkdirSync(dirname(outDir), { recursive: true });
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
  return {
    dir: tmp,
    meta,
    commit() {
      // The old folder moves aside first, so a crash in between leaves either the old or the new dataset (plus a
      // stale .old folder), never a mix of both.
      const old = join(dirname(outDir), `.${basename(outDir)}.old-${process.pid}`);
      rmSync(old, { recursive: true, force: true });
      if (existsSync(outDir)) renameSync(outDir, old);
      renameSync(tmp, outDir);
      rmSync(old, { recursive: true, force: true });
    },
    discard() {
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Write `ds` into `outDir` (replacing what was there, including old splits) and return its metadata. */
export function writeDataset(ds: BuiltDataset, outDir: string, src: WriteOptions): DatasetMeta {
  const staged = stageDataset(ds, outDir, src);
  staged.commit();
  return staged.meta;
}
