// Job checkpoint of the online learner: everything a killed adapter job needs to resume exactly where its
// last completed window left it (weights, AdamW moments, EMA, EWC Fisher/anchor, replay buffer, statistics
// with the ids of counted events, histories, serving version). Written before the window's events are acked,
// so a crash in between only causes redelivery, which the seen ids turn into no-ops.
import { z } from 'zod';
import { OnlineLearner, type LearnerConfig } from './online-learner.ts';
import type { BaseModel } from './dynamic-model.ts';
import { b64ToF32, decodeStats, encodeStats, f32ToB64, StatsSnapshot } from './snapshot.ts';

const ExampleSchema = z.object({ user: z.string(), history: z.array(z.number().int()), item: z.number().int() });

export const LearnerCheckpoint = z.object({
  v: z.literal(1),
  version: z.number().int().nonnegative(),
  at: z.number(),
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
    v: 1, version: l.version, at: l.at, layoutSize: l.layout.size,
    params: f32ToB64(t.params), ema: f32ToB64(t.ema), serving: f32ToB64(l.serving),
    adamM: f32ToB64(t.opt.m), adamV: f32ToB64(t.opt.v), adamStep: t.opt.step,
    fisher: f32ToB64(t.ewc.fisher), anchor: f32ToB64(t.ewc.anchor), fisherMean: t.ewc.fisherMean, hasAnchor: t.ewc.hasAnchor,
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
    const src = b64ToF32(b64);
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
  t.replayBuf.push(...c.replay);
  t.seen = c.replaySeen;
  l.held.push(...c.held);
  for (const [u, h] of c.histories) l.histories.set(u, h);
  const stats = decodeStats(c.stats);
  l.stats = stats;
  l.serving = b64ToF32(c.serving).slice();
  l.version = c.version;
  l.scorer = l.makeScorer(l.serving);
  return l;
}
