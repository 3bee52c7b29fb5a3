// Typed reads and writes over a KvStore: every value read from KV is parsed with its zod schema (values.ts),
// so a malformed or wrong-version value fails loudly with the key name instead of flowing into scoring.
import type { z } from 'zod';
import type { KvStore } from './store.ts';

/** A value in KV did not parse: not JSON, wrong version, or wrong shape. */
export class KvValueError extends Error {
  constructor(readonly key: string, readonly problems: string[]) {
    super(`malformed value at KV key "${key}": ${problems.join('; ')}`);
    this.name = 'KvValueError';
  }
}

export function parseValue<S extends z.ZodType>(schema: S, key: string, raw: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new KvValueError(key, ['not JSON']);
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new KvValueError(key, problems);
  }
  return r.data;
}

/** Reads and parses one value; null when the key is missing. */
export async function getTyped<S extends z.ZodType>(store: KvStore, schema: S, key: string): Promise<z.infer<S> | null> {
  const raw = await store.get(key);
  return raw === null ? null : parseValue(schema, key, raw);
}

/** Reads and parses several values of the same kind; null for missing keys. */
export async function mgetTyped<S extends z.ZodType>(store: KvStore, schema: S, keys: readonly string[]): Promise<(z.infer<S> | null)[]> {
  if (keys.length === 0) return [];
  const raws = await store.mget(keys);
  return raws.map((raw, i) => (raw === null ? null : parseValue(schema, keys[i]!, raw)));
}

/** Validates before writing, so nothing malformed ever reaches KV. */
export function encodeValue<S extends z.ZodType>(schema: S, value: z.input<S>): string {
  return JSON.stringify(schema.parse(value));
}

export async function setTyped<S extends z.ZodType>(store: KvStore, schema: S, key: string, value: z.input<S>, opts?: { ttlSeconds?: number }): Promise<void> {
  await store.set(key, encodeValue(schema, value), opts);
}

/** Reads list entries (newest first) and parses each. */
export async function listTyped<S extends z.ZodType>(store: KvStore, schema: S, key: string, start = 0, stop = -1): Promise<z.infer<S>[]> {
  const raws = await store.listRange(key, start, stop);
  return raws.map((raw) => parseValue(schema, key, raw));
}
