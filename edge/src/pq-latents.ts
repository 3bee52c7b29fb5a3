// PQ-coded joint item latents at the edge (request path, step 3): the published codebooks and codes are read
// from KV once per published version and kept in the isolate; decoding and asymmetric scoring are pure
// TypeScript (shared/src/pq), so this runs on Workers. Used for edge-side retrieval over large catalogs: the
// query is the mean of the decoded latents of the user's recent items, the top-N by ADC become the candidate
// segment the worker re-ranks with the real user encoder.
import { PQ_CODES_CHUNK, keys } from '@llmrec/shared/kv/keys.ts';
import { pqFromValues } from '@llmrec/shared/kv/pq-values.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { getTyped, mgetTyped } from '@llmrec/shared/kv/typed.ts';
import { PqCodebooks, PqCodes } from '@llmrec/shared/kv/values.ts';
import { adcTopN, decodeItem, type PqIndex } from '@llmrec/shared/pq/index.ts';
import type { PublishedCatalog } from './catalog.ts';

export class PqLatents {
  private version = '';
  private loading: Promise<PqIndex | null> | null = null;
  private index: PqIndex | null = null;

  constructor(private readonly store: KvStore) {}

  /** The PQ index of the published version, or null when the version has no PQ latents. */
  async get(cat: PublishedCatalog): Promise<PqIndex | null> {
    if (this.version === cat.version && !this.loading) return this.index;
    if (this.version !== cat.version || !this.loading) {
      this.version = cat.version;
      this.loading = this.load(cat).finally(() => (this.loading = null));
    }
    const idx = await this.loading;
    this.index = idx;
    return idx;
  }

  private async load(cat: PublishedCatalog): Promise<PqIndex | null> {
    const cb = await getTyped(this.store, PqCodebooks, keys.pqCodebooks(cat.version));
    if (!cb) return null;
    const chunks = Math.ceil(cat.ids.length / PQ_CODES_CHUNK);
    const parts = await mgetTyped(this.store, PqCodes, Array.from({ length: chunks }, (_, c) => keys.pqCodes(cat.version, c)));
    if (parts.some((p) => p === null)) throw new Error(`PQ codes of ${cat.version} are incomplete`);
    const pq = pqFromValues(cb, parts as PqCodes[]);
    if (pq.items !== cat.ids.length) throw new Error(`PQ codes of ${cat.version} cover ${pq.items} items, the catalog has ${cat.ids.length}`);
    return pq;
  }
}

/** Mean of the decoded latents of `items` (the edge's stand-in query for z_u). */
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

/** Top `depth` item indices by ADC against the mean history latent, seen items excluded. */
export function retrieveByPq(pq: PqIndex, history: readonly number[], depth: number, exclude: ReadonlySet<number>): number[] {
  return adcTopN(pq, meanLatent(pq, history), depth, exclude).map((r) => r.item);
}
