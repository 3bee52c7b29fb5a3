// Read side of the catalog in KV (request path, step 2): the published-version pointer, the dense index -> id
// table, item metadata, evidence, popular lists, user histories, and the live overlay of items created, changed
// or hidden through the item API since publish (shared/src/catalog/live.ts). The pointer and index are cached
// per process/isolate for `ttlMs`, the live head for `liveTtlMs` (and dropped at once after this isolate
// forwarded an item write), item metadata per published version (live metadata per item revision), so a warm
// recommend costs one KV round trip for the history and none for titles.
import { emptyView, LiveChunkMissingError, loadLiveView, readLiveHead, type LiveView } from '@llmrec/shared/catalog/live.ts';
import { HISTORY_MAX_LEN, keys } from '@llmrec/shared/kv/keys.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { getTyped, mgetTyped, parseValue } from '@llmrec/shared/kv/typed.ts';
import { HistoryEntry, ItemEvidence, ItemIndex, ItemMeta, LiveItem, PopularList, PublishedPointer } from '@llmrec/shared/kv/values.ts';

export interface PublishedCatalog {
  version: string;
  dataset: string;
  /** Dense index -> raw id: the published items, then those added through the item API. */
  ids: readonly string[];
  /** The live overlay (hidden items, live metadata revisions); rev 0 when the API wrote nothing. */
  live: LiveView;
}

const MAX_CACHED_ITEMS = 100_000;
const MAX_MEMO_ENTRIES = 200_000;

/** ItemMeta of an item written through the API. */
export function liveItemMeta(it: LiveItem): ItemMeta {
  return { v: 1, id: it.id, idx: it.idx, title: it.title, genres: it.text.genres ?? [], ...(it.text.year !== undefined ? { year: Math.round(it.text.year) } : {}), attributes: it.text.attributes ?? [], hasImage: it.image !== null, hasAudio: false };
}

export class Catalog {
  private pointer: { at: number; base: { version: string; dataset: string; ids: readonly string[] } | null } | null = null;
  private live: { at: number; view: LiveView } | null = null;
  private built: PublishedCatalog | null = null;
  private loading: Promise<PublishedCatalog | null> | null = null;
  private itemCache = new Map<string, ItemMeta>();
  private itemCacheVersion = '';
  private liveMeta = new Map<string, { rev: number; meta: ItemMeta | null }>();
  private liveEvidence = new Map<string, { rev: number; ev: ItemEvidence | null }>();
  private popularCache = new Map<string, { at: number; value: PopularList | null }>();
  private historyMemo = new Map<string, HistoryEntry>();
  private evidenceCache = new Map<string, ItemEvidence | null>();
  private evidenceVersion = '';

  constructor(
    private readonly store: KvStore,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
    private readonly liveTtlMs: number = Math.min(ttlMs, 500),
  ) {}

  /** The live published version with its live overlay, or null when nothing has been published yet. */
  async published(): Promise<PublishedCatalog | null> {
    const now = this.clock();
    const p = this.pointer;
    if (p && now - p.at < this.ttlMs && (p.base === null || (this.live && now - this.live.at < this.liveTtlMs))) return p.base ? this.built : null;
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  /** Forget the cached pointer and live head (after this edge forwarded an item write): the next request re-reads them. */
  invalidate(): void {
    this.pointer = null;
    this.live = null;
  }

  private async load(): Promise<PublishedCatalog | null> {
    const now = this.clock();
    if (!this.pointer || now - this.pointer.at >= this.ttlMs) {
      const ptr = await getTyped(this.store, PublishedPointer, keys.published());
      let base = ptr ? this.pointer?.base ?? this.lastBase : null;
      if (ptr && base?.version !== ptr.version) {
        const index = await getTyped(this.store, ItemIndex, keys.itemIndex(ptr.version));
        base = { version: ptr.version, dataset: ptr.dataset, ids: index?.ids ?? [] };
        if (this.itemCacheVersion !== ptr.version) {
          this.itemCache = new Map();
          this.itemCacheVersion = ptr.version;
          this.popularCache.clear();
          this.liveMeta.clear();
          this.liveEvidence.clear();
        }
      }
      this.pointer = { at: now, base };
      if (base) this.lastBase = base;
    }
    const base = this.pointer.base;
    if (!base) return null;
    if (!this.live || this.live.view.version !== base.version || now - this.live.at >= this.liveTtlMs || !this.built) {
      const view = await this.loadLive(base.version, base.ids);
      if (!this.built || this.built.live !== view || this.built.version !== base.version) this.built = { version: base.version, dataset: base.dataset, ids: view.ids, live: view };
      this.live = { at: now, view };
    }
    return this.built;
  }

  private lastBase: { version: string; dataset: string; ids: readonly string[] } | null = null;

  private async loadLive(version: string, baseIds: readonly string[]): Promise<LiveView> {
    const prev = this.live?.view.version === version ? this.live.view : null;
    for (let attempt = 0; ; attempt++) {
      const head = await readLiveHead(this.store, version);
      try {
        return await loadLiveView(this.store, version, baseIds, head, prev);
      } catch (e) {
        // The writer replaced a chunk between our head and chunk reads: read the newer head once more.
        if (!(e instanceof LiveChunkMissingError) || attempt >= 2) throw e;
      }
    }
  }

  /** Item metadata by raw id (null for unknown ids), served from the per-version cache when possible. */
  async items(cat: PublishedCatalog, ids: readonly string[]): Promise<(ItemMeta | null)[]> {
    if (cat.live.metaRev.size === 0) return this.publishedItems(cat, ids);
    const out = new Array<ItemMeta | null>(ids.length);
    const pub: number[] = [];
    const liveWant: string[] = [];
    ids.forEach((id, i) => {
      const rev = cat.live.metaRev.get(id);
      if (rev === undefined) return pub.push(i);
      const hit = this.liveMeta.get(id);
      if (hit && hit.rev >= rev) out[i] = hit.meta;
      else liveWant.push(id);
    });
    if (liveWant.length) {
      const wanted = [...new Set(liveWant)];
      const got = await mgetTyped(this.store, LiveItem, wanted.map((id) => keys.liveItem(cat.version, id)));
      wanted.forEach((id, j) => {
        const it = got[j];
        this.liveMeta.set(id, { rev: it?.rev ?? 0, meta: it ? liveItemMeta(it) : null });
      });
      ids.forEach((id, i) => {
        if (out[i] === undefined && cat.live.metaRev.has(id)) out[i] = this.liveMeta.get(id)?.meta ?? null;
      });
    }
    if (pub.length) {
      const metas = await this.publishedItems(cat, pub.map((i) => ids[i]!));
      pub.forEach((i, j) => (out[i] = metas[j]!));
    }
    return out;
  }

  private async publishedItems(cat: PublishedCatalog, ids: readonly string[]): Promise<(ItemMeta | null)[]> {
    const fresh = this.itemCacheVersion === cat.version;
    if (fresh) {
      // Warm path: one pass, no allocation beyond the result.
      const out = new Array<ItemMeta | null>(ids.length);
      let i = 0;
      for (; i < ids.length; i++) {
        const m = this.itemCache.get(ids[i]!);
        if (m === undefined) break;
        out[i] = m;
      }
      if (i === ids.length) return out;
    }
    const missing = fresh ? [...new Set(ids.filter((id) => !this.itemCache.has(id)))] : [...new Set(ids)];
    if (missing.length) {
      const got = await mgetTyped(this.store, ItemMeta, missing.map((id) => keys.item(cat.version, id)));
      if (this.itemCacheVersion !== cat.version) {
        this.itemCache = new Map();
        this.itemCacheVersion = cat.version;
      }
      got.forEach((m) => {
        if (m && this.itemCache.size < MAX_CACHED_ITEMS) this.itemCache.set(m.id, m);
      });
      if (!fresh) {
        const byId = new Map(got.filter((m): m is ItemMeta => m !== null).map((m) => [m.id, m]));
        return ids.map((id) => byId.get(id) ?? null);
      }
      const byId = new Map(got.map((m, i) => [missing[i]!, m]));
      return ids.map((id) => this.itemCache.get(id) ?? byId.get(id) ?? null);
    }
    return ids.map((id) => this.itemCache.get(id) ?? null);
  }

  /** Evidence entries by raw id; immutable within a version (live ones per item revision), so cached likewise. */
  async evidence(cat: PublishedCatalog, ids: readonly string[]): Promise<(ItemEvidence | null)[]> {
    if (this.evidenceVersion !== cat.version) {
      this.evidenceCache = new Map();
      this.evidenceVersion = cat.version;
    }
    const liveIds = [...new Set(ids.filter((id) => cat.live.metaRev.has(id) && (this.liveEvidence.get(id)?.rev ?? -1) < cat.live.metaRev.get(id)!))];
    if (liveIds.length) {
      const got = await mgetTyped(this.store, ItemEvidence, liveIds.map((id) => keys.liveEvidence(cat.version, id)));
      liveIds.forEach((id, i) => this.liveEvidence.set(id, { rev: cat.live.metaRev.get(id)!, ev: got[i] ?? null }));
    }
    const missing = [...new Set(ids.filter((id) => !cat.live.metaRev.has(id) && !this.evidenceCache.has(id)))];
    if (missing.length) {
      const got = await mgetTyped(this.store, ItemEvidence, missing.map((id) => keys.evidence(cat.version, id)));
      if (this.evidenceCache.size + missing.length > MAX_CACHED_ITEMS) this.evidenceCache.clear();
      missing.forEach((id, i) => this.evidenceCache.set(id, got[i] ?? null));
    }
    return ids.map((id) => (cat.live.metaRev.has(id) ? (this.liveEvidence.get(id)?.ev ?? null) : (this.evidenceCache.get(id) ?? null)));
  }

  async popular(cat: PublishedCatalog, name = 'all'): Promise<PopularList | null> {
    const now = this.clock();
    const hit = this.popularCache.get(name);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = await getTyped(this.store, PopularList, keys.popular(cat.version, name));
    this.popularCache.set(name, { at: now, value });
    return value;
  }

  /**
   * A user's recent history, newest first (at most `max` entries). Entries are immutable strings, so each
   * distinct string is parsed (JSON + zod) once and memoised: a warm request only pays for new events.
   */
  async history(userId: string, max = HISTORY_MAX_LEN): Promise<HistoryEntry[]> {
    const key = keys.history(userId);
    const raws = await this.store.listRange(key, 0, max - 1);
    return raws.map((raw) => {
      let e = this.historyMemo.get(raw);
      if (!e) {
        e = parseValue(HistoryEntry, key, raw);
        if (this.historyMemo.size >= MAX_MEMO_ENTRIES) this.historyMemo.clear();
        this.historyMemo.set(raw, e);
      }
      return e;
    });
  }

  /** Forget memoised history entries (after an erasure: nothing of the user stays in this isolate). */
  forgetHistoryMemo(): void {
    this.historyMemo.clear();
  }
}

export { emptyView };
