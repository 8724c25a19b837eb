/**
 * The two-sample Kolmogorov–Smirnov test: D = sup |F_a(x) − F_b(x)| over the two empirical CDFs, and
 * its asymptotic two-sided p-value Q_KS(√(nm/(n+m)) · D) from the Kolmogorov distribution
 * (scipy.stats.kstwobign.sf; scipy's ks_2samp(method='asymp') differs only in the small-sample
 * correction it applies). Ties are handled by stepping both CDFs past every copy of a value.
 */
import { OptionError } from '../util/errors.js';

export interface KsResult {
  /** The largest distance between the two empirical CDFs (0..1). */
  statistic: number;
  /** Asymptotic two-sided p-value. */
  pValue: number;
  n: number;
  m: number;
}

/** Survival function of the Kolmogorov distribution: P(K > x) = 2 Σ_{k≥1} (−1)^(k−1) e^(−2k²x²). */
export function kolmogorovSf(x: number): number {
  if (!(x > 0)) return 1;
  if (x < 0.2) {
    // the alternating series converges slowly here; use the dual (Jacobi theta) form of the CDF
    const t = Math.PI ** 2 / (8 * x * x);
    let cdf = 0;
    for (let k = 1; k < 100; k += 2) cdf += Math.exp(-k * k * t);
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / x) * cdf));
  }
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** Two-sample KS test of `a` against `b` (NaNs dropped). */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const xs = Float64Array.from(a)
    .filter((v) => !Number.isNaN(v))
    .sort();
  const ys = Float64Array.from(b)
    .filter((v) => !Number.isNaN(v))
    .sort();
  const n = xs.length;
  const m = ys.length;
  if (n === 0 || m === 0) throw new OptionError('samples', `both samples need values (got ${n} and ${m})`);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(xs[i]!, ys[j]!);
    while (i < n && xs[i] === v) i++;
    while (j < m && ys[j] === v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const en = Math.sqrt((n * m) / (n + m));
  return { statistic: d, pValue: kolmogorovSf(en * d), n, m };
}
