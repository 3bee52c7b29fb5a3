// The contract between the evaluation runner and a recommender: a model is fitted on a split's training rows, then
// scores ALL items for a batch of users at once (one Float32Array row per user), possibly asynchronously (ONNX).
// Streaming experiments additionally call `learn` after each window has been predicted (online adapters).
import type { Dataset, SplitName } from '@llmrec/data/index.ts';

export interface FitContext {
  dataset: Dataset;
  split: SplitName;
  /** Split labels aligned with the interaction rows (see docs/dataset-format.md). */
  labels: Int8Array | Int32Array;
  /** 1 where the row may be used for fitting (loo/temporal/cold: label 0; streaming: the pre-training rows). */
  trainMask: Uint8Array;
  seed: number;
  /** $LLMREC_HOME, where trained artifacts live (e.g. ONNX files of the training engineer). */
  home: string;
  /** Folder of the trained artifacts to read (default artifacts/<dataset>/<split>): a seeded split or training seed. */
  artifacts?: string;
  /** Test-time modality drop: content models score as if these modalities were missing for a seeded share of items. */
  drop?: ModalityDrop[];
  /**
   * The split's validation cases (validation targets only, never the test ones), for a hyperparameter a model
   * chooses when it is fitted (e.g. `fused`'s cold-content weight on the cold-validation items).
   */
  validation?: ValidationCases;
  log(msg: string): void;
}

export interface ValidationCases {
  histories: Int32Array[];
  targets: Int32Array[];
  /** 1 = ranked among (cold-items: the validation-cold items); absent = every item. */
  candidates?: Uint8Array;
}

export interface ModalityDrop {
  modality: string;
  /** Share of the items that have the modality which lose it (0..1), chosen by `seed`. */
  fraction: number;
}

export interface ScoreRequest {
  users: Int32Array;
  /** Each user's input history (item indices, time order): train (+ valid at test time) rows. */
  histories: Int32Array[];
  /** Timestamps of the history rows, aligned with `histories`. */
  timestamps: Float64Array[];
  /** Streaming split: the time each prediction is asked at (the predicted event's own time). */
  at?: Float64Array;
}

export interface StreamEvents {
  user: Int32Array;
  item: Int32Array;
  ts: Float64Array;
  /** Window index of these events (streaming split). */
  window: number;
  /** Their interaction rows (stable event identities). */
  rows: Int32Array;
}

export interface Scorer {
  /** Scores of every item for every requested user, row-major [users.length x nItems]; higher = better. */
  score(req: ScoreRequest): Float32Array | Promise<Float32Array>;
  /** Streaming split only: learn from a window after it was predicted. Static models leave it out. */
  learn?(events: StreamEvents): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface ModelSpec {
  name: string;
  description: string;
  /** Users per score() call (default 256). */
  batchSize?: number;
  /** Splits the model supports (default: all). */
  splits?: SplitName[];
  create(ctx: FitContext): Scorer | Promise<Scorer>;
}
