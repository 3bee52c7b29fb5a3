// Merges streaming tables run as separate processes (e.g. one per seed) into one: per-seed rows are
// concatenated, means and the seed-level paired t-test are recomputed; the pooled per-event test needs the
// per-event arrays, which the JSON files do not keep, so it is only kept when a single file is given.
import { mean, meanCI, pairedTTest } from '../stats.ts';
import type { AblationResult, AblationRow } from './ablation.ts';

export function mergeAblations(parts: AblationResult[]): AblationResult {
  if (parts.length === 1) return parts[0]!;
  const variants = parts[0]!.rows.map((r) => r.variant);
  const seeds = parts.flatMap((p) => p.seeds);
  const rows: AblationRow[] = variants.map((v) => {
    const perSeed = parts.flatMap((p) => p.rows.find((r) => r.variant === v)?.perSeed ?? []);
    return { variant: v, perSeed, hit10: mean(perSeed.map((s) => s.hit10)), ndcg10: mean(perSeed.map((s) => s.ndcg10)), ndcg10Ci95: meanCI(perSeed.map((s) => s.ndcg10)).ci95, vsStaticSeeds: null, vsStaticEvents: null };
  });
  const st = rows.find((r) => r.variant === 'static');
  for (const r of rows) {
    if (!st || r === st) continue;
    const a: number[] = [];
    const b: number[] = [];
    for (const s of r.perSeed) {
      const m = st.perSeed.find((x) => x.seed === s.seed);
      if (m) {
        a.push(s.ndcg10);
        b.push(m.ndcg10);
      }
    }
    if (a.length > 1) r.vsStaticSeeds = pairedTTest(a, b);
  }
  for (const p of parts) if (p.events !== parts[0]!.events || p.base !== parts[0]!.base) throw new Error('merge: parts differ in events or base');
  return { ...parts[0]!, seeds, rows };
}
