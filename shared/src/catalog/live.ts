// The live catalog of a published version (issue 11: items created, changed or hidden through the item API are
// served from the next request on, with no retraining and no full republish). A published version is immutable;
// on top of it, `live:<version>:head` names the current revision of every code chunk the API has overridden
// (chunks of PQ_CODES_CHUNK items aligned with the published code chunks: ids, PQ codes, availability, metadata
// revision), and items added after publish take the dense indices after the published ones. The writer (the
// worker) writes chunk revisions first and the head last; readers (edge, other workers) poll the head and load
// only the chunks whose revision changed. Runtime-neutral: edge (Workers/Node) and worker share this code.
import { PQ_CODES_CHUNK, keys } from '../kv/keys.ts';
import { base64ToBytes, bytesToBase64 } from '../base64.ts';
import type { KvStore } from '../kv/store.ts';
import { encodeValue, getTyped, mgetTyped } from '../kv/typed.ts';
import { LiveChunk, LiveHead } from '../kv/values.ts';

export const LIVE_CHUNK = PQ_CODES_CHUNK;

/** The published catalog merged with its live overlay at one head revision. */
export interface LiveView {
  version: string;
  /** 0 when nothing was written through the API. */
  rev: number;
  baseItems: number;
  /** Published + added items (dense indices 0..items-1). */
  items: number;
  /** Dense index -> raw id (published ids, then added ones). */
  ids: readonly string[];
  /** Raw id -> dense index, for ids the overlay changed or added (published ids map through the published index). */
  liveIdx: ReadonlyMap<string, number>;
  /** Dense indices hidden from recommendations (DELETE /v1/items/{id} or available: false). */
  unavailable: ReadonlySet<number>;
  /** Raw ids hidden from recommendations. */
  unavailableIds: ReadonlySet<string>;
  /** Raw id -> revision of its live metadata (absent: the published metadata applies). */
  metaRev: ReadonlyMap<string, number>;
  /** Chunk index -> the chunk at its current revision. */
  chunks: ReadonlyMap<number, LiveChunk & { rev: number }>;
  head: LiveHead | null;
}

export function emptyView(version: string, baseIds: readonly string[]): LiveView {
  return { version, rev: 0, baseItems: baseIds.length, items: baseIds.length, ids: baseIds, liveIdx: new Map(), unavailable: new Set(), unavailableIds: new Set(), metaRev: new Map(), chunks: new Map(), head: null };
}

export async function readLiveHead(store: KvStore, version: string): Promise<LiveHead | null> {
  return getTyped(store, LiveHead, keys.liveHead(version));
}

/**
 * Brings `prev` (the same version's earlier view, or null) to the given head: loads the chunks whose revision
 * changed and rebuilds the merged tables. `baseIds` are the published ids of the version.
 */
export async function loadLiveView(store: KvStore, version: string, baseIds: readonly string[], head: LiveHead | null, prev: LiveView | null): Promise<LiveView> {
  if (!head || head.base !== version) return emptyView(version, baseIds);
  if (prev && prev.version === version && prev.rev === head.rev) return prev;
  const chunks = new Map<number, LiveChunk & { rev: number }>();
  const want: [number, number][] = [];
  for (const [c, rev] of Object.entries(head.chunks)) {
    const have = prev?.version === version ? prev.chunks.get(Number(c)) : undefined;
    if (have && have.rev === rev) chunks.set(Number(c), have);
    else want.push([Number(c), rev]);
  }
  if (want.length) {
    const got = await mgetTyped(store, LiveChunk, want.map(([c, rev]) => keys.liveChunk(version, c, rev)));
    got.forEach((ch, j) => {
      // A chunk revision replaced (and deleted) after we read the head: the caller retries with the newer head.
      if (!ch) throw new LiveChunkMissingError(`live chunk ${want[j]![0]} rev ${want[j]![1]} of ${version} is gone (a newer head replaced it)`);
      chunks.set(want[j]![0], { ...ch, rev: want[j]![1] });
    });
  }
  return mergeView(version, baseIds, head, chunks);
}

export class LiveChunkMissingError extends Error {}

export function mergeView(version: string, baseIds: readonly string[], head: LiveHead, chunks: Map<number, LiveChunk & { rev: number }>): LiveView {
  const ids = head.items === baseIds.length ? [...baseIds] : [...baseIds, ...Array<string>(Math.max(0, head.items - baseIds.length)).fill('')];
  const liveIdx = new Map<string, number>();
  const unavailable = new Set<number>();
  const unavailableIds = new Set<string>();
  const metaRev = new Map<string, number>();
  for (const ch of chunks.values()) {
    for (let j = 0; j < ch.count; j++) {
      const idx = ch.start + j;
      if (idx >= head.items) break;
      const id = ch.ids[j]!;
      ids[idx] = id;
      const rev = ch.meta[j] ?? 0;
      if (idx >= head.baseItems || rev > 0) liveIdx.set(id, idx);
      if (rev > 0) metaRev.set(id, rev);
      if (ch.available[j] === '0') {
        unavailable.add(idx);
        unavailableIds.add(id);
      }
    }
  }
  return { version, rev: head.rev, baseItems: head.baseItems, items: head.items, ids, liveIdx, unavailable, unavailableIds, metaRev, chunks, head };
}

/** One item change the writer applies: where, what id, and (when given) its new code, availability, metadata revision. */
export interface LiveChange {
  idx: number;
  id: string;
  code?: Uint8Array;
  available?: boolean;
  metaRev?: number;
}

/** The published content of chunk c (ids and codes), to start an override from. */
export type BaseChunk = (c: number) => Promise<{ ids: string[]; codes: Uint8Array }>;

/**
 * Writes one new revision: the changed chunks (new immutable keys), then the head; then removes the chunk
 * revisions it replaced (best effort: a reader holding the old head retries with the new one). Returns the new head.
 */
export async function writeLiveRevision(store: KvStore, view: LiveView, m: number, changes: readonly LiveChange[], baseChunk: BaseChunk, now = new Date(), pending?: readonly string[]): Promise<LiveHead> {
  const rev = view.rev + 1;
  const items = Math.max(view.items, ...changes.map((c) => c.idx + 1));
  const byChunk = new Map<number, LiveChange[]>();
  for (const ch of changes) (byChunk.get(Math.floor(ch.idx / LIVE_CHUNK)) ?? byChunk.set(Math.floor(ch.idx / LIVE_CHUNK), []).get(Math.floor(ch.idx / LIVE_CHUNK))!).push(ch);
  const entries: [string, string][] = [];
  const chunkRevs: Record<string, number> = { ...(view.head?.chunks ?? {}) };
  const replaced: string[] = [];
  for (const [c, list] of byChunk) {
    const start = c * LIVE_CHUNK;
    const prev = view.chunks.get(c);
    let ids: string[];
    let codes: Uint8Array;
    let available: string[];
    let meta: number[];
    if (prev) {
      ids = [...prev.ids];
      codes = base64ToBytes(prev.codes);
      available = prev.available.split('');
      meta = [...prev.meta];
    } else if (start < view.baseItems) {
      const base = await baseChunk(c);
      ids = base.ids;
      codes = base.codes;
      available = ids.map(() => '1');
      meta = ids.map(() => 0);
    } else {
      ids = [];
      codes = new Uint8Array(0);
      available = [];
      meta = [];
    }
    const count = Math.max(ids.length, ...list.map((ch) => ch.idx - start + 1));
    if (codes.length < count * m) {
      const grown = new Uint8Array(count * m);
      grown.set(codes);
      codes = grown;
    }
    while (ids.length < count) ids.push('');
    while (available.length < count) available.push('1');
    while (meta.length < count) meta.push(0);
    for (const ch of list) {
      const j = ch.idx - start;
      ids[j] = ch.id;
      if (ch.code) {
        if (ch.code.length !== m) throw new Error(`code of ${ch.id} has ${ch.code.length} bytes, the codebooks have m = ${m}`);
        codes.set(ch.code, j * m);
      }
      if (ch.available !== undefined) available[j] = ch.available ? '1' : '0';
      if (ch.metaRev !== undefined) meta[j] = ch.metaRev;
    }
    entries.push([keys.liveChunk(view.version, c, rev), encodeValue(LiveChunk, { v: 1, start, count, m, ids, codes: bytesToBase64(codes), available: available.join(''), meta })]);
    if (prev) replaced.push(keys.liveChunk(view.version, c, prev.rev));
    chunkRevs[String(c)] = rev;
  }
  if (entries.length) await store.setMany(entries);
  const head: LiveHead = { v: 1, base: view.version, rev, items, baseItems: view.baseItems, chunks: chunkRevs, pending: [...(pending ?? view.head?.pending ?? [])], updatedAt: now.toISOString() };
  await store.set(keys.liveHead(view.version), encodeValue(LiveHead, head));
  await Promise.all(replaced.map((k) => store.del(k).catch(() => undefined)));
  return head;
}
