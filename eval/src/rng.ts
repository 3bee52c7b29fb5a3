// Seeded pseudo-random numbers for the seeded parts of the protocol (sampled negatives): a per-(seed, user) stream,
// so every model is scored against the same negatives and a run is reproducible.

// The PRNG itself lives in shared/ (one stream per seed everywhere); re-exported so existing imports keep working.
export { mulberry32 } from '@llmrec/shared/rng.ts';

/** Mix a seed and a stream id (e.g. user index) into one 32-bit seed. */
export function mixSeed(seed: number, stream: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream >>> 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * `count` distinct items drawn uniformly from 0..nItems-1 excluding `interacted` (rejection sampling; when fewer
 * than `count` items are allowed, all of them are returned).
 */
export function sampleNegatives(rand: () => number, nItems: number, interacted: Uint8Array, nInteracted: number, count: number): Int32Array {
  const allowed = nItems - nInteracted;
  if (allowed <= count) {
    const all: number[] = [];
    for (let i = 0; i < nItems; i++) if (!interacted[i]) all.push(i);
    return Int32Array.from(all);
  }
  const out = new Int32Array(count);
  const taken = new Set<number>();
  let k = 0;
  while (k < count) {
    const i = Math.floor(rand() * nItems);
    if (interacted[i] || taken.has(i)) continue;
    taken.add(i);
    out[k++] = i;
  }
  return out;
}
