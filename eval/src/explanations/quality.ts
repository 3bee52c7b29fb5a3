// Explanation quality figures comparable with the literature (PETER, Li et al. 2021; also used by NETE, PEPLER):
// feature coverage ratio (FCR: distinct attribute values cited / distinct values in the catalogue), feature
// diversity (DIV: mean size of the intersection of the cited-feature sets of two explanations; lower = more
// diverse), unique sentence ratio (USR: distinct sentences / sentences), plus evidence coverage (share of
// explanations citing at least one history item / attribute) and history-item coverage. Here "features" are the
// attribute values the sentence cites (genres, people, keywords), the closest match to PETER's features.
import { mulberry32 } from '@llmrec/shared/rng.ts';

export interface CitedExplanation {
  text: string;
  /** Cited history items (item indices). */
  items: readonly number[];
  /** Cited attribute values, as `kind:value`. */
  features: readonly string[];
}

export interface QualityFigures {
  explanations: number;
  /** Share citing at least one history item. */
  withHistoryItem: number;
  /** Share citing at least one attribute value. */
  withAttribute: number;
  /** PETER's FCR over attribute values. */
  featureCoverageRatio: number;
  /** PETER's DIV over cited attribute-value sets (sampled pairs when there are many). */
  featureDiversity: number;
  /** PETER's USR. */
  uniqueSentenceRatio: number;
  /** Distinct cited history items / catalogue items. */
  itemCoverageRatio: number;
  /** Mean cited history items per explanation. */
  meanCitedItems: number;
}

/** `catalogueFeatures` = distinct attribute values of the catalogue; `nItems` = catalogue size. DIV over at most `pairs` seeded pairs. */
export function qualityFigures(ex: readonly CitedExplanation[], catalogueFeatures: number, nItems: number, pairs = 200_000, seed = 1): QualityFigures {
  const n = ex.length;
  const features = new Set(ex.flatMap((e) => e.features));
  const items = new Set(ex.flatMap((e) => e.items));
  const sets = ex.map((e) => new Set(e.features));
  const overlap = (a: number, b: number) => {
    let k = 0;
    for (const f of sets[a]!) if (sets[b]!.has(f)) k++;
    return k;
  };
  let div = 0;
  const all = (n * (n - 1)) / 2;
  if (all > 0 && all <= pairs) {
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) div += overlap(a, b) / all;
  } else if (all > 0) {
    const r = mulberry32(seed);
    for (let p = 0; p < pairs; p++) {
      const a = Math.floor(r() * n);
      let b = Math.floor(r() * (n - 1));
      if (b >= a) b++;
      div += overlap(a, b) / pairs;
    }
  }
  return {
    explanations: n,
    withHistoryItem: n ? ex.filter((e) => e.items.length > 0).length / n : 0,
    withAttribute: n ? ex.filter((e) => e.features.length > 0).length / n : 0,
    featureCoverageRatio: catalogueFeatures ? features.size / catalogueFeatures : 0,
    featureDiversity: div,
    uniqueSentenceRatio: n ? new Set(ex.map((e) => e.text)).size / n : 0,
    itemCoverageRatio: nItems ? items.size / nItems : 0,
    meanCitedItems: n ? ex.reduce((s, e) => s + e.items.length, 0) / n : 0,
  };
}
