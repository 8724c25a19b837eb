/**
 * Everything a reviewer asks of a paired comparison of two methods on the same cases: the means, the
 * mean difference with a t and a bootstrap 95% CI, Cohen's d_z (mean difference / its sample SD),
 * the paired t test (scipy.stats.ttest_rel) and Wilcoxon's signed-rank test (scipy.stats.wilcoxon).
 */
import ttest from '@stdlib/stats-ttest';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { bootstrapMeanCi, type BootstrapOptions } from './bootstrap.js';
import { wilcoxon, type WilcoxonMode } from './wilcoxon.js';

export interface PairedComparison {
  n: number;
  meanA: number;
  meanB: number;
  /** Mean of a − b. */
  meanDifference: number;
  sdDifference: number;
  /** 95% CI of the mean difference from the t distribution. */
  ciT: [number, number];
  /** 95% percentile-bootstrap CI of the mean difference. */
  ciBootstrap: [number, number];
  /** Cohen's d_z = mean(a − b) / sd(a − b); NaN when the differences do not vary. */
  dz: number;
  t: number;
  pT: number;
  /** scipy's Wilcoxon statistic (min(T+, T−)), its p-value and how it was computed; NaN when every difference is zero. */
  wilcoxonStatistic: number;
  pWilcoxon: number;
  wilcoxonMode: 'exact' | 'approx' | 'none';
  zeroDifferences: number;
  tiedDifferences: boolean;
}

export interface PairedComparisonOptions {
  level?: number;
  bootstrap?: BootstrapOptions;
  wilcoxonMode?: WilcoxonMode;
}

/** Compares a[i] with b[i] (at least two pairs). */
export function comparePaired(
  a: readonly number[],
  b: readonly number[],
  options: PairedComparisonOptions = {},
): PairedComparison {
  const n = a.length;
  const level = options.level ?? 0.95;
  const d = a.map((v, i) => v - b[i]!);
  const mean = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  const md = mean(d);
  const sd = n > 1 ? Math.sqrt(d.reduce((s, v) => s + (v - md) ** 2, 0) / (n - 1)) : Number.NaN;
  const half = n > 1 ? tQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n)) : Number.NaN;
  let t = Number.NaN,
    pT = Number.NaN;
  if (n > 1 && sd > 0) {
    const r = ttest([...a], [...b]);
    t = r.statistic;
    pT = r.pValue;
  }
  let w: ReturnType<typeof wilcoxon> | null = null;
  if (d.some((v) => v !== 0)) w = wilcoxon(a, b, { mode: options.wilcoxonMode });
  return {
    n,
    meanA: mean(a),
    meanB: mean(b),
    meanDifference: md,
    sdDifference: sd,
    ciT: [md - half, md + half],
    ciBootstrap: bootstrapMeanCi(d, { level, ...options.bootstrap }),
    dz: sd > 0 ? md / sd : Number.NaN,
    t,
    pT,
    wilcoxonStatistic: w?.statistic ?? Number.NaN,
    pWilcoxon: w?.pValue ?? Number.NaN,
    wilcoxonMode: w?.mode ?? 'none',
    zeroDifferences: d.filter((v) => v === 0).length,
    tiedDifferences: w?.ties ?? false,
  };
}
