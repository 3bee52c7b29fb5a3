// Statistics against reference values (R / SciPy figures computed independently and written here as constants).
import { describe, expect, it } from 'vitest';
import { cohensD, incompleteBeta, logGamma, meanCI, pairedTTest, tCdf, tQuantile } from './stats.ts';

describe('t distribution', () => {
  it('logGamma matches factorials', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });
  it('incompleteBeta: I_x(1,1) = x and I_x(2,3) closed form', () => {
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    // I_x(2,3) = 6x^2 - 8x^3 + 3x^4
    const x = 0.4;
    expect(incompleteBeta(x, 2, 3)).toBeCloseTo(6 * x ** 2 - 8 * x ** 3 + 3 * x ** 4, 12);
  });
  it('tCdf: df=1 is Cauchy, df=2 has a closed form, known quantiles', () => {
    for (const t of [-3, -0.5, 0, 0.7, 4]) {
      expect(tCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 10);
      expect(tCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 10);
    }
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.302652729911275, 8); // qt(0.975, 2)
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.228138851986274, 8); // qt(0.975, 10)
    expect(tQuantile(0.975, 1000)).toBeCloseTo(1.962339, 5);
  });
});

describe('meanCI / pairedTTest / cohensD', () => {
  it('meanCI uses the t quantile with n-1 df', () => {
    const r = meanCI([1, 2, 3]);
    expect(r.mean).toBe(2);
    expect(r.ci95).toBeCloseTo(4.302652729911275 / Math.sqrt(3), 8);
    expect(meanCI([5]).ci95).toBeNull();
  });
  it('paired t-test matches a hand computation', () => {
    // diffs = [1, 2, 3, 4]: mean 2.5, sd 1.290994, t = 3.872983, df 3, two-sided p = 0.03047 (R: t.test(paired=TRUE))
    const r = pairedTTest([2, 4, 6, 8], [1, 2, 3, 4]);
    expect(r.t).toBeCloseTo(3.872983346207417, 9);
    expect(r.df).toBe(3);
    expect(r.p).toBeCloseTo(0.030466, 5);
    expect(r.d).toBeCloseTo(2.5 / 1.2909944487358056, 9);
    expect(pairedTTest([1, 2], [1, 2]).p).toBe(1);
    // large t: the p-value stays positive and consistent with the df=1 closed form, p = 1 - 2 atan(t)/pi
    const big = pairedTTest([10, 30.5], [0, 0]); // diffs 10, 30.5: t = 20.25/10.25 * sqrt(2) -> df 1
    expect(big.p).toBeCloseTo(1 - (2 * Math.atan(big.t)) / Math.PI, 12);
  });
  it("cohen's d with pooled sd", () => {
    // means 2 and 4, both sd 1 -> d = -2
    expect(cohensD([1, 2, 3], [3, 4, 5])).toBeCloseTo(-2, 12);
  });
});
