// Job checkpoint of the online learner: everything a killed adapter job needs to resume exactly where its
// last completed window left it (weights, AdamW moments, EMA, EWC Fisher/anchor, replay buffer, statistics
// with the ids of counted events, histories, serving version). Written before the window's events are acked,
// so a crash in between only causes redelivery, which the seen ids turn into no-ops.
// The checkpoint names the base it was trained around (BaseModel.id): resumeLearner() restores the weights only
// onto that base and otherwise starts fresh adapters while keeping the base-independent event bookkeeping.
import { z } from 'zod';
import { OnlineLearner, type LearnerConfig } from './online-learner.ts';
import { dynamicLayout, type BaseModel } from './dynamic-model.ts';
import { base64ToFloat32, float32ToBase64 } from '../base64.ts';
import { decodeStats, encodeStats, StatsSnapshot } from './snapshot.ts';

const ExampleSchema = z.object({ user: z.string(), history: z.array(z.number().int()), item: z.number().int() });

export const LearnerCheckpoint = z.object({
  v: z.literal(1),
  version: z.number().int().nonnegative(),
  at: z.number(),
  /** BaseModel.id the weights belong to; absent in checkpoints written before it (and for bases without id). */
  base: z.string().optional(),
  layoutSize: z.number().int().positive(),
  params: z.string(),
  ema: z.string(),
  serving: z.string(),
  adamM: z.string(),
  adamV: z.string(),
  adamStep: z.number().int().nonnegative(),
  fisher: z.string(),
  anchor: z.string(),
  fisherMean: z.number(),
  hasAnchor: z.boolean(),
  replay: z.array(ExampleSchema),
  replaySeen: z.number().int().nonnegative(),
  held: z.array(ExampleSchema),
  histories: z.array(z.tuple([z.string(), z.array(z.number().int())])),
  stats: StatsSnapshot,
});
export type LearnerCheckpoint = z.infer<typeof LearnerCheckpoint>;

export function checkpointLearner(l: OnlineLearner): LearnerCheckpoint {
  const t = l.trainer;
  return {
    v: 1, version: l.version, at: l.at, ...(l.base.id !== undefined ? { base: l.base.id } : {}), layoutSize: l.layout.size,
    params: float32ToBase64(t.params), ema: float32ToBase64(t.ema), serving: float32ToBase64(l.serving),
    adamM: float32ToBase64(t.opt.m), adamV: float32ToBase64(t.opt.v), adamStep: t.opt.step,
    fisher: float32ToBase64(t.ewc.fisher), anchor: float32ToBase64(t.ewc.anchor), fisherMean: t.ewc.fisherMean, hasAnchor: t.ewc.hasAnchor,
    replay: t.replayBuf.slice(), replaySeen: t.seen, held: l.held.slice(),
    histories: [...l.histories],
    stats: encodeStats(l.stats, true),
  };
}

/** Rebuilds a learner from a checkpoint; throws when it does not fit the base model / configuration. */
export function restoreLearner(base: BaseModel, cfg: LearnerConfig, raw: unknown): OnlineLearner {
  const c = LearnerCheckpoint.parse(raw);
  const l = new OnlineLearner(base, cfg, c.at);
  if (l.layout.size !== c.layoutSize) throw new Error(`checkpoint has ${c.layoutSize} adapter parameters, configuration needs ${l.layout.size}`);
  const t = l.trainer;
  const put = (dst: Float32Array, b64: string, what: string) => {
    const src = base64ToFloat32(b64);
    if (src.length !== dst.length) throw new Error(`checkpoint ${what}: ${src.length} values, want ${dst.length}`);
    dst.set(src);
  };
  put(t.params, c.params, 'params');
  put(t.ema, c.ema, 'ema');
  put(t.opt.m, c.adamM, 'adamM');
  put(t.opt.v, c.adamV, 'adamV');
  put(t.ewc.fisher, c.fisher, 'fisher');
  put(t.ewc.anchor, c.anchor, 'anchor');
  t.opt.step = c.adamStep;
  t.ewc.fisherMean = c.fisherMean;
  t.ewc.hasAnchor = c.hasAnchor;
  restoreEvents(l, c, decodeStats(c.stats));
  l.serving = base64ToFloat32(c.serving).slice();
  l.version = c.version;
  l.scorer = l.makeScorer(l.serving);
  return l;
}

/** The base-independent part of a checkpoint: statistics (with the ids of counted events), histories, replay and held-out examples. */
function restoreEvents(l: OnlineLearner, c: LearnerCheckpoint, stats: OnlineLearner['stats']): void {
  l.stats = stats;
  for (const [u, h] of c.histories) l.histories.set(u, h);
  l.trainer.replayBuf.push(...c.replay);
  l.trainer.seen = c.replaySeen;
  l.held.push(...c.held);
}

export interface Resumed {
  learner: OnlineLearner;
  /** true: the whole checkpoint was restored; false: fresh (identity) adapters for a new base. */
  restored: boolean;
  /** What happened, for the job's log. */
  note: string;
}

/**
 * Resumes the job's learner from its checkpoint on `base`. Same base (or a checkpoint without base id whose
 * layout fits, the behaviour before base ids): everything is restored. Another base, or a layout that does
 * not fit: the adapter weights, optimiser, EMA and EWC state belong to the other latent space and are dropped
 * (fresh identity adapters); the statistics with the ids of counted events, the histories and the replay /
 * held-out examples are in dataset item indices, not in latent space, so they are kept when the item count
 * matches — every event stays counted exactly once across the switch.
 */
export function resumeLearner(base: BaseModel, cfg: LearnerConfig, raw: unknown): Resumed {
  const c = LearnerCheckpoint.parse(raw);
  const size = dynamicLayout({ dim: base.dim, hidden: cfg.hidden }).size;
  const own = base.id ?? '(a base without id)';
  let why: string | null = null;
  if (c.base !== undefined && c.base !== base.id) why = `checkpoint adapters were trained for base ${c.base}, the job now runs on ${own}`;
  else if (c.layoutSize !== size) why = `checkpoint has ${c.layoutSize} adapter parameters, base ${own} (dim ${base.dim}, hidden ${cfg.hidden}) needs ${size}`;
  if (why === null) {
    const learner = restoreLearner(base, cfg, c);
    const note = c.base === undefined
      ? `resumed from checkpoint: version ${learner.version}, ${learner.stats.applied} events counted (checkpoint predates base ids; restored because its layout fits base ${own})`
      : `resumed from checkpoint: version ${learner.version}, ${learner.stats.applied} events counted`;
    return { learner, restored: true, note };
  }
  const learner = new OnlineLearner(base, cfg, c.at);
  learner.version = c.version;
  const stats = decodeStats(c.stats);
  const inRange = (ex: { history: number[]; item: number }) => ex.item < base.nItems && ex.history.every((i) => i < base.nItems);
  if (stats.nItems !== base.nItems || !c.replay.every(inRange) || !c.held.every(inRange)) {
    return {
      learner, restored: false,
      note: `${why}: starting fresh adapters; the checkpoint's statistics are over ${stats.nItems} items, the base has ${base.nItems}, so counting restarts (events already acked are not redelivered, so none is counted twice)`,
    };
  }
  restoreEvents(learner, c, stats);
  learner.scorer = learner.makeScorer(learner.serving);
  return {
    learner, restored: false,
    note: `${why}: starting fresh adapters for it (identity at init); kept ${stats.applied} counted events, histories and replay data`,
  };
}
