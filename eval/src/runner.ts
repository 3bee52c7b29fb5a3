// Offline evaluation of registered models on a prepared dataset and split (loo, temporal, cold, cold-items): fits each
// model on the training rows, scores all items for batches of users, and computes full-ranking metrics (all items,
// the user's input history excluded; with a candidate set, only the candidates: the cold-items protocol), the
// all-items ranking beside it when candidates are set, and sampled metrics (target vs seeded negatives the user never
// interacted with).
import { COLD_VALID, type Dataset, type Split, TRAIN, VALID, TEST } from '@llmrec/data/index.ts';
import { DEFAULT_KS, fullRanks, metricNames, sampledUserMetrics, type TieKey, type TieRule, userMetrics } from './metrics/ranking.ts';
import type { ModelSpec, Scorer } from './models/types.ts';
import { mixSeed, mulberry32, sampleNegatives } from './rng.ts';

/** 'full': every item (or, when the cases carry candidates, every candidate) except the input history;
 * 'all-items': every item except the input history, reported beside a candidate-restricted 'full'. */
export type Protocol = 'full' | 'sampled' | 'all-items';

export interface EvalOptions {
  seeds: number[];
  ks?: readonly number[];
  negatives?: number;
  phase?: 'test' | 'valid';
  protocols?: Protocol[];
  /** Tie rule (default pessimistic); 'random' breaks ties by a hash of (first seed, user or event, item). */
  ties?: TieRule;
  home: string;
  /** Folder of the trained artifacts the models read (default artifacts/<dataset>/<split>). */
  artifacts?: string;
  /** Test-time modality drop handed to the models (FitContext.drop). */
  drop?: import('./models/types.ts').ModalityDrop[];
  log?: (msg: string) => void;
  onProgress?: (model: string, done: number, total: number) => void;
}

export interface ResultRow {
  model: string;
  protocol: Protocol;
  /** Seed of the sampled negatives; null for full ranking (no random part). */
  seed: number | null;
  users: number;
  metrics: Record<string, number>;
}

export interface ModelRun {
  model: string;
  rows: ResultRow[];
  /** Per-user full-ranking metrics, aligned with `EvalCases.users` (for paired tests). */
  perUser: Record<string, Float64Array>;
  /** The same for the all-items ranking, when the cases carry candidates. */
  perUserAll?: Record<string, Float64Array>;
  fitSeconds: number;
  scoreSeconds: number;
}

/** Who is evaluated and on what: users with at least one target row in the phase, their history and targets. */
export interface EvalCases {
  users: Int32Array;
  histories: Int32Array[];
  timestamps: Float64Array[];
  targets: Int32Array[];
  /** When set, the 'full' protocol ranks among these items only (1 = candidate): cold-items' held-out items. */
  candidates?: Uint8Array;
}

/** The tie-break key for one user (or streamed event) under the 'random' rule; undefined for pessimistic. */
export function tieKeyFor(o: Pick<EvalOptions, 'ties' | 'seeds'>, stream: number): TieKey | undefined {
  if (o.ties !== 'random') return undefined;
  const salt = mixSeed(o.seeds[0] ?? 0, stream);
  return (item) => mixSeed(salt, item);
}

export function buildCases(ds: Dataset, split: Split, phase: 'test' | 'valid'): EvalCases {
  if (split.meta.split === 'cold-items') return buildColdItemsCases(ds, split, phase);
  const targetLabel = phase === 'test' ? TEST : VALID;
  const { item, ts } = ds.interactions;
  const users: number[] = [];
  const histories: Int32Array[] = [];
  const timestamps: Float64Array[] = [];
  const targets: Int32Array[] = [];
  for (let u = 0; u < ds.nUsers; u++) {
    const h: number[] = [];
    const hts: number[] = [];
    const t = new Set<number>();
    for (let r = ds.userStart[u]!; r < ds.userStart[u + 1]!; r++) {
      const l = split.labels[r]!;
      if (l === targetLabel) t.add(item[r]!);
      else if (l === TRAIN || (phase === 'test' && l === VALID)) {
        h.push(item[r]!);
        hts.push(ts[r]!);
      }
    }
    if (t.size === 0) continue;
    users.push(u);
    histories.push(Int32Array.from(h));
    timestamps.push(Float64Array.from(hts));
    targets.push(Int32Array.from(t));
  }
  return { users: Int32Array.from(users), histories, timestamps, targets };
}

/**
 * cold-items: the target is the user's last interaction on a held-out item (test-cold items at test, validation-cold
 * items at validation), ranked among those items ('full') and among all items ('all-items'); the history is every
 * warm row of the user (train and warm-valid), in time order.
 */
function buildColdItemsCases(ds: Dataset, split: Split, phase: 'test' | 'valid'): EvalCases {
  const targetLabel = phase === 'test' ? TEST : COLD_VALID;
  const held = split.meta.params[phase === 'test' ? 'testItems' : 'validItems'];
  if (!Array.isArray(held)) throw new Error(`cold-items split without ${phase === 'test' ? 'testItems' : 'validItems'} in its parameters`);
  const candidates = new Uint8Array(ds.nItems);
  for (const i of held as number[]) candidates[i] = 1;
  const users: number[] = [];
  const histories: Int32Array[] = [];
  const timestamps: Float64Array[] = [];
  const targets: Int32Array[] = [];
  for (let u = 0; u < ds.nUsers; u++) {
    const h: number[] = [];
    const hts: number[] = [];
    let t = -1;
    for (let r = ds.userStart[u]!; r < ds.userStart[u + 1]!; r++) {
      const l = split.labels[r]!;
      if (l === targetLabel) t = ds.interactions.item[r]!;
      else if (l === TRAIN || l === VALID) {
        h.push(ds.interactions.item[r]!);
        hts.push(ds.interactions.ts[r]!);
      }
    }
    if (t < 0) continue;
    users.push(u);
    histories.push(Int32Array.from(h));
    timestamps.push(Float64Array.from(hts));
    targets.push(Int32Array.of(t));
  }
  return { users: Int32Array.from(users), histories, timestamps, targets, candidates };
}

/** The validation cases handed to models at fit time (FitContext.validation); undefined when the split has none. */
function validationCases(ds: Dataset, split: Split): EvalCases | undefined {
  if (split.meta.split === 'cold-items' && !Array.isArray(split.meta.params.validItems)) return undefined;
  const v = buildCases(ds, split, 'valid');
  return v.users.length ? v : undefined;
}

export async function runModel(ds: Dataset, split: Split, spec: ModelSpec, cases: EvalCases, o: EvalOptions): Promise<ModelRun> {
  const ks = o.ks ?? DEFAULT_KS;
  const protocols = o.protocols ?? ['full', 'sampled'];
  const nNeg = o.negatives ?? 100;
  const log = o.log ?? (() => {});
  const trainMask = new Uint8Array(split.labels.length);
  for (let r = 0; r < trainMask.length; r++) trainMask[r] = split.labels[r] === TRAIN ? 1 : 0;
  const t0 = performance.now();
  const scorer: Scorer = await spec.create({ dataset: ds, split: split.meta.split, labels: split.labels, trainMask, seed: o.seeds[0] ?? 0, home: o.home, log, artifacts: o.artifacts, drop: o.drop, validation: validationCases(ds, split) });
  const fitSeconds = (performance.now() - t0) / 1000;

  const names = metricNames(ks);
  const nU = cases.users.length;
  const perUser: Record<string, Float64Array> = Object.fromEntries(names.map((n) => [n, new Float64Array(nU)]));
  const cand = cases.candidates;
  const allItems = cand !== undefined && protocols.includes('all-items');
  const perUserAll: Record<string, Float64Array> = allItems ? Object.fromEntries(names.map((n) => [n, new Float64Array(nU)])) : {};
  // with candidates, 'full' ranks among them: every other item is excluded up front (the history is then excluded
  // on top for both rankings; a target is never excluded)
  const notCandidate = cand ? Uint8Array.from(cand, (c) => (c ? 0 : 1)) : undefined;
  const sampledSums = o.seeds.map(() => Object.fromEntries(names.map((n) => [n, 0])) as Record<string, number>);
  const n = ds.nItems;
  const excluded = new Uint8Array(n);
  const interacted = new Uint8Array(n);
  const um: Record<string, number> = {};
  const batch = spec.batchSize ?? 256;
  let scoreSeconds = 0;
  for (let b0 = 0; b0 < nU; b0 += batch) {
    const b1 = Math.min(nU, b0 + batch);
    const ts = performance.now();
    const scores = await scorer.score({ users: cases.users.subarray(b0, b1), histories: cases.histories.slice(b0, b1), timestamps: cases.timestamps.slice(b0, b1) });
    scoreSeconds += (performance.now() - ts) / 1000;
    if (scores.length !== (b1 - b0) * n) throw new Error(`${spec.name}: score() returned ${scores.length} values, expected ${(b1 - b0) * n}`);
    for (let b = b0; b < b1; b++) {
      const row = scores.subarray((b - b0) * n, (b - b0 + 1) * n);
      const targets = cases.targets[b]!;
      const tieKey = tieKeyFor(o, cases.users[b]!);
      if (protocols.includes('full') || allItems) {
        for (const h of cases.histories[b]!) excluded[h] = 1;
        for (const t of targets) excluded[t] = 0; // a target is never masked, even if it also occurs in the history
        if (allItems) {
          userMetrics(fullRanks(row, targets, excluded, tieKey), ks, um);
          for (const name of names) perUserAll[name]![b] = um[name]!;
        }
        if (protocols.includes('full')) {
          const ex = notCandidate ? excluded.map((e, i) => e | notCandidate[i]!) : excluded;
          for (const t of targets) ex[t] = 0;
          userMetrics(fullRanks(row, targets, ex, tieKey), ks, um);
          for (const name of names) perUser[name]![b] = um[name]!;
        }
        for (const h of cases.histories[b]!) excluded[h] = 0;
      }
      if (protocols.includes('sampled')) {
        const u = cases.users[b]!;
        let nInter = 0;
        for (let r = ds.userStart[u]!; r < ds.userStart[u + 1]!; r++) {
          const i = ds.interactions.item[r]!;
          if (!interacted[i]) nInter++;
          interacted[i] = 1;
        }
        o.seeds.forEach((seed, s) => {
          const negs = sampleNegatives(mulberry32(mixSeed(seed, u)), n, interacted, nInter, nNeg);
          const m = sampledUserMetrics(row, targets, negs, ks, tieKey);
          for (const name of names) sampledSums[s]![name]! += m[name]!;
        });
        for (let r = ds.userStart[u]!; r < ds.userStart[u + 1]!; r++) interacted[ds.interactions.item[r]!] = 0;
      }
    }
    o.onProgress?.(spec.name, b1, nU);
  }
  await scorer.close?.();

  const rows: ResultRow[] = [];
  const meanOf = (per: Record<string, Float64Array>) => Object.fromEntries(names.map((name) => [name, per[name]!.reduce((a, x) => a + x, 0) / Math.max(1, nU)]));
  if (protocols.includes('full')) rows.push({ model: spec.name, protocol: 'full', seed: null, users: nU, metrics: meanOf(perUser) });
  if (allItems) rows.push({ model: spec.name, protocol: 'all-items', seed: null, users: nU, metrics: meanOf(perUserAll) });
  if (protocols.includes('sampled')) {
    o.seeds.forEach((seed, s) => {
      const metrics: Record<string, number> = {};
      for (const name of names) metrics[name] = sampledSums[s]![name]! / Math.max(1, nU);
      rows.push({ model: spec.name, protocol: 'sampled', seed, users: nU, metrics });
    });
  }
  return { model: spec.name, rows, perUser, ...(allItems ? { perUserAll } : {}), fitSeconds, scoreSeconds };
}
