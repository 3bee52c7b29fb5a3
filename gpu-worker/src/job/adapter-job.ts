// The background adapter job (learning path: events -> adapter job -> new adapter version in KV -> workers).
// Consumes the durable EventLog through its consumer group (at-least-once), updates the window statistics
// idempotently by event id, runs one OnlineLearner window update per window (event-time windows, default
// 1 h; also closed by event count or wall-clock interval for low-latency setups), publishes guardrailed
// versions (versioned keys, pointer flipped last), checkpoints, and only then acks the window's events.
// Crash anywhere: the unacked events are redelivered and the checkpoint's seen ids make re-counting a no-op.
// Every `trimEvery` windows it trims the events its group acked, so the log does not grow without bound.
// A base whose z_u comes from an asynchronous encoder (bundle-base.ts: the served ONNX user encoder) is asked
// to prepare the window's histories right before each update, since the update itself is synchronous.
// Adapters are tied to their base (BaseModel.id, e.g. the serving bundle's version): versions are published
// tagged with it, a checkpoint or a rolled-back version of another base is never trained on (checkpoint.ts
// resumeLearner: fresh adapters, event bookkeeping kept), and a new base's first version has no parent.
import { adapterKeys, layoutShapes, publishAdapter, readAdapter, readPointer } from '@llmrec/shared/adapter/adapter-store.ts';
import { checkpointLearner, LearnerCheckpoint, resumeLearner } from '@llmrec/shared/adapter/checkpoint.ts';
import type { BaseModel } from '@llmrec/shared/adapter/dynamic-model.ts';
import { defaultLearnerConfig, OnlineLearner, type LearnerConfig, type WindowReport } from '@llmrec/shared/adapter/online-learner.ts';
import { base64ToFloat32, float32ToBase64 } from '@llmrec/shared/base64.ts';
import { encodeStats } from '@llmrec/shared/adapter/snapshot.ts';
import { getChunked, putChunked, type ChunkOptions } from '@llmrec/shared/kv/chunked.ts';
import type { EventLog, KvStore, LoggedEvent } from '@llmrec/shared/kv/store.ts';
import { erasedDigests, erasedEventDigests } from '@llmrec/shared/catalog/erase-user.ts';
import { eventDigest, userDigest } from '@llmrec/shared/catalog/item-content.ts';
import { z } from 'zod';

export interface JobConfig {
  group: string;
  consumer: string;
  /** Event-time window length (ms). */
  windowMs: number;
  /** Close the window early once this many new events wait (0 = off). */
  maxEvents: number;
  /** Close the window early when this much wall time passed since the last update with events waiting (0 = off). */
  intervalMs: number;
  /** Events read per poll. */
  batch: number;
  /**
   * Trim the event log after every this many committed windows (0 = never), removing the events this job's
   * group has acked. Assumes this group is the only consumer of the log, as in the shipped deployment (the
   * job is the only reader; the bench uses its own stores). If another group reads the same log (a second
   * `llmrec job --group ...` on the same store), set 0 here and trim with every group instead: a trim
   * with one group removes events the other has not read yet.
   */
  trimEvery: number;
  /**
   * Other consumer groups of the same log whose unread events trimming must keep, e.g. `llmrec-export` (the
   * export's journal reads through it). A named group that never read keeps everything until it reads.
   */
  trimAlso?: readonly string[];
  learner: LearnerConfig;
  /**
   * Events stamped more than this far (ms) ahead of the job's clock are skipped (acked with their window,
   * never counted): event time moves the windows and the statistics' clock, so one far-future event would
   * otherwise stop every later window from closing and switch the gates off. The edge refuses them already
   * (EdgeConfig.eventTime, 5 min); this is the job's own defence against any other writer of the log.
   */
  maxFutureMs: number;
  /** Part size and request budget of the large KV values (checkpoint, adapter record, stats); kv/chunked.ts defaults. */
  chunks?: ChunkOptions;
}

export const defaultJobConfig: JobConfig = {
  group: 'adapter-job', consumer: 'job-1', windowMs: 3600_000, maxEvents: 0, intervalMs: 0, batch: 500, trimEvery: 10, learner: defaultLearnerConfig,
  maxFutureMs: 15 * 60_000,
};

/** Test hooks to simulate a crash at each step of closing a window. */
export interface JobHooks {
  afterLearn?: () => void;
  afterPublish?: () => void;
  afterCheckpoint?: () => void;
}

export interface JobDeps {
  store: KvStore;
  log: EventLog;
  base: JobBase;
  /** Raw item id -> dense index of the base model (events for unknown items are acked and skipped). */
  itemIndex: (id: string) => number | undefined;
  now?: () => number;
  say?: (msg: string) => void;
  hooks?: JobHooks;
}

/**
 * The frozen base. With `prepare`, z_u is only available for histories prepared beforehand: the job awaits
 * prepare(learner.windowHistories()) before every window update (nothing scores between updates).
 */
export type JobBase = BaseModel & { prepare?: (histories: readonly (readonly number[])[]) => Promise<unknown> };

const JobCheckpoint = z.object({ v: z.literal(1), window: z.number().int().nullable(), learner: LearnerCheckpoint });

export interface TickReport {
  read: number;
  observed: number;
  windows: (WindowReport & { publishedVersion: number | null })[];
}

export class AdapterJob {
  private readonly pendingSeqs: string[] = [];
  private readonly pendingSet = new Set<string>();
  private window: number | null;
  private lastUpdate: number;
  private lastEventTs = 0;
  private windowsSinceTrim = 0;
  /** Pointer version adoptNewerVersion() declined (reported once). */
  private declined: number | null = null;
  private readonly now: () => number;

  /**
   * `parent`: the published version the learner's serving weights descend from (null: fresh adapters, e.g.
   * after a base change, so a new base's first version never names another base's version as its parent).
   */
  private constructor(readonly deps: JobDeps, readonly cfg: JobConfig, readonly learner: OnlineLearner, window: number | null, private parent: number | null) {
    this.window = window;
    this.now = deps.now ?? Date.now;
    this.lastUpdate = this.now();
  }

  /** Opens the job, resuming from the group's checkpoint when there is one. */
  static async open(deps: JobDeps, cfg: JobConfig = defaultJobConfig): Promise<AdapterJob> {
    const raw = await getChunked(deps.store, adapterKeys.checkpoint(cfg.group));
    if (raw !== null) {
      const ck = JobCheckpoint.parse(JSON.parse(raw));
      const r = resumeLearner(deps.base, cfg.learner, ck.learner);
      deps.say?.(r.note);
      // Versions only go up: the fresh learner's next version is above both its checkpoint and the pointer.
      const ptr = await readPointer(deps.store);
      if (!r.restored && ptr && ptr.version > r.learner.version) r.learner.version = ptr.version;
      let window = ck.window;
      const now = (deps.now ?? Date.now)();
      if (window !== null && window * cfg.windowMs > now + cfg.maxFutureMs) {
        deps.say?.(`checkpoint window ${window} (${new Date(window * cfg.windowMs).toISOString()}) is in the future; starting windows from the next event`);
        window = null;
      }
      return new AdapterJob(deps, cfg, r.learner, window, r.restored && r.learner.version > 0 ? r.learner.version : null);
    }
    const learner = new OnlineLearner(deps.base, cfg.learner, 0);
    const ptr = await readPointer(deps.store);
    if (ptr) learner.version = ptr.version;
    return new AdapterJob(deps, cfg, learner, null, ptr && ptr.version > 0 ? ptr.version : null);
  }

  /** Events counted in the statistics so far (each exactly once). */
  get counted(): number {
    return this.learner.stats.applied;
  }

  /** One poll: read, observe, and close windows whose trigger fired. */
  async tick(): Promise<TickReport> {
    const evs: LoggedEvent[] = await this.deps.log.read(this.cfg.group, this.cfg.consumer, this.pendingSeqs.length + this.cfg.batch);
    const rep: TickReport = { read: evs.length, observed: 0, windows: [] };
    const latest = this.now() + this.cfg.maxFutureMs;
    const skipped: string[] = [];
    for (const e of evs) {
      const seq = e.seq ?? e.eventId;
      if (this.pendingSet.has(seq)) continue; // our own unacked events come back on every read
      if (!(e.ts <= latest)) {
        // Acked with the current window, never counted, never allowed to move the window.
        this.pendingSeqs.push(seq);
        this.pendingSet.add(seq);
        skipped.push(e.eventId);
        continue;
      }
      const w = Math.floor(e.ts / this.cfg.windowMs);
      if (this.window === null) this.window = w;
      if (w > this.window) {
        if (this.pendingSeqs.length > 0) rep.windows.push(await this.closeWindow(((this.window + 1) * this.cfg.windowMs) / 1000));
        this.window = w;
      }
      this.pendingSeqs.push(seq);
      this.pendingSet.add(seq);
      const item = this.deps.itemIndex(e.itemId);
      if (item === undefined) continue;
      if (this.learner.observe({ eventId: e.eventId, user: e.userId, item, ts: e.ts / 1000 })) rep.observed++;
      this.lastEventTs = Math.max(this.lastEventTs, e.ts);
    }
    if (skipped.length) this.deps.say?.(`skipped ${skipped.length} event${skipped.length > 1 ? 's' : ''} more than ${this.cfg.maxFutureMs / 1000} s ahead of the job clock (${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', ...' : ''})`);
    const byCount = this.cfg.maxEvents > 0 && this.learner.pendingCount >= this.cfg.maxEvents;
    const byTime = this.cfg.intervalMs > 0 && this.now() - this.lastUpdate >= this.cfg.intervalMs;
    if ((byCount || byTime) && this.pendingSeqs.length > 0) rep.windows.push(await this.closeWindow(this.lastEventTs / 1000));
    return rep;
  }

  /** Runs until the signal aborts, polling every pollMs when idle. */
  async run(signal: AbortSignal, pollMs = 200): Promise<void> {
    while (!signal.aborted) {
      const r = await this.tick();
      for (const w of r.windows) this.deps.say?.(`window: ${w.events} events, ${w.steps} steps, loss ${w.loss.toFixed(4)}, ${w.published ? `published v${w.publishedVersion}` : 'guardrail kept the serving version'}`);
      if (r.read === 0 || r.observed === 0) await new Promise((res) => setTimeout(res, pollMs));
    }
  }

  /** Digest per user id seen by this job (erasure checks hash each user once). */
  private readonly digests = new Map<string, string>();

  /**
   * Erasure (DELETE /v1/users/{id}): drops every user on the erased-users list from the learner, so neither a
   * published statistics snapshot nor a checkpoint carries them again. Returns how many users were dropped.
   */
  private erasedEvents = 0;

  private async dropErased(): Promise<number> {
    // Event ids of erased users (the log forgot them; they may name the user): out of the seen ids too.
    const events = await erasedEventDigests(this.deps.store);
    let forgottenIds = 0;
    if (events.size !== this.erasedEvents) {
      this.erasedEvents = events.size;
      for (const id of [...this.learner.stats.seen.keys()]) if (events.has(await eventDigest(id))) forgottenIds += Number(this.learner.stats.seen.delete(id));
    }
    const erased = await erasedDigests(this.deps.store);
    if (erased.size === 0) return forgottenIds;
    const gone = new Set<string>();
    for (const u of [...this.learner.histories.keys(), ...this.learner.stats.users.keys()]) {
      let d = this.digests.get(u);
      if (d === undefined) this.digests.set(u, (d = await userDigest(u)));
      if (erased.has(d)) gone.add(u);
    }
    return forgottenIds + (gone.size ? this.learner.forgetUsers((u) => gone.has(u)) : 0);
  }

  private async closeWindow(end: number): Promise<TickReport['windows'][number]> {
    const { store, hooks } = this.deps;
    await this.dropErased();
    await this.adoptNewerVersion();
    const own = this.learner.version;
    await this.deps.base.prepare?.(this.learner.windowHistories());
    const rep = this.learner.learnWindow(end);
    hooks?.afterLearn?.();
    let publishedVersion: number | null = null;
    if (rep.published) {
      const ptr = await readPointer(store);
      publishedVersion = Math.max(own, ptr?.version ?? 0) + 1;
      this.learner.version = publishedVersion;
      const parent = this.parent;
      this.parent = publishedVersion;
      await publishAdapter(store, {
        version: publishedVersion, weightsB64: float32ToBase64(this.learner.serving), shapes: layoutShapes(this.learner.layout),
        stats: encodeStats(this.learner.stats, false), trainedOnEvents: this.learner.stats.applied,
        metrics: { loss: rep.loss, steps: rep.steps, events: rep.events, ...(rep.guard ? { guardCandidate: rep.guard.candidate, guardServing: rep.guard.serving } : {}) },
        parent, ...(this.deps.base.id !== undefined ? { base: this.deps.base.id } : {}),
      }, undefined, this.cfg.chunks);
      hooks?.afterPublish?.();
    }
    await this.dropErased();
    const ck = { v: 1 as const, window: this.window, learner: checkpointLearner(this.learner) };
    await putChunked(store, adapterKeys.checkpoint(this.cfg.group), JSON.stringify(ck), this.cfg.chunks);
    // An erasure that listed a user between our check and the write must not be undone by it: check again.
    if ((await this.dropErased()) > 0) {
      await putChunked(store, adapterKeys.checkpoint(this.cfg.group), JSON.stringify({ v: 1 as const, window: this.window, learner: checkpointLearner(this.learner) }), this.cfg.chunks);
      if (publishedVersion !== null) await putChunked(store, adapterKeys.stats(publishedVersion), JSON.stringify(encodeStats(this.learner.stats, false)), this.cfg.chunks);
    }
    hooks?.afterCheckpoint?.();
    await this.deps.log.ack(this.cfg.group, this.pendingSeqs);
    this.pendingSeqs.length = 0;
    this.pendingSet.clear();
    this.lastUpdate = this.now();
    await this.maybeTrim();
    return { ...rep, publishedVersion };
  }

  /** Trimming is housekeeping: a failure is reported and retried trimEvery windows later, never fails the window. */
  private async maybeTrim(): Promise<void> {
    if (this.cfg.trimEvery <= 0 || ++this.windowsSinceTrim < this.cfg.trimEvery) return;
    this.windowsSinceTrim = 0;
    try {
      const removed = await this.deps.log.trim([this.cfg.group, ...(this.cfg.trimAlso ?? [])]);
      if (removed > 0) this.deps.say?.(`trimmed ${removed} acked events from the event log`);
    } catch (e) {
      this.deps.say?.(`event log trim failed (events kept, retried in ${this.cfg.trimEvery} windows): ${(e as Error)?.message ?? String(e)}`);
    }
  }

  /**
   * A version published by someone else (a rollback) becomes the starting point of further training, if it
   * was trained for this job's base (or is untagged, older data) and fits its layout; otherwise the job keeps
   * its own weights, says why once, and its next version goes above the pointer all the same.
   */
  private async adoptNewerVersion(): Promise<void> {
    const ptr = await readPointer(this.deps.store);
    if (!ptr || ptr.version <= this.learner.version || ptr.version === this.declined) return;
    const got = await readAdapter(this.deps.store, ptr.version);
    if (!got?.record.weights) return;
    const w = base64ToFloat32(got.record.weights);
    const base = this.deps.base.id;
    const why = got.record.base !== undefined && got.record.base !== base
      ? `it was trained for base ${got.record.base}, the job runs on ${base ?? '(a base without id)'}`
      : w.length !== this.learner.layout.size ? `it has ${w.length} parameters, the job uses ${this.learner.layout.size}` : null;
    if (why !== null) {
      this.declined = ptr.version;
      this.deps.say?.(`not adopting adapter v${ptr.version}: ${why}; training continues from the job's own weights`);
      return;
    }
    this.learner.trainer.params.set(w);
    this.learner.trainer.ema.set(w);
    this.learner.serving = w.slice();
    this.learner.version = ptr.version;
    this.parent = ptr.version;
    this.learner.scorer = this.learner.makeScorer(this.learner.serving);
    this.deps.say?.(`adopted adapter v${ptr.version} (rollback)`);
  }
}
