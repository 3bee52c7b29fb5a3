// The parity measure of the encoder conversions (issue 10 part 1): largest absolute difference between two outputs,
// next to the largest absolute reference value (the feature scale the 1e-4 bar is relative to). Used by the parity
// tests and the encoder benchmark.
export function maxAbsDiff(actual: Float32Array, reference: Float32Array): { maxAbs: number; scale: number } {
  if (actual.length !== reference.length) throw new Error(`parity: ${actual.length} values vs ${reference.length} in the reference`);
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(actual[i]! - reference[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  return { maxAbs, scale };
}
