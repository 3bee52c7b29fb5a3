// The faithfulness of an explanation, for the widget's badge: from the API's ERASER figures (`faithfulness`,
// docs/explanations.md), the share of the score drop that the cited items cause when compared with random history
// items of the same number: cited / (cited + random). 0.5 = no better than random evidence, near 1 = removing
// what the sentence names is what lowers the score. Undefined when nothing is cited or the worker was unavailable.
import type { Explanation } from '../types.ts';

export function faithfulness(e: Explanation): number | undefined {
  const f = e.faithfulness;
  if (!f || f.size === 0) return undefined;
  const cited = f.comprehensiveness.scoreDrop;
  const random = f.comprehensiveness.randomScoreDrop;
  if (!(Number.isFinite(cited) && Number.isFinite(random)) || cited + random <= 0) return undefined;
  return Math.min(1, Math.max(0, cited / (cited + Math.max(0, random))));
}
