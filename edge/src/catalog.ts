// Read side of the published catalog in KV (request path, step 2): the published-version pointer, the dense
// index -> id table, item metadata, evidence, popular lists and user histories. The pointer and index are
// cached per process/isolate for `ttlMs`, item metadata per published version (it never changes within a
// version), so a warm recommend costs one KV round trip for the history and none for titles.
import { HISTORY_MAX_LEN, keys } from '@llmrec/shared/kv/keys.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { getTyped, mgetTyped, parseValue } from '@llmrec/shared/kv/typed.ts';
import { HistoryEntry, ItemEvidence, ItemIndex, ItemMeta, PopularList, PublishedPointer } from '@llmrec/shared/kv/values.ts';

export interface PublishedCatalog {
  version: string;
  dataset: string;
  /** Dense index -> raw id. */
  ids: readonly string[];
}

const MAX_CACHED_ITEMS = 100_000;
const MAX_MEMO_ENTRIES = 200_000;

export class Catalog {
  private current: { at: number; value: PublishedCatalog | null } | null = null;
  private loading: Promise<PublishedCatalog | null> | null = null;
  private itemCache = new Map<string, ItemMeta>();
  private itemCacheVersion = '';
  private popularCache = new Map<string, { at: number; value: PopularList | null }>();
  private historyMemo = new Map<string, HistoryEntry>();
  private evidenceCache = new Map<string, ItemEvidence | null>();
  private evidenceVersion = '';

  constructor(
    private readonly store: KvStore,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The live published version, or null when nothing has been published yet. */
  async published(): Promise<PublishedCatalog | null> {
    const now = this.clock();
    if (this.current && now - this.current.at < this.ttlMs) return this.current.value;
    this.loading ??= this.load().finally(() => (this.loading = null));
    const value = await this.loading;
    this.current = { at: now, value };
    return value;
  }

  private async load(): Promise<PublishedCatalog | null> {
    const ptr = await getTyped(this.store, PublishedPointer, keys.published());
    if (!ptr) return null;
    if (this.current?.value?.version === ptr.version) return this.current.value;
    const index = await getTyped(this.store, ItemIndex, keys.itemIndex(ptr.version));
    if (this.itemCacheVersion !== ptr.version) {
      this.itemCache = new Map();
      this.itemCacheVersion = ptr.version;
      this.popularCache.clear();
    }
    return { version: ptr.version, dataset: ptr.dataset, ids: index?.ids ?? [] };
  }

  /** Item metadata by raw id (null for unknown ids), served from the per-version cache when possible. */
  async items(cat: PublishedCatalog, ids: readonly string[]): Promise<(ItemMeta | null)[]> {
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

  /** Evidence entries by raw id; immutable within a version, so cached per version like item metadata. */
  async evidence(cat: PublishedCatalog, ids: readonly string[]): Promise<(ItemEvidence | null)[]> {
    if (this.evidenceVersion !== cat.version) {
      this.evidenceCache = new Map();
      this.evidenceVersion = cat.version;
    }
    const missing = [...new Set(ids.filter((id) => !this.evidenceCache.has(id)))];
    if (missing.length) {
      const got = await mgetTyped(this.store, ItemEvidence, missing.map((id) => keys.evidence(cat.version, id)));
      if (this.evidenceCache.size + missing.length > MAX_CACHED_ITEMS) this.evidenceCache.clear();
      missing.forEach((id, i) => this.evidenceCache.set(id, got[i] ?? null));
    }
    return ids.map((id) => this.evidenceCache.get(id) ?? null);
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
}
