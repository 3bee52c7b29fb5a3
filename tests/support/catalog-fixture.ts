// Test support: a small synthetic catalog published into any KvStore exactly as `llmrec publish` lays it out
// (key names from shared/src/kv/keys.ts, values validated by shared/src/kv/values.ts), plus matching item
// latents for the worker. Items fall in `clusters` groups; an item's latent points at its cluster, so a user
// whose history is in cluster c gets cluster-c items ranked first — rankings tests can check.
import { keys } from '@llmrec/shared/kv/keys.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { encodeValue } from '@llmrec/shared/kv/typed.ts';
import { HistoryEntry, ItemEvidence, ItemIndex, ItemMeta, PopularList, PqCodebooks, PqCodes, PublishedPointer } from '@llmrec/shared/kv/values.ts';
import { PQ_CODES_CHUNK } from '@llmrec/shared/kv/keys.ts';
import { pqToValues, trainPq } from '@llmrec/shared/kv/pq-quantize.ts';

export interface Fixture {
  version: string;
  ids: string[];
  titles: string[];
  clusters: number;
  clusterOf: (idx: number) => number;
  dim: number;
  itemLatents: Float32Array;
  /** userId -> history item ids, oldest first. */
  users: Record<string, string[]>;
  /** Item ids by popularity, most popular first. */
  popular: string[];
}

export function makeFixture(opts: { items?: number; clusters?: number; dim?: number; version?: string } = {}): Fixture {
  const n = opts.items ?? 60;
  const clusters = opts.clusters ?? 3;
  const dim = opts.dim ?? 8;
  const clusterOf = (idx: number) => idx % clusters;
  const ids = Array.from({ length: n }, (_, i) => String(i + 1));
  const titles = ids.map((id, i) => `Movie ${id} (cluster ${clusterOf(i)})`);
  const lat = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    lat[i * dim + clusterOf(i)] = 1;
    // A small item-specific component breaks ties deterministically.
    lat[i * dim + clusters + (i % (dim - clusters))] = 0.01 * ((i * 7) % 11);
  }
  const users: Record<string, string[]> = { u1: [ids[0]!, ids[3]!, ids[6]!], u2: [ids[1]!, ids[4]!], u3: [ids[2]!] };
  const popular = [...ids].reverse();
  return { version: opts.version ?? 'v-test-1', ids, titles, clusters, clusterOf, dim, itemLatents: lat, users, popular };
}

/** Writes the catalog into the store: versioned keys first, then the pointer (as publish does). */
export async function publishFixture(store: KvStore, f: Fixture): Promise<void> {
  const entries: [string, string][] = [];
  f.ids.forEach((id, idx) => {
    entries.push([keys.item(f.version, id), encodeValue(ItemMeta, { v: 1, id, idx, title: f.titles[idx]!, genres: [`g${f.clusterOf(idx)}`], hasImage: false })]);
  });
  // Evidence: the item's genre as a fact; co-interactions with the other items of its cluster (6 users each).
  f.ids.forEach((id, idx) => {
    const co = f.ids.map((_, j) => j).filter((j) => j !== idx && f.clusterOf(j) === f.clusterOf(idx)).map((j) => [j, 6] as [number, number]);
    entries.push([keys.evidence(f.version, id), encodeValue(ItemEvidence, { v: 1, itemId: id, evidence: [{ kind: 'genre', text: `Genres: g${f.clusterOf(idx)}` }], facts: [{ kind: 'genre', value: `g${f.clusterOf(idx)}` }], co })]);
  });
  entries.push([keys.itemIndex(f.version), encodeValue(ItemIndex, { v: 1, ids: f.ids })]);
  entries.push([keys.popular(f.version, 'all'), encodeValue(PopularList, { v: 1, name: 'all', items: f.popular, scores: f.popular.map((_, i) => 1000 - i) })]);
  await store.setMany(entries);
  for (const [u, hist] of Object.entries(f.users)) {
    await store.del(keys.history(u));
    await store.listPush(keys.history(u), hist.map((item, i) => encodeValue(HistoryEntry, { v: 1, item, ts: 1000 + i, type: 'rating' })), 200);
  }
  await store.set(keys.published(), encodeValue(PublishedPointer, { v: 1, version: f.version, dataset: 'fixture', publishedAt: new Date(0).toISOString() }));
}

/** Adds the PQ-coded item latents (what explanations read) for the fixture, as publish writes them. */
export async function publishFixtureLatents(store: KvStore, f: Fixture): Promise<void> {
  const v = pqToValues(trainPq(f.itemLatents, f.dim, { m: 4, k: 16, seed: 1 }), PQ_CODES_CHUNK);
  await store.setMany([[keys.pqCodebooks(f.version), encodeValue(PqCodebooks, v.codebooks)], ...v.codes.map((c, i) => [keys.pqCodes(f.version, i), encodeValue(PqCodes, c)] as [string, string])]);
}
