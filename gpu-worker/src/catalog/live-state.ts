// The worker's view of the live catalog (issue 11): the published version's item latents (the serving bundle)
// with the full-precision latents of items created or changed through the item API laid over them and hidden
// items excluded, kept in sync with KV (head polled every pollMs, and on demand when a request names an index
// this worker has not seen yet, i.e. an item another worker added). Scoring reads `scoring()`; the item writer
// applies its own writes at once through `applyLocal`.
import { emptyView, LiveChunkMissingError, loadLiveView, readLiveHead, type LiveView } from '@llmrec/shared/catalog/live.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { base64ToFloat32 } from '@llmrec/shared/base64.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { getTyped, mgetTyped } from '@llmrec/shared/kv/typed.ts';
import { ItemIndex, LiveItem, PublishedPointer } from '@llmrec/shared/kv/values.ts';
import type { LatentModel } from '../model.ts';

export interface ScoringView {
  /** Row-major [items, dim]: published latents, live latents over them. */
  latents: Float32Array;
  items: number;
  /** Hidden items and live items without a latent yet: never returned. */
  excluded: ReadonlySet<number>;
  /** Items whose latent was written through the item API (content-tower latents, no CF signal: cold-scored). Never
   * mutated: a change replaces the set (the worker caches what it derives from it by identity). */
  contentOnly: ReadonlySet<number>;
}

export class WorkerCatalog {
  version: string | null = null;
  dataset = '';
  view: LiveView | null = null;
  private baseIds: readonly string[] = [];
  private idOf = new Map<string, number>();
  private latents: Float32Array;
  private count: number;
  private excluded = new Set<number>();
  private contentOnly = new Set<number>();
  /** Live idx without a latent yet (carried over from an earlier version, not embedded again). */
  private missing = new Set<number>();
  private applied = new Map<string, number>();
  private syncing: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Why live items cannot be served (the worker's model does not match the published catalog), or null. */
  mismatch: string | null = null;
  /** Called after a sync that found items waiting to be embedded (carried over by publish): the writer embeds them. */
  onPending?: () => Promise<unknown>;
  private pendingBusy = false;

  private triggerPending(): void {
    if (!this.onPending || this.pendingBusy || this.mismatch || !this.view?.head?.pending.length) return;
    this.pendingBusy = true;
    this.onPending()
      .catch((e) => this.opts.say?.(`catalog: embedding carried-over items failed: ${(e as Error).message}`))
      .finally(() => (this.pendingBusy = false));
  }

  constructor(
    readonly store: KvStore,
    readonly model: LatentModel,
    private readonly opts: { pollMs?: number; say?: (m: string) => void } = {},
  ) {
    this.latents = model.itemLatents;
    this.count = model.items;
  }

  start(): this {
    if (this.timer) return this;
    this.timer = setInterval(() => void this.sync().catch((e) => this.opts.say?.(`catalog sync failed: ${(e as Error).message}`)), this.opts.pollMs ?? 1000);
    (this.timer as { unref?: () => void }).unref?.();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get items(): number {
    return this.count;
  }

  /** Dense index of a raw id in the current view (published or live), or undefined. */
  indexOf(id: string): number | undefined {
    return this.view?.liveIdx.get(id) ?? this.idOf.get(id);
  }

  scoring(): ScoringView {
    return { latents: this.latents, items: this.count, excluded: this.excluded, contentOnly: this.contentOnly };
  }

  /** Syncs when a request names an index beyond what this worker knows (an item another worker added). */
  async ensure(maxIdx: number): Promise<void> {
    if (maxIdx >= this.count) await this.sync();
  }

  /** Brings the view to the published pointer and the live head in KV (one sync at a time). */
  sync(): Promise<void> {
    this.syncing ??= this.doSync().finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const ptr = await getTyped(this.store, PublishedPointer, keys.published());
    if (!ptr) return;
    if (ptr.version !== this.version) {
      const index = await getTyped(this.store, ItemIndex, keys.itemIndex(ptr.version));
      this.reset(ptr.version, ptr.dataset, index?.ids ?? []);
    }
    for (let attempt = 0; ; attempt++) {
      const head = await readLiveHead(this.store, ptr.version);
      if (head && head.rev === this.view?.rev) return this.triggerPending();
      try {
        const view = await loadLiveView(this.store, ptr.version, this.baseIds, head, this.view);
        await this.adopt(view);
        this.triggerPending();
        return;
      } catch (e) {
        if (!(e instanceof LiveChunkMissingError) || attempt >= 2) throw e;
      }
    }
  }

  private reset(version: string, dataset: string, ids: readonly string[]): void {
    this.version = version;
    this.dataset = dataset;
    this.baseIds = ids;
    this.idOf = new Map(ids.map((id, i) => [id, i]));
    this.view = emptyView(version, ids);
    this.latents = this.model.itemLatents;
    this.count = this.model.items;
    this.excluded = new Set();
    this.contentOnly = new Set();
    this.missing = new Set();
    this.applied = new Map();
    this.mismatch = ids.length === this.model.items ? null : `the worker's model has ${this.model.items} items, the published catalog ${version} has ${ids.length}: serve the bundle that was published`;
    if (this.mismatch) this.opts.say?.(`catalog: ${this.mismatch}`);
  }

  /** Loads the latents of items whose live metadata changed since the last view, then swaps the view in. */
  private async adopt(view: LiveView): Promise<void> {
    const changed = [...view.metaRev].filter(([id, rev]) => (this.applied.get(id) ?? 0) < rev).map(([id]) => id);
    const records = new Map<string, LiveItem>();
    for (let i = 0; i < changed.length; i += 256) {
      const part = changed.slice(i, i + 256);
      const got = await mgetTyped(this.store, LiveItem, part.map((id) => keys.liveItem(view.version, id)));
      got.forEach((r, j) => r && records.set(part[j]!, r));
    }
    this.applyView(view, [...records.values()].map((r) => ({ idx: r.idx, id: r.id, rev: r.rev, z: r.z ? base64ToFloat32(r.z) : null })));
  }

  /** After a local write: the records this worker just wrote, and the view of the head it wrote. */
  applyLocal(view: LiveView, written: readonly { idx: number; id: string; rev: number; z: Float32Array | null }[]): void {
    this.applyView(view, written);
  }

  private applyView(view: LiveView, updates: readonly { idx: number; id: string; rev: number; z: Float32Array | null }[]): void {
    const dim = this.model.dim;
    if (this.mismatch) {
      this.view = view;
      return;
    }
    if (view.items * dim > this.latents.length || this.latents === this.model.itemLatents) {
      // Grow geometrically (copy-on-write of the model's table on the first live write).
      const cap = Math.max(view.items, this.latents === this.model.itemLatents ? view.items : Math.ceil(this.count * 1.5), 16);
      const next = new Float32Array(cap * dim);
      next.set(this.latents.subarray(0, Math.min(this.latents.length, this.count * dim)));
      this.latents = next;
    }
    const contentOnly = new Set(this.contentOnly);
    for (const u of updates) {
      if (u.z) {
        contentOnly.add(u.idx);
        if (u.z.length !== dim) throw new Error(`live latent of ${u.id} has ${u.z.length} dims, the model ${dim}`);
        this.latents.set(u.z, u.idx * dim);
        this.missing.delete(u.idx);
      } else if (u.idx >= view.baseItems) {
        this.missing.add(u.idx);
      }
      this.applied.set(u.id, u.rev);
    }
    const embedded = new Set(updates.filter((u) => u.z).map((u) => u.idx));
    for (let i = this.count; i < view.items; i++) if (!embedded.has(i)) this.missing.add(i);
    this.count = view.items;
    this.excluded = new Set([...view.unavailable, ...this.missing]);
    this.contentOnly = contentOnly;
    this.view = view;
  }
}
