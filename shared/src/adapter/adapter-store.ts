// Publishing and reading adapter versions in KV (learning path: adapter job -> KV -> workers). A version is
// written as versioned keys first (record + statistics snapshot), then ONE pointer key is flipped, so a
// reader following the pointer never sees a half-written adapter on any backend. Versions only go up;
// a rollback republishes an older version's content under a new, higher version. Record and snapshot are
// several MB with a dim-128 base: they go through kv/chunked.ts (parts, then heads, then the pointer).
import { z } from 'zod';
import { KEY_PREFIX, keys } from '../kv/keys.ts';
import { getChunkedMany, putChunkedMany, type ChunkOptions } from '../kv/chunked.ts';
import type { KvStore } from '../kv/store.ts';
import { getTyped, parseValue } from '../kv/typed.ts';
import { AdapterPointer, AdapterVersion } from '../kv/values.ts';
import type { DynamicLayout } from './dynamic-model.ts';
import { StatsSnapshot } from './snapshot.ts';

/** Key names owned by the adapter (to be folded into shared/src/kv/keys.ts by its owner). */
export const adapterKeys = {
  stats: (version: number) => `${KEY_PREFIX}adapter:${version}:stats`,
  checkpoint: (group: string) => `${KEY_PREFIX}adapter-job:${encodeURIComponent(group)}:checkpoint`,
} as const;

export function layoutShapes(L: DynamicLayout): Record<string, number[]> {
  const s = L.item.shape;
  return { adapter: [s.dim, s.statDim, s.gateDim, s.hidden], params: [L.size] };
}

export interface PublishInput {
  version: number;
  weightsB64: string;
  shapes: Record<string, number[]>;
  stats: StatsSnapshot;
  trainedOnEvents: number;
  metrics: Record<string, number>;
  parent: number | null;
  /** BaseModel.id of the base the weights were trained around, when known. */
  base?: string;
}

export async function publishAdapter(store: KvStore, p: PublishInput, now = new Date(), chunks?: ChunkOptions): Promise<void> {
  const rec: AdapterVersion = {
    v: 1, version: p.version, createdAt: now.toISOString(), weights: p.weightsB64, shapes: p.shapes,
    trainedOnEvents: p.trainedOnEvents, metrics: p.metrics, parent: p.parent, ...(p.base !== undefined ? { base: p.base } : {}),
  };
  AdapterVersion.parse(rec);
  // Pointer last: the parts of large values, then the record and stats heads (or the plain values, in one
  // MSET when they are small), and only then the pointer, so a reader following it finds every part written.
  await putChunkedMany(store, [
    [adapterKeys.stats(p.version), JSON.stringify(p.stats)],
    [keys.adapter(p.version), JSON.stringify(rec)],
  ], chunks);
  const ptr: AdapterPointer = { v: 1, version: p.version, updatedAt: now.toISOString() };
  await store.set(keys.adapterCurrent(), JSON.stringify(ptr));
}

export async function readPointer(store: KvStore): Promise<AdapterPointer | null> {
  return getTyped(store, AdapterPointer, keys.adapterCurrent());
}

export interface LoadedAdapter {
  record: AdapterVersion;
  stats: StatsSnapshot;
}

/** Reads one version's record and statistics; null when either is missing. */
export async function readAdapter(store: KvStore, version: number): Promise<LoadedAdapter | null> {
  const [recRaw, statsRaw] = await getChunkedMany(store, [keys.adapter(version), adapterKeys.stats(version)]);
  if (recRaw === null || statsRaw === null) return null;
  const record = parseValue(AdapterVersion, keys.adapter(version), recRaw!);
  const stats = parseValue(StatsSnapshot, adapterKeys.stats(version), statsRaw!);
  if (record.version !== version) throw new Error(`adapter record at version ${version} says version ${record.version}`);
  return { record, stats };
}

export const RollbackResult = z.object({ from: z.number().int(), to: z.number().int(), restored: z.number().int() });
export type RollbackResult = z.infer<typeof RollbackResult>;

/**
 * Restores version `target` (default: the serving version's parent, else serving - 1) by republishing its
 * weights and statistics as a new version; the job notices the higher version and continues from it.
 */
export async function rollbackAdapter(store: KvStore, target?: number, now = new Date()): Promise<RollbackResult> {
  const ptr = await readPointer(store);
  if (!ptr) throw new Error('no adapter version is published');
  const cur = await readAdapter(store, ptr.version);
  const to = target ?? cur?.record.parent ?? ptr.version - 1;
  if (to < 0 || to >= ptr.version) throw new Error(`cannot roll back from version ${ptr.version} to ${to}`);
  const old = await readAdapter(store, to);
  if (!old || !old.record.weights) throw new Error(`adapter version ${to} is not stored (or has no inline weights)`);
  const version = ptr.version + 1;
  await publishAdapter(store, {
    version, weightsB64: old.record.weights, shapes: old.record.shapes, stats: old.stats, trainedOnEvents: old.record.trainedOnEvents,
    metrics: { ...old.record.metrics, rollbackOf: to }, parent: to, base: old.record.base,
  }, now);
  return { from: ptr.version, to, restored: version };
}
