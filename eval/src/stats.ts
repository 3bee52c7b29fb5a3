// Statistics for reporting results: mean and 95% confidence interval (Student t), paired t-test with the t CDF
// computed from the regularized incomplete beta function (Numerical Recipes' continued fraction), and Cohen's d.

/** ln Γ(x), Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0. */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betacf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const bt = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (bt * betacf(a, b, x)) / a : 1 - (bt * betacf(b, a, 1 - x)) / b;
}

/** CDF of Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Quantile of Student's t (bisection on tCdf; |error| < 1e-10). */
export function tQuantile(p: number, df: number): number {
  if (p <= 0 || p >= 1) throw new Error(`tQuantile: p must be in (0, 1), got ${p}`);
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length ? s / xs.length : NaN;
}

/** Sample standard deviation (n - 1). */
export function sd(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
  return xs.length > 1 ? Math.sqrt(s / (xs.length - 1)) : NaN;
}

export interface MeanCI {
  mean: number;
  /** Half-width of the 95% CI (t with n - 1 df); null with fewer than 2 values. */
  ci95: number | null;
  n: number;
}

export function meanCI(xs: ArrayLike<number>, level = 0.95): MeanCI {
  const n = xs.length;
  const m = mean(xs);
  if (n < 2) return { mean: m, ci95: null, n };
  return { mean: m, ci95: (tQuantile(1 - (1 - level) / 2, n - 1) * sd(xs)) / Math.sqrt(n), n };
}

export interface PairedTest {
  n: number;
  meanDiff: number;
  t: number;
  df: number;
  /** Two-sided p-value. */
  p: number;
  /** Cohen's d for paired samples (d_z = mean difference / sd of differences). */
  d: number;
}

/** Paired t-test of a - b (same units, e.g. per-user NDCG of two models on the same users). */
export function pairedTTest(a: ArrayLike<number>, b: ArrayLike<number>): PairedTest {
  if (a.length !== b.length) throw new Error(`pairedTTest: lengths differ (${a.length} vs ${b.length})`);
  const n = a.length;
  const diff = new Float64Array(n);
  for (let i = 0; i < n; i++) diff[i] = a[i]! - b[i]!;
  const md = mean(diff);
  const s = sd(diff);
  const df = n - 1;
  if (!(s > 0)) return { n, meanDiff: md, t: md === 0 ? 0 : Math.sign(md) * Infinity, df, p: md === 0 ? 1 : 0, d: md === 0 ? 0 : Math.sign(md) * Infinity };
  const t = md / (s / Math.sqrt(n));
  // two-sided tail straight from the incomplete beta (1 - cdf would round to 0 below ~1e-16)
  return { n, meanDiff: md, t, df, p: Math.min(1, incompleteBeta(df / (df + t * t), df / 2, 0.5)), d: md / s };
}

/** Cohen's d for two independent samples (pooled standard deviation). */
export function cohensD(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = a.length;
  const nb = b.length;
  const pooled = Math.sqrt(((na - 1) * sd(a) ** 2 + (nb - 1) * sd(b) ** 2) / (na + nb - 2));
  return (mean(a) - mean(b)) / pooled;
}
