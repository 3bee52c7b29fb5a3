// Large KV values split into parts (storage layer under the learning path: adapter records, statistics
// snapshots and the adapter job's checkpoint are several MB with a dim-128 base; Upstash rejects requests over
// 1 MiB on common plans, Cloudflare KV values stop at 25 MiB). Runtime-neutral: KvStore + WebCrypto only.
//
// Layout: a value over `chunkBytes` (UTF-8) is stored as parts `<key>:part:<nonce>:<i>` written first, then a
// small head at `<key>`: {"chunked":1,"nonce","parts","bytes","sha256"}. A reader that sees the head finds
// every part already written; a crash before the head leaves the previous value readable (the new parts are
// orphans). A fresh nonce per write means a rewrite never touches the parts the current head points to; the
// previous head's parts are deleted only after the new head is written. Smaller values are stored as they
// always were (a plain value), so existing data and small values keep their format and MSET atomicity.
import { z } from 'zod';
import { sha256Hex } from '../artifacts.ts';
import type { KvStore } from './store.ts';

export const DEFAULT_CHUNK_BYTES = 512 * 1024;
/** Upstash's request limit on common plans (1 MiB) less room for the command framing. */
export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024 - 16 * 1024;

export const ChunkHead = z.object({
  chunked: z.literal(1),
  nonce: z.string().regex(/^[0-9a-z-]{1,64}$/),
  parts: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ChunkHead = z.infer<typeof ChunkHead>;

export interface ChunkOptions {
  /** Largest part, in UTF-8 bytes (default 512 KiB); values up to this size are stored plain. */
  chunkBytes?: number;
  /** Budget of one write request (keys + JSON-escaped values, default 1 MiB - 16 KiB); also bounds a read batch. */
  maxRequestBytes?: number;
}

export class ChunkedValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkedValueError';
  }
}

export const partKey = (key: string, nonce: string, i: number) => `${key}:part:${nonce}:${i}`;

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** Size of one entry inside a request body (JSON-escaped key and value, as the REST clients send them). */
const entryBytes = (k: string, v: string) => enc.encode(JSON.stringify(k)).byteLength + enc.encode(JSON.stringify(v)).byteLength + 16;

function newNonce(): string {
  const r = crypto.getRandomValues(new Uint8Array(6));
  return `${Date.now().toString(36)}-${Array.from(r, (b) => b.toString(36).padStart(2, '0')).join('')}`;
}

/** Splits UTF-8 bytes into parts of at most `max` bytes, never inside a multi-byte character. */
function splitUtf8(bytes: Uint8Array, max: number): string[] {
  const parts: string[] = [];
  for (let at = 0; at < bytes.byteLength;) {
    let end = Math.min(at + max, bytes.byteLength);
    while (end < bytes.byteLength && end > at && (bytes[end]! & 0xc0) === 0x80) end--;
    parts.push(dec.decode(bytes.subarray(at, end)));
    at = end;
  }
  return parts;
}

/** The head in `raw`, or null when `raw` is a plain value. */
export function parseHead(raw: string | null): ChunkHead | null {
  if (raw === null || !raw.startsWith('{"chunked":1')) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const r = ChunkHead.safeParse(json);
  return r.success ? r.data : null;
}

/** Writes entries in setMany batches, each under the request budget (an entry alone when it must). */
async function setBatched(store: KvStore, entries: [string, string][], budget: number): Promise<void> {
  let batch: [string, string][] = [];
  let size = 0;
  for (const e of entries) {
    const b = entryBytes(e[0], e[1]);
    if (batch.length > 0 && size + b > budget) {
      await store.setMany(batch);
      batch = [];
      size = 0;
    }
    batch.push(e);
    size += b;
  }
  if (batch.length > 0) await store.setMany(batch);
}

/**
 * Writes several values: the parts of the large ones first, then ONE setMany of every head and small value
 * (all-or-nothing where the backend's setMany is), then deletes the parts the previous heads pointed to.
 * A value is split when it is over chunkBytes, or when the final setMany would go over the request budget.
 */
export async function putChunkedMany(store: KvStore, entries: readonly (readonly [string, string])[], opts: ChunkOptions = {}): Promise<void> {
  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const budget = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  if (!(chunkBytes >= 4) || chunkBytes > budget) throw new ChunkedValueError(`chunkBytes ${chunkBytes} must be in [4, maxRequestBytes ${budget}]`);
  const previous = (await store.mget(entries.map(([k]) => k))).map(parseHead);
  const sized = entries.map(([k, v]) => ({ k, v, bytes: enc.encode(v), req: entryBytes(k, v) }));
  const split = new Set(sized.filter((e) => e.bytes.byteLength > chunkBytes).map((e) => e.k));
  // Small values that together would not fit one request: split the largest until the rest fit.
  let plainReq = sized.filter((e) => !split.has(e.k)).reduce((s, e) => s + e.req, 0);
  for (const e of [...sized].sort((a, b) => b.req - a.req)) {
    if (plainReq <= budget) break;
    if (split.has(e.k)) continue;
    split.add(e.k);
    plainReq -= e.req;
  }
  const parts: [string, string][] = [];
  const final: [string, string][] = [];
  for (const e of sized) {
    if (!split.has(e.k)) {
      final.push([e.k, e.v]);
      continue;
    }
    const nonce = newNonce();
    const chunks = splitUtf8(e.bytes, chunkBytes);
    chunks.forEach((c, i) => {
      const pk = partKey(e.k, nonce, i);
      if (entryBytes(pk, c) > budget) throw new ChunkedValueError(`part ${i} of ${e.k} is over the request budget once JSON-escaped (${entryBytes(pk, c)} > ${budget} bytes): lower chunkBytes`);
      parts.push([pk, c]);
    });
    const head: ChunkHead = { chunked: 1, nonce, parts: chunks.length, bytes: e.bytes.byteLength, sha256: await sha256Hex(e.bytes) };
    final.push([e.k, JSON.stringify(head)]);
  }
  await setBatched(store, parts, budget);
  if (final.length === 1) await store.set(final[0]![0], final[0]![1]);
  else await store.setMany(final);
  // Housekeeping: the old parts are unreachable now; a failure only leaves garbage, never fails the write.
  const stale = entries.flatMap(([k], i) => {
    const h = previous[i];
    return h ? Array.from({ length: h.parts }, (_, j) => partKey(k, h.nonce, j)) : [];
  });
  await Promise.all(stale.map((k) => store.del(k).catch(() => {})));
}

/** Writes one value (see putChunkedMany). */
export async function putChunked(store: KvStore, key: string, value: string, opts: ChunkOptions = {}): Promise<void> {
  await putChunkedMany(store, [[key, value]], opts);
}

async function readParts(store: KvStore, key: string, head: ChunkHead, budget: number): Promise<string[] | null> {
  const perRead = Math.max(1, Math.floor(budget / Math.max(1, Math.ceil(head.bytes / head.parts))));
  const out: string[] = [];
  for (let at = 0; at < head.parts; at += perRead) {
    const ks = Array.from({ length: Math.min(perRead, head.parts - at) }, (_, j) => partKey(key, head.nonce, at + j));
    const got = await store.mget(ks);
    for (const v of got) {
      if (v === null) return null;
      out.push(v);
    }
  }
  return out;
}

async function assemble(store: KvStore, key: string, raw: string | null, budget: number): Promise<string | null> {
  for (let attempt = 0; ; attempt++) {
    const head = parseHead(raw);
    if (!head) return raw;
    const parts = await readParts(store, key, head, budget);
    if (parts === null) {
      // A writer may have replaced the value (and deleted these parts) while we read: follow the new head once.
      if (attempt === 0) {
        const again = await store.get(key);
        if (parseHead(again)?.nonce !== head.nonce) {
          raw = again;
          continue;
        }
      }
      throw new ChunkedValueError(`KV value ${key}: a part of chunked value ${head.nonce} (${head.parts} parts) is missing`);
    }
    const value = parts.join('');
    const bytes = enc.encode(value);
    if (bytes.byteLength !== head.bytes) throw new ChunkedValueError(`KV value ${key}: chunked value ${head.nonce} has ${bytes.byteLength} bytes, its head says ${head.bytes}`);
    if ((await sha256Hex(bytes)) !== head.sha256) throw new ChunkedValueError(`KV value ${key}: chunked value ${head.nonce} does not match its sha256 (corrupted part)`);
    return value;
  }
}

/** Reads several values written by putChunkedMany (or plainly); missing keys are null, in the order asked. */
export async function getChunkedMany(store: KvStore, keys: readonly string[], opts: ChunkOptions = {}): Promise<(string | null)[]> {
  const budget = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const raws = await store.mget(keys);
  return Promise.all(raws.map((raw, i) => assemble(store, keys[i]!, raw, budget)));
}

/** Reads one value: a chunked value joined and checked (length, sha256), a plain value as is. */
export async function getChunked(store: KvStore, key: string, opts: ChunkOptions = {}): Promise<string | null> {
  const budget = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  return assemble(store, key, await store.get(key), budget);
}
