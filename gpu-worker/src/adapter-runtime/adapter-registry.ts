// Worker-side view of the online adapter (serving path: worker scores with u_t . z_i,t, Eq. 1): polls the
// adapter pointer in KV and, when a newer version appears, loads its record + statistics (zod-parsed), builds
// a DynamicScorer and swaps it in at once — no restart, never a half-loaded adapter (a version whose keys are
// incomplete or malformed is skipped and the current one kept). Without any version it scores statically.
// An adapter only fits the base it was trained around: a version tagged with another base id (BaseModel.id, the
// serving bundle's version) or of another dim is refused once, with the reason, and not retried every poll.
import { readAdapter, readPointer } from '@llmrec/shared/adapter/adapter-store.ts';
import { dynamicLayout, DynamicScorer, type BaseModel } from '@llmrec/shared/adapter/dynamic-model.ts';
import { base64ToFloat32 } from '@llmrec/shared/base64.ts';
import { decodeStats } from '@llmrec/shared/adapter/snapshot.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';

export interface RegistryOptions {
  /** Poll interval (ms) for start(). */
  pollMs: number;
  say?: (msg: string) => void;
}

export interface ServingAdapter {
  version: number;
  scorer: DynamicScorer;
  loadedAt: number;
}

export class AdapterRegistry {
  private cur: ServingAdapter | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private inflight: Promise<boolean> | null = null;
  /** Pointer version refused as incompatible with this base (its record never changes, so it is not re-read). */
  private refused: number | null = null;
  lastError: string | null = null;

  constructor(readonly store: KvStore, readonly base: BaseModel, readonly opts: RegistryOptions = { pollMs: 1000 }) {}

  get current(): ServingAdapter | null {
    return this.cur;
  }

  get version(): number | null {
    return this.cur?.version ?? null;
  }

  /** Loads the pointer's version when it differs from the serving one; returns whether it swapped. */
  refresh(): Promise<boolean> {
    this.inflight ??= this.load().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async load(): Promise<boolean> {
    try {
      const ptr = await readPointer(this.store);
      if (!ptr || ptr.version === this.cur?.version || ptr.version === this.refused) return false;
      const got = await readAdapter(this.store, ptr.version);
      if (!got || !got.record.weights) throw new Error(`adapter v${ptr.version}: record or statistics missing`);
      const dims = got.record.shapes.adapter;
      const trained = got.record.base;
      const why = trained !== undefined && trained !== this.base.id
        ? `trained for base ${trained}, this worker serves ${this.base.id ?? '(a base without id)'}`
        : !dims || dims[0] !== this.base.dim ? `dim ${dims?.[0]} does not match the base model's ${this.base.dim}` : null;
      if (why !== null) {
        this.refused = ptr.version;
        this.lastError = `adapter v${ptr.version}: ${why}`;
        this.opts.say?.(`${this.lastError}; not served, keeping ${this.cur ? `v${this.cur.version}` : 'static scoring'}`);
        return false;
      }
      const layout = dynamicLayout({ dim: dims![0]!, hidden: dims![3]! });
      const params = base64ToFloat32(got.record.weights);
      if (params.length !== layout.size) throw new Error(`adapter v${ptr.version}: ${params.length} parameters, layout needs ${layout.size}`);
      const stats = decodeStats(got.stats);
      const at = Number.isFinite(stats.now) ? stats.now : 0;
      this.cur = { version: ptr.version, scorer: new DynamicScorer(this.base, params, layout, stats, at), loadedAt: Date.now() };
      this.lastError = null;
      this.opts.say?.(`adapter v${ptr.version} loaded (${this.cur.scorer.active.length} active items)`);
      return true;
    } catch (err) {
      this.lastError = (err as Error).message;
      this.opts.say?.(`adapter refresh failed, keeping v${this.cur?.version ?? 'none'}: ${this.lastError}`);
      return false;
    }
  }

  /** Scores all items for a user: dynamic with the serving adapter, static (base only) without one. */
  score(user: string, history: readonly number[], tSeconds: number, out: Float32Array): number | null {
    if (!this.cur) {
      staticScores(this.base, history, out);
      return null;
    }
    this.cur.scorer.score(user, history, tSeconds, out, 'dynamic');
    return this.cur.version;
  }

  /** As score(), with the base user latent from the worker's own user encoder (e.g. SASRec over ONNX). */
  scoreLatent(user: string, uBase: Float32Array, history: readonly number[], tSeconds: number, out: Float32Array): number | null {
    if (!this.cur) {
      const Z = this.base.itemLatents;
      const D = this.base.dim;
      for (let i = 0, off = 0; i < this.base.nItems; i++, off += D) {
        let acc = 0;
        for (let d = 0; d < D; d++) acc += uBase[d]! * Z[off + d]!;
        out[i] = acc;
      }
      return null;
    }
    this.cur.scorer.scoreLatent(user, uBase, history, tSeconds, out, 'dynamic');
    return this.cur.version;
  }

  start(): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.pollMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** The frozen-base path: u . z_i for every item. */
export function staticScores(base: BaseModel, history: readonly number[], out: Float32Array): void {
  const u = new Float32Array(base.dim);
  base.userLatent(history, u);
  const Z = base.itemLatents;
  const D = base.dim;
  for (let i = 0, off = 0; i < base.nItems; i++, off += D) {
    let acc = 0;
    for (let d = 0; d < D; d++) acc += u[d]! * Z[off + d]!;
    out[i] = acc;
  }
}
