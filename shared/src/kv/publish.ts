// Publishes a serving bundle (catalog, popular lists, evidence, PQ-coded latents, model refs) into any KvStore
// as ONE new immutable version, made visible by flipping a single pointer key last — atomic on every backend,
// including Cloudflare KV which has no multi-key transactions. Idempotent: the version name is a content hash,
// a complete version (its manifest is written after its content) is never rewritten, and user histories are
// only seeded where a user has none (live events are never overwritten unless asked).
import { carryLive, type CarryReport } from '../catalog/carry-live.ts';
import { loadLiveView, readLiveHead } from '../catalog/live.ts';
import { parseHead, partKey } from './chunked.ts';
import { HISTORY_MAX_LEN, keys } from './keys.ts';
import type { KvStore } from './store.ts';
import { encodeValue, getTyped } from './typed.ts';
import type { z } from 'zod';
import { HistoryEntry, ItemEvidence, ItemIndex, ItemMeta, ModelRef, PopularList, PqCodebooks, PqCodes, PublishedPointer, PublishManifest } from './values.ts';

type In<S extends z.ZodType> = z.input<S>;

export interface PublishBundle {
  dataset: string;
  /** Item metadata in dense index order (items[i].idx === i). */
  items: In<typeof ItemMeta>[];
  popular: In<typeof PopularList>[];
  evidence: In<typeof ItemEvidence>[];
  /** Users' recent interactions, oldest first. */
  histories: { userId: string; entries: In<typeof HistoryEntry>[] }[];
  pq?: { codebooks: In<typeof PqCodebooks>; codes: In<typeof PqCodes>[] };
  userEncoder?: In<typeof ModelRef>;
  /** Names -> sha256 of the offline artifacts the bundle came from (recorded in the manifest). */
  artifacts?: Record<string, string>;
}

export type HistoryMode = 'seed-missing' | 'replace' | 'skip';

export interface PublishOptions {
  historyMode?: HistoryMode;
  historyMaxLen?: number;
  /** After the flip, remove published versions older than the newest `keep` (and never the live one). */
  keep?: number;
  /** Max bytes per setMany call (Upstash caps a request at 1 MB). */
  chunkBytes?: number;
  now?: () => Date;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface PublishReport {
  version: string;
  previous: string | null;
  /** The pointer already named this version: nothing but histories was touched. */
  alreadyLive: boolean;
  /** This version's content was already complete in the store (re-flip, e.g. back from another version). */
  reusedContent: boolean;
  counts: Record<string, number>;
  keysWritten: number;
  bytesWritten: number;
  histories: { seeded: number; kept: number; replaced: number };
  /** Old versions whose keys were deleted (see PublishOptions.keep). */
  removed: string[];
  /** What the previous version's live catalog handed over (absent when there was none to carry). */
  live?: CarryReport;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Versioned key/value pairs of a bundle (everything but histories), validated on the way in. */
export function bundleEntries(b: PublishBundle, version: string): [string, string][] {
  b.items.forEach((it, i) => {
    if (it.idx !== i) throw new Error(`bundle items must be in index order: items[${i}] has idx ${it.idx}`);
  });
  const out: [string, string][] = [[keys.itemIndex(version), encodeValue(ItemIndex, { v: 1, ids: b.items.map((i) => i.id) })]];
  for (const it of b.items) out.push([keys.item(version, it.id), encodeValue(ItemMeta, it)]);
  for (const p of b.popular) out.push([keys.popular(version, p.name), encodeValue(PopularList, p)]);
  for (const e of b.evidence) out.push([keys.evidence(version, e.itemId), encodeValue(ItemEvidence, e)]);
  if (b.pq) {
    out.push([keys.pqCodebooks(version), encodeValue(PqCodebooks, b.pq.codebooks)]);
    b.pq.codes.forEach((c, i) => out.push([keys.pqCodes(version, i), encodeValue(PqCodes, c)]));
  }
  if (b.userEncoder) out.push([keys.userEncoder(version), encodeValue(ModelRef, b.userEncoder)]);
  return out;
}

/** Content hash of a bundle's versioned part: the same inputs always give the same version name. */
export async function bundleVersion(b: PublishBundle): Promise<{ version: string; contentHash: string }> {
  const contentHash = await sha256Hex(JSON.stringify(bundleEntries(b, '')) + JSON.stringify(b.artifacts ?? {}));
  return { version: `${b.dataset}-${contentHash.slice(0, 12)}`, contentHash };
}

export async function publishBundle(store: KvStore, b: PublishBundle, opts: PublishOptions = {}): Promise<PublishReport> {
  const now = opts.now ?? (() => new Date());
  const progress = opts.onProgress ?? (() => {});
  const { version, contentHash } = await bundleVersion(b);
  const pointer = await getTyped(store, PublishedPointer, keys.published());
  const manifest = await getTyped(store, PublishManifest, keys.publishManifest(version));
  const counts = { items: b.items.length, popular: b.popular.length, evidence: b.evidence.length, pqCodeChunks: b.pq?.codes.length ?? 0, userEncoder: b.userEncoder ? 1 : 0, users: b.histories.length };
  const report: PublishReport = { version, previous: pointer?.version ?? null, alreadyLive: pointer?.version === version && manifest !== null, reusedContent: manifest !== null, counts, keysWritten: 0, bytesWritten: 0, histories: { seeded: 0, kept: 0, replaced: 0 }, removed: [] };

  if (!manifest) {
    // 1. Content under the new version prefix: invisible to readers until the pointer flips.
    const entries = bundleEntries(b, version);
    const limit = opts.chunkBytes ?? 512 * 1024;
    let chunk: [string, string][] = [];
    let bytes = 0;
    const flush = async () => {
      if (!chunk.length) return;
      await store.setMany(chunk);
      report.keysWritten += chunk.length;
      progress('content', report.keysWritten, entries.length);
      chunk = [];
      bytes = 0;
    };
    for (const e of entries) {
      const size = e[0].length + e[1].length;
      if (bytes + size > limit) await flush();
      chunk.push(e);
      bytes += size;
      report.bytesWritten += size;
    }
    await flush();
    // 2. The manifest marks the version complete (a crash before this point leaves an unreferenced prefix).
    const m = encodeValue(PublishManifest, { v: 1, version, dataset: b.dataset, createdAt: now().toISOString(), contentHash, counts, artifacts: b.artifacts ?? {}, popular: b.popular.map((p) => p.name) });
    await store.set(keys.publishManifest(version), m);
    report.keysWritten++;
    report.bytesWritten += m.length;
  }

  // 3. Live histories (unversioned): seeded where missing so events ingested since are kept.
  report.histories = await seedHistories(store, b.histories, opts.historyMode ?? 'seed-missing', opts.historyMaxLen ?? HISTORY_MAX_LEN, progress);

  // 4. The live catalog of the version being replaced (items written through the item API) comes along:
  //    created items the new version lacks wait to be embedded, hidden items stay hidden (catalog/carry-live.ts).
  if (!report.alreadyLive && pointer && pointer.version !== version) {
    report.live = await carryLive(store, pointer.version, { version, ids: b.items.map((i) => i.id), codes: b.pq?.codes.map((c) => PqCodes.parse(c)), m: b.pq?.codebooks.m }, now());
  }

  // 5. The flip: ONE key, written last.
  if (!report.alreadyLive) {
    await store.set(keys.published(), encodeValue(PublishedPointer, { v: 1, version, dataset: b.dataset, publishedAt: now().toISOString() }));
    await store.listPush(keys.publishedVersions(), [version], 50);
  }
  if (opts.keep !== undefined) report.removed = await removeOldVersions(store, opts.keep);
  return report;
}

/** Every key of a published version, from its manifest and item index (null when the version is gone). */
export async function versionKeys(store: KvStore, version: string): Promise<string[] | null> {
  const m = await getTyped(store, PublishManifest, keys.publishManifest(version));
  if (!m) return null;
  const index = await getTyped(store, ItemIndex, keys.itemIndex(version));
  const ids = index?.ids ?? [];
  const out = [keys.itemIndex(version), ...ids.map((id) => keys.item(version, id)), ...ids.map((id) => keys.evidence(version, id))];
  out.push(...m.popular.map((n) => keys.popular(version, n)), keys.pqCodebooks(version), keys.userEncoder(version));
  for (let i = 0; i < (m.counts.pqCodeChunks ?? 0); i++) out.push(keys.pqCodes(version, i));
  // The version's live catalog: head, current chunk revisions, records, evidence and media (with their parts).
  const head = await readLiveHead(store, version);
  if (head) {
    const view = await loadLiveView(store, version, ids, head, null).catch(() => null);
    for (const [c, rev] of Object.entries(head.chunks)) out.push(keys.liveChunk(version, Number(c), rev));
    for (const id of [...(view?.metaRev.keys() ?? []), ...head.pending]) {
      out.push(keys.liveItem(version, id), keys.liveEvidence(version, id), keys.liveMedia(version, id));
      const media = parseHead(await store.get(keys.liveMedia(version, id)));
      if (media) for (let i = 0; i < media.parts; i++) out.push(partKey(keys.liveMedia(version, id), media.nonce, i));
    }
    out.push(keys.liveHead(version));
  }
  return out;
}

/**
 * Deletes the keys of published versions beyond the newest `keep` distinct ones (the live version is always
 * kept). The manifest goes last, so an interrupted removal is finished by the next one.
 */
export async function removeOldVersions(store: KvStore, keep: number): Promise<string[]> {
  const live = (await getTyped(store, PublishedPointer, keys.published()))?.version;
  const recent = [...new Set(await store.listRange(keys.publishedVersions(), 0, -1))];
  const removed: string[] = [];
  for (const v of recent.slice(Math.max(0, keep))) {
    if (v === live) continue;
    const ks = await versionKeys(store, v);
    if (!ks) continue;
    for (let i = 0; i < ks.length; i += 32) await Promise.all(ks.slice(i, i + 32).map((k) => store.del(k)));
    await store.del(keys.publishManifest(v));
    removed.push(v);
  }
  return removed;
}

async function seedHistories(store: KvStore, users: PublishBundle['histories'], mode: HistoryMode, maxLen: number, progress: (p: string, d: number, t: number) => void) {
  const r = { seeded: 0, kept: 0, replaced: 0 };
  if (mode === 'skip') return r;
  const batch = 32;
  for (let i = 0; i < users.length; i += batch) {
    await Promise.all(
      users.slice(i, i + batch).map(async (u) => {
        const key = keys.history(u.userId);
        const values = u.entries.slice(-maxLen).map((e) => encodeValue(HistoryEntry, e));
        if (mode === 'seed-missing') {
          if ((await store.listRange(key, 0, 0)).length > 0) return void r.kept++;
          await store.listPush(key, values, maxLen);
          r.seeded++;
        } else {
          await store.del(key);
          await store.listPush(key, values, maxLen);
          r.replaced++;
        }
      }),
    );
    progress('histories', Math.min(users.length, i + batch), users.length);
  }
  return r;
}
