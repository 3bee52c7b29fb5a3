// Seeded pseudo-random numbers: the one PRNG behind every seeded part of the system (adapter initialisation and
// online sampling, PQ k-means++ seeding, LLM temperature sampling, sampled negatives in evaluation), so a seed
// means the same stream everywhere. Runtime-neutral (no node:*).

/** mulberry32: small, fast, good enough for sampling; returns floats in [0, 1). Any number is taken modulo 2^32. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
