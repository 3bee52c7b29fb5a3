// The faithfulness of an explanation, for the widget's badge, when the API reports one. The explanation
// contract is growing a `faithfulness` field (explain package); until it is in the generated types this reads
// it defensively: a number in [0, 1], or an object with a numeric `score`.
import type { Explanation } from '../types.ts';

export function faithfulness(e: Explanation): number | undefined {
  const f = (e as { faithfulness?: unknown }).faithfulness;
  const v = typeof f === 'number' ? f : typeof f === 'object' && f !== null ? (f as { score?: unknown }).score : undefined;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1 ? v : undefined;
}
