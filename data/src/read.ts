// Reads a canonical dataset (docs/dataset-format.md) back for evaluation, publishing and serving: validates
// dataset.json and split metadata with zod and checks array lengths, so a stale or partial folder fails loudly.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Interactions, userOffsets } from './builder.ts';
import { readNpy } from './npy.ts';
import { DatasetMeta, ItemRecord, SplitMeta, type SplitName, UserRecord } from './schema.ts';

export interface Dataset {
  dir: string;
  meta: DatasetMeta;
  interactions: Interactions;
  /** Rows of user u are [userStart[u], userStart[u+1]). */
  userStart: Int32Array;
  nUsers: number;
  nItems: number;
}

export interface Split {
  meta: SplitMeta;
  /** Aligned with interaction rows: int8 for loo/temporal/cold, int32 window index (or -1) for streaming. */
  labels: Int8Array | Int32Array;
}

export class DatasetNotFoundError extends Error {}

export function readDatasetMeta(dir: string): DatasetMeta {
  const path = join(dir, 'dataset.json');
  if (!existsSync(path)) throw new DatasetNotFoundError(`no prepared dataset at ${dir} (run: llmrec data --dataset <name> --from <dir>)`);
  const parsed = DatasetMeta.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: not a canonical dataset v1: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

function typed<T extends abstract new (...a: never[]) => unknown>(path: string, Ctor: T, n: number): InstanceType<T> {
  const { data, shape } = readNpy(path);
  if (!(data instanceof Ctor)) throw new Error(`${path}: unexpected dtype ${data.constructor.name}, want ${Ctor.name}`);
  if (shape.length !== 1 || shape[0] !== n) throw new Error(`${path}: shape [${shape}] does not match ${n} interactions`);
  return data as InstanceType<T>;
}

export function readDataset(dir: string): Dataset {
  const meta = readDatasetMeta(dir);
  const n = meta.counts.interactions;
  const interactions: Interactions = {
    user: typed(join(dir, 'interactions.user.npy'), Int32Array, n),
    item: typed(join(dir, 'interactions.item.npy'), Int32Array, n),
    ts: typed(join(dir, 'interactions.ts.npy'), Float64Array, n),
    rating: typed(join(dir, 'interactions.rating.npy'), Float32Array, n),
  };
  return { dir, meta, interactions, userStart: userOffsets(interactions.user, meta.counts.users), nUsers: meta.counts.users, nItems: meta.counts.items };
}

function jsonl<T>(path: string, schema: { parse(x: unknown): T }): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l, k) => {
      try {
        return schema.parse(JSON.parse(l));
      } catch (e) {
        throw new Error(`${path}:${k + 1}: ${(e as Error).message}`);
      }
    });
}

export function readItems(dir: string): ItemRecord[] {
  return jsonl(join(dir, 'items.jsonl'), ItemRecord);
}

export function readUsers(dir: string): UserRecord[] {
  return jsonl(join(dir, 'users.jsonl'), UserRecord);
}

export function splitExists(dir: string, name: SplitName): boolean {
  return existsSync(join(dir, 'splits', `${name}.npy`)) && existsSync(join(dir, 'splits', `${name}.json`));
}

export function readSplit(ds: Dataset, name: SplitName): Split {
  const base = join(ds.dir, 'splits', name);
  if (!splitExists(ds.dir, name)) throw new DatasetNotFoundError(`split '${name}' not prepared for ${ds.meta.name} (run: llmrec data ... --splits ${name})`);
  const meta = SplitMeta.parse(JSON.parse(readFileSync(`${base}.json`, 'utf8')));
  const { data, shape } = readNpy(`${base}.npy`);
  if (!(data instanceof Int8Array || data instanceof Int32Array)) throw new Error(`${base}.npy: labels must be int8 or int32`);
  if (shape[0] !== ds.meta.counts.interactions) throw new Error(`${base}.npy: ${shape[0]} labels for ${ds.meta.counts.interactions} interactions`);
  return { meta, labels: data };
}
