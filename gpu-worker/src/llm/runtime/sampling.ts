// Next-token choice for the frozen LLM: greedy (temperature 0) or seeded temperature / top-p sampling.
import { mulberry32 } from '@llmrec/shared/rng.ts';

export interface SamplingOptions {
  /** 0 = greedy. */
  temperature?: number;
  /** Nucleus mass in (0, 1]; 1 = off. */
  topP?: number;
  seed?: number;
}

/** Deterministic PRNG (shared mulberry32) so sampled generations are reproducible from a seed. */
export const seededRandom: (seed: number) => () => number = mulberry32;

export function argmax(v: Float32Array, from = 0, len = v.length - from): number {
  let best = from;
  for (let i = from + 1; i < from + len; i++) if (v[i]! > v[best]!) best = i;
  return best - from;
}

/** log-softmax of one row (numerically stable). */
export function logSoftmax(v: Float32Array, from: number, len: number): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < len; i++) max = Math.max(max, v[from + i]!);
  let sum = 0;
  for (let i = 0; i < len; i++) sum += Math.exp(v[from + i]! - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) out[i] = v[from + i]! - lse;
  return out;
}

export class Sampler {
  private readonly rand: () => number;
  constructor(private readonly opts: SamplingOptions = {}) {
    this.rand = seededRandom(opts.seed ?? 42);
  }

  /** Picks a token from the row of logits starting at `from` (length `len`). */
  next(logits: Float32Array, from: number, len: number): number {
    const temp = this.opts.temperature ?? 0;
    if (temp <= 0) return argmax(logits, from, len);
    const probs = new Float64Array(len);
    let max = -Infinity;
    for (let i = 0; i < len; i++) max = Math.max(max, logits[from + i]! / temp);
    let sum = 0;
    for (let i = 0; i < len; i++) sum += probs[i] = Math.exp(logits[from + i]! / temp - max);
    for (let i = 0; i < len; i++) probs[i]! /= sum;
    const topP = this.opts.topP ?? 1;
    const order = Array.from({ length: len }, (_, i) => i);
    let cands = order;
    if (topP < 1) {
      order.sort((a, b) => probs[b]! - probs[a]!);
      let mass = 0;
      let k = 0;
      while (k < len && mass < topP) mass += probs[order[k++]!]!;
      cands = order.slice(0, k);
    }
    const mass = cands.reduce((s, i) => s + probs[i]!, 0);
    let r = this.rand() * mass;
    for (const i of cands) {
      r -= probs[i]!;
      if (r <= 0) return i;
    }
    return cands[cands.length - 1]!;
  }
}
