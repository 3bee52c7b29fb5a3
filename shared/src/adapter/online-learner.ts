// One window of online dynamic alignment, shared by the background job and the streaming evaluation so both
// run the same code: train the adapters on the window's interactions (features from the statistics serving
// used), guardrail the candidate (EMA weights) against the serving version on the newest held-out slice,
// fold the window into the statistics, and publish (a new DynamicScorer) only when the candidate is not worse.
import { fullRankOf, ndcgAt } from '../metrics/ranking.ts';
import { dynamicLayout, DynamicScorer, historyKey, initDynamic, type BaseModel, type DynamicLayout } from './dynamic-model.ts';
import { OnlineTrainer, defaultTrainConfig, type Example, type TrainConfig } from './online-trainer.ts';
import { defaultStatsConfig, WindowStats, type StatEvent, type StatsConfig } from './window-stats.ts';

export interface LearnerConfig {
  hidden: number;
  train: TrainConfig;
  stats: StatsConfig;
  /** Guardrail on: hold out the newest `holdoutFrac` of each window; compare on the newest `guardSlice` of them. */
  guardrail: boolean;
  holdoutFrac: number;
  guardSlice: number;
  /** Tolerance: the candidate passes when ndcg >= serving - tolerance. */
  tolerance: number;
  /** History length kept per user (and given to the base encoder). */
  maxHistory: number;
}

export const defaultLearnerConfig: LearnerConfig = {
  hidden: 256, train: defaultTrainConfig, stats: defaultStatsConfig, guardrail: true, holdoutFrac: 0.1, guardSlice: 64, tolerance: 0, maxHistory: 50,
};

export interface WindowReport {
  events: number;
  steps: number;
  loss: number;
  published: boolean;
  version: number;
  guard: { candidate: number; serving: number; n: number } | null;
}

export class OnlineLearner {
  readonly layout: DynamicLayout;
  stats: WindowStats;
  readonly trainer: OnlineTrainer;
  /** Per-user history (item indices, oldest first, capped) built from the consumed events. */
  readonly histories = new Map<string, number[]>();
  version = 0;
  /** Event time of the statistics snapshot serving uses. */
  at: number;
  serving: Float32Array;
  scorer: DynamicScorer;
  readonly held: Example[] = [];
  private readonly pending: StatEvent[] = [];
  private readonly pendingEx: Example[] = [];
  private readonly pendingIds = new Set<string>();

  constructor(readonly base: BaseModel, readonly cfg: LearnerConfig = defaultLearnerConfig, start = 0) {
    this.layout = dynamicLayout({ dim: base.dim, hidden: cfg.hidden });
    this.stats = new WindowStats(base.nItems, cfg.stats);
    const init = initDynamic(this.layout, cfg.train.seed);
    this.trainer = new OnlineTrainer(base, this.layout, init, cfg.train);
    this.serving = this.trainer.ema.slice();
    this.at = start;
    this.scorer = this.makeScorer(this.serving);
  }

  /** Time the statistics features are read at: the snapshot time, never before the newest counted event. */
  featureTime(): number {
    return Number.isFinite(this.stats.now) ? Math.max(this.at, this.stats.now) : this.at;
  }

  makeScorer(params: Float32Array): DynamicScorer {
    return new DynamicScorer(this.base, params, this.layout, this.stats, this.featureTime(), { noGate: this.cfg.train.noGate, coMin: 0 });
  }

  history(user: string): number[] {
    let h = this.histories.get(user);
    if (!h) this.histories.set(user, (h = []));
    return h;
  }

  /** Records an interaction in the user's history (used for pre-training history and by the job). */
  pushHistory(user: string, item: number): void {
    const h = this.history(user);
    h.push(item);
    if (h.length > this.cfg.maxHistory) h.shift();
  }

  /**
   * Consumes one event: the user's history is updated at once (the user's next recommendation reflects it),
   * and the interaction (with the history before it) waits for the next window update. Duplicates by event
   * id are ignored. Returns whether the event was new.
   */
  observe(e: StatEvent): boolean {
    if (this.stats.seen.has(e.eventId) || this.pendingIds.has(e.eventId)) return false;
    if (e.item < 0 || e.item >= this.base.nItems) return false;
    this.pendingIds.add(e.eventId);
    this.pending.push(e);
    this.pendingEx.push({ user: e.user, history: this.history(e.user).slice(), item: e.item });
    this.pushHistory(e.user, e.item);
    return true;
  }

  /**
   * Erasure (issue 11): removes every trace of the users `drop` selects — history, per-user statistics,
   * pending events and examples, held-out and replay examples — and returns how many users were dropped.
   * Aggregate statistics (item counts, co-interactions) keep their decayed contribution until it decays.
   */
  forgetUsers(drop: (user: string) => boolean): number {
    const users = new Set<string>();
    for (const u of [...this.histories.keys(), ...this.stats.users.keys()]) if (drop(u)) users.add(u);
    for (const ex of [...this.held, ...this.pendingEx, ...this.trainer.replayBuf]) if (drop(ex.user)) users.add(ex.user);
    for (const e of this.pending) if (drop(e.user)) users.add(e.user);
    if (users.size === 0) return 0;
    for (const u of users) {
      this.histories.delete(u);
      this.stats.users.delete(u);
    }
    const keep = <T extends { user: string }>(a: T[]) => a.splice(0, a.length, ...a.filter((x) => !users.has(x.user)));
    keep(this.held);
    keep(this.pendingEx);
    keep(this.trainer.replayBuf);
    for (const e of this.pending) if (users.has(e.user)) this.pendingIds.delete(e.eventId);
    keep(this.pending);
    return users.size;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Every history (distinct, in first-seen order) the next learnWindow() passes to base.userLatent: the
   * pending examples (trained on, or held out and scored by the guardrail), the held-out slice the guardrail
   * scores, and the replay buffer mixed into the training batches. Nothing else in a window update asks the
   * base for z_u (DynamicScorer's constructor and observe() do not), so a base that computes z_u ahead of the
   * synchronous call (an ONNX user encoder) can prepare exactly these.
   */
  windowHistories(): number[][] {
    const seen = new Set<string>();
    const out: number[][] = [];
    for (const list of [this.pendingEx, this.held, this.trainer.replayBuf]) {
      for (const ex of list) {
        const k = historyKey(ex.history);
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(ex.history);
      }
    }
    return out;
  }

  /** Learns the observed events of the window ending at `windowEnd` and maybe publishes a new version. */
  learnWindow(windowEnd: number): WindowReport {
    const fresh = this.pending.splice(0);
    const examples = this.pendingEx.splice(0);
    this.pendingIds.clear();
    const nHold = this.cfg.guardrail ? Math.floor(examples.length * this.cfg.holdoutFrac) : 0;
    const trainEx = examples.slice(0, examples.length - nHold);
    const holdEx = examples.slice(examples.length - nHold);
    const r = trainEx.length > 0 ? this.trainer.trainWindow(trainEx, this.stats, this.featureTime()) : { steps: 0, loss: 0 };
    this.held.push(...holdEx);
    // The guardrail judges on the newest `guardSlice` held-out examples; older ones leave the slice here.
    const keep = this.cfg.guardrail ? this.cfg.guardSlice : 0;
    const retired = this.held.length > keep ? this.held.splice(0, this.held.length - keep) : [];
    let guard: WindowReport['guard'] = null;
    let pass = r.steps > 0;
    if (pass && this.cfg.guardrail && this.held.length > 0) {
      const cand = this.trainer.ema.slice();
      const c = sliceNdcg(this.makeScorer(cand), this.held, this.featureTime());
      const s = sliceNdcg(this.scorer, this.held, this.featureTime());
      guard = { candidate: c, serving: s, n: this.held.length };
      pass = c >= s - this.cfg.tolerance;
    }
    // Held-out interactions are learned later: once out of the guardrail's slice they enter the replay buffer
    // (mixed into the next windows' batches), so no interaction is lost and none is judged on after training.
    for (const ex of retired) this.trainer.remember(ex);
    for (const e of fresh) this.stats.apply(e);
    this.at = windowEnd;
    if (pass) {
      this.serving = this.trainer.ema.slice();
      this.version++;
    }
    this.scorer = this.makeScorer(this.serving);
    return { events: fresh.length, steps: r.steps, loss: r.loss, published: pass, version: this.version, guard };
  }
}

/** Mean NDCG@10 of a scorer on examples under full ranking (the user's history excluded). */
export function sliceNdcg(scorer: DynamicScorer, examples: readonly Example[], t: number): number {
  const out = new Float32Array(scorer.base.nItems);
  let sum = 0;
  for (const ex of examples) {
    scorer.score(ex.user, ex.history, t, out);
    sum += ndcgAt10(out, ex.item, ex.history);
  }
  return examples.length ? sum / examples.length : 0;
}

/** NDCG@10 of one target under full ranking, excluding `exclude` (seen items, not the target); the evaluation's
 * rule (pessimistic ties; a NaN target score ranks last, so a diverged candidate can never pass the guardrail). */
export function ndcgAt10(scores: Float32Array, target: number, exclude: Iterable<number>): number {
  return ndcgAt(fullRankOf(scores, target, exclude), 10);
}
