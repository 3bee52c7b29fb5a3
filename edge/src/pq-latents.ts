// PQ-coded joint item latents at the edge (request path, step 3): the published codebooks and codes are read
// from KV once per published version, merged with the live overlay's codes (items created or changed through
// the item API, shared/src/catalog/live.ts) once per live revision, and kept in the isolate; decoding and
// asymmetric scoring are pure TypeScript, so this runs on Workers. Used for edge-side retrieval over large
// catalogs: the query is the worker's user latent z_u (or, when the worker cannot give it, the mean of the
// decoded latents of the recent items); the top-N by ADC become the candidate segment the worker re-ranks.
import { PQ_CODES_CHUNK, keys } from '@llmrec/shared/kv/keys.ts';
import { base64ToBytes } from '@llmrec/shared/base64.ts';
import { pqFromValues } from '@llmrec/shared/kv/pq-values.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { getTyped, mgetTyped } from '@llmrec/shared/kv/typed.ts';
import { PqCodebooks, PqCodes } from '@llmrec/shared/kv/values.ts';
import { adcTable, createPqIndex, decodeItem, type PqIndex } from '@llmrec/shared/pq/index.ts';
import type { PublishedCatalog } from './catalog.ts';
import { TopN, topN } from './top-n.ts';

/** A PQ index plus what fast full-catalog ADC needs. */
export interface RetrievalIndex extends PqIndex {
  /** The codes read four at a time (uint32 words, little-endian), when m is a multiple of 4. */
  words: Uint32Array | null;
  /** Hidden items (live overlay): never retrieved. */
  hidden: Uint8Array;
}

interface Published {
  version: string;
  books: PqCodebooks;
  centroids: Float32Array;
  codes: Uint8Array;
  items: number;
}

export class PqLatents {
  private published: Published | null = null;
  private loading: Promise<Published | null> | null = null;
  private loadingVersion = '';
  private index: { version: string; rev: number; value: RetrievalIndex | null } | null = null;

  constructor(private readonly store: KvStore) {}

  /** The PQ index of the published version with its live codes, or null when the version has no PQ latents. */
  async get(cat: PublishedCatalog): Promise<RetrievalIndex | null> {
    const hit = this.index;
    if (hit && hit.version === cat.version && hit.rev === cat.live.rev) return hit.value;
    const pub = await this.loadPublished(cat);
    const value = pub ? merge(pub, cat) : null;
    this.index = { version: cat.version, rev: cat.live.rev, value };
    return value;
  }

  private async loadPublished(cat: PublishedCatalog): Promise<Published | null> {
    if (this.published?.version === cat.version) return this.published;
    if (!this.loading || this.loadingVersion !== cat.version) {
      this.loadingVersion = cat.version;
      this.loading = this.readPublished(cat.version, cat.live.baseItems).finally(() => (this.loading = null));
    }
    const p = await this.loading;
    if (p) this.published = p;
    return p;
  }

  private async readPublished(version: string, items: number): Promise<Published | null> {
    const books = await getTyped(this.store, PqCodebooks, keys.pqCodebooks(version));
    if (!books) return null;
    const chunks = Math.ceil(items / PQ_CODES_CHUNK);
    const parts = await mgetTyped(this.store, PqCodes, Array.from({ length: chunks }, (_, c) => keys.pqCodes(version, c)));
    if (parts.some((p) => p === null)) throw new Error(`PQ codes of ${version} are incomplete`);
    const model = pqFromValues(books, parts as PqCodes[]);
    return { version, books, centroids: model.codebooks, codes: model.codes, items };
  }
}

/** Published codes with the live chunks' codes laid over them (items added through the API appended). */
function merge(pub: Published, cat: PublishedCatalog): RetrievalIndex {
  const { m, k, dsub } = pub.books;
  const items = cat.live.items;
  let codes = pub.codes;
  if (cat.live.chunks.size > 0) {
    codes = new Uint8Array(items * m);
    codes.set(pub.codes.subarray(0, Math.min(pub.codes.length, items * m)));
    for (const ch of cat.live.chunks.values()) {
      if (ch.m !== m) throw new Error(`live chunk at ${ch.start} has m = ${ch.m}, the codebooks ${m}`);
      const bytes = base64ToBytes(ch.codes);
      codes.set(bytes.subarray(0, Math.min(bytes.length, (items - ch.start) * m)), ch.start * m);
    }
  }
  const base = createPqIndex(pub.centroids, [m, k, dsub], codes, items);
  const hidden = new Uint8Array(items);
  for (const i of cat.live.unavailable) if (i < items) hidden[i] = 1;
  const words = m % 4 === 0 && codes.byteOffset % 4 === 0 ? new Uint32Array(codes.buffer, codes.byteOffset, codes.length / 4) : null;
  return { ...base, words, hidden };
}

/** Mean of the decoded latents of `items` (the stand-in query when the worker cannot give z_u). */
export function meanLatent(pq: PqIndex, items: readonly number[]): Float32Array {
  const dim = pq.m * pq.dsub;
  const q = new Float32Array(dim);
  const buf = new Float32Array(dim);
  for (const i of items) {
    decodeItem(pq, i, buf);
    for (let d = 0; d < dim; d++) q[d]! += buf[d]!;
  }
  if (items.length) for (let d = 0; d < dim; d++) q[d]! /= items.length;
  return q;
}

/**
 * The query's table slices of the unrolled kernels below, four sub-spaces (4 x 256 entries) each. Module-level
 * constants on purpose: V8 then knows their length and drops the bounds checks inside the loop, which halves
 * the kernel's cost (measured: 1.1 vs 2.0 ms for 100,000 items, m = 32). Filled per query; the kernel runs
 * without an await in between, so requests never share them.
 */
const TABLE = new Float64Array(32 * 256);
const A = TABLE.subarray(0, 1024);
const B = TABLE.subarray(1024, 2048);
const C = TABLE.subarray(2048, 3072);
const D = TABLE.subarray(3072, 4096);
const E = TABLE.subarray(4096, 5120);
const F = TABLE.subarray(5120, 6144);
const G = TABLE.subarray(6144, 7168);
const H = TABLE.subarray(7168, 8192);

/** Four sub-spaces of one item: a uint32 word of four codes against one table slice. */
const four = (t: Float64Array, w: number) => t[w & 255]! + t[256 + ((w >>> 8) & 255)]! + t[512 + ((w >>> 16) & 255)]! + t[768 + (w >>> 24)]!;

// m = 16: the kernel scores every item and offers it to the selection only when it reaches the current floor
// (a few thousand of 100,000 items), so no score buffer over the whole catalog is written and read back. m = 32
// writes the scores and selects in a second pass: fused there, it ran ~0.5 ms slower per 100,000 items in
// bench/catalog.ts (same load, alternating runs), while fusing saved ~0.5 ms at m = 16. The sums are spelled
// out in each loop on purpose: behind a helper function V8 no longer drops the bounds checks (measured 2.4 vs
// 1.7 ms, m = 32). They group the terms by fours where adcAll adds them one by one; float32 table values add
// exactly in float64 unless they span more than ~2^25 in magnitude, so in practice the scores are the same
// bits (tested against adcAll + topN, ties included).
function select16(words: Uint32Array, items: number, top: TopN): void {
  let floor = -Infinity;
  for (let i = 0, r = 0; i < items; i++, r += 4) {
    const s = four(A, words[r]!) + four(B, words[r + 1]!) + four(C, words[r + 2]!) + four(D, words[r + 3]!);
    if (s >= floor) floor = top.offer(i, s);
  }
}

function kernel32(words: Uint32Array, items: number, out: Float64Array): void {
  for (let i = 0, r = 0; i < items; i++, r += 8) {
    out[i] = four(A, words[r]!) + four(B, words[r + 1]!) + four(C, words[r + 2]!) + four(D, words[r + 3]!) + four(E, words[r + 4]!) + four(F, words[r + 5]!) + four(G, words[r + 6]!) + four(H, words[r + 7]!);
  }
}

/**
 * Approximate z_u . z_i of every item: one table of query . centroid per (sub-space, centroid), then m lookups
 * per item, summed over sub-spaces in order (the reference the unrolled selection kernels above agree with).
 */
export function adcAll(pq: RetrievalIndex, query: ArrayLike<number>, out = new Float64Array(pq.items)): Float64Array {
  const { m, k, codes, items } = pq;
  const t = adcTable(pq, query);
  for (let i = 0; i < items; i++) {
    let acc = 0;
    for (let s = 0; s < m; s++) acc += t[s * k + codes[i * m + s]!]!;
    out[i] = acc;
  }
  return out;
}

/**
 * Top `depth` item indices by ADC against `query`, best first (ties: lower index), seen and hidden items
 * excluded. For the shipped code widths (k = 256, m = 16 or 32) the codes are read as uint32 words (four
 * sub-spaces per load) against the constant table slices above, fully unrolled: this decides the edge's cost on
 * 100,000-item catalogs (bench/catalog.ts). Other shapes: adcAll, then topN.
 */
export function retrieveByPq(pq: RetrievalIndex, query: ArrayLike<number>, depth: number, exclude: ReadonlySet<number>): number[] {
  if (depth <= 0) return [];
  const { m, k, words, items } = pq;
  const unrolled = words !== null && k === 256 && (m === 32 || m === 16);
  // The kernels run without an await, so requests never share TABLE.
  if (unrolled) TABLE.set(adcTable(pq, query));
  if (unrolled && m === 16) {
    const top = new TopN(depth, exclude, pq.hidden);
    select16(words, items, top);
    return top.result();
  }
  // One score buffer per index, reused: a fresh 800 KB array per request (100,000 items) costs more in garbage
  // collection than the scoring itself. Safe: the scoring and selection below run without an await.
  const holder = pq as RetrievalIndex & { scratch?: Float64Array<ArrayBuffer> };
  const scratch = (holder.scratch ??= new Float64Array(pq.items));
  if (unrolled) kernel32(words, items, scratch);
  else adcAll(pq, query, scratch);
  return topN(scratch, depth, exclude, pq.hidden);
}
