/**
 * Wilcoxon's signed-rank test exactly as scipy.stats.wilcoxon computes it (scipy 1.10, Debian 12's;
 * zero_method 'wilcox', the test's defaults):
 * - mode 'auto': the exact null distribution when there are at most 50 pairs, else the normal
 *   approximation; zero differences force the approximation (they are dropped first).
 * - exact: the distribution of T+ over the 2ⁿ sign patterns; with tied |differences| scipy 1.10 still
 *   uses it, with T+ truncated to an integer (later scipy versions switch to a permutation test or the
 *   approximation there; pass mode 'approx' for the tie-corrected approximation).
 * - approx: mean n(n+1)/4, variance n(n+1)(2n+1)/24 less Σ(t³ − t)/48 over tie groups, continuity
 *   correction off unless asked.
 * The statistic is min(T+, T−) for a two-sided test and T+ for one-sided ones, as scipy reports it.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { OptionError } from '../util/errors.js';

export type WilcoxonMode = 'auto' | 'exact' | 'approx';
export type Alternative = 'two-sided' | 'less' | 'greater';

export interface WilcoxonResult {
  /** scipy's statistic: min(T+, T−) two-sided, T+ one-sided. */
  statistic: number;
  pValue: number;
  /** Sum of the ranks of the positive differences. */
  rPlus: number;
  rMinus: number;
  /** The method used after 'auto' and the zero rule. */
  mode: 'exact' | 'approx';
  /** Pairs used (zero differences dropped in the approximation). */
  n: number;
  zeros: number;
  /** Whether some |differences| are tied. */
  ties: boolean;
  /** z of the normal approximation (approx mode). */
  z?: number;
}

/** Average ranks (1-based) of values, ties sharing the mean of their positions (scipy's rankdata). */
export function averageRanks(values: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = Array<number>(values.length);
  const tieSizes: number[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]![1]] = rank;
    if (j > i) tieSizes.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, tieSizes };
}

const distributions = new Map<number, Float64Array>();

/** P(T+ = s), s = 0..n(n+1)/2, under the null: subset-sum counts of 1..n over 2ⁿ. */
export function signedRankDistribution(n: number): Float64Array {
  let pmf = distributions.get(n);
  if (pmf) return pmf;
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) for (let s = (k * (k + 1)) / 2; s >= k; s--) counts[s]! += counts[s - k]!;
  const total = 2 ** n;
  pmf = counts.map((c) => c / total);
  distributions.set(n, pmf);
  return pmf;
}

/** Signed-rank test of the differences x − y (or of x alone when y is omitted). */
export function wilcoxon(
  x: readonly number[],
  y?: readonly number[],
  options: { mode?: WilcoxonMode; alternative?: Alternative; correction?: boolean } = {},
): WilcoxonResult {
  const alternative = options.alternative ?? 'two-sided';
  if (y && y.length !== x.length)
    throw new OptionError('wilcoxon', `the two samples differ in length (${x.length} vs ${y.length})`);
  let d = y ? x.map((v, i) => v - y[i]!) : [...x];
  if (d.some((v) => !Number.isFinite(v))) throw new OptionError('wilcoxon', 'values must be finite numbers');
  if (d.length === 0) throw new OptionError('wilcoxon', 'needs at least one pair');
  let mode: 'exact' | 'approx' =
    options.mode === 'approx' ? 'approx' : options.mode === 'exact' ? 'exact' : d.length <= 50 ? 'exact' : 'approx';
  const zeros = d.filter((v) => v === 0).length;
  if (zeros > 0 && mode === 'exact') mode = 'approx';
  if (mode === 'approx') {
    if (zeros === d.length) throw new OptionError('wilcoxon', 'all differences are zero');
    d = d.filter((v) => v !== 0);
  }
  const n = d.length;
  const { ranks, tieSizes } = averageRanks(d.map(Math.abs));
  let rPlus = 0,
    rMinus = 0;
  d.forEach((v, i) => {
    if (v > 0) rPlus += ranks[i]!;
    else if (v < 0) rMinus += ranks[i]!;
  });
  const statistic = alternative === 'two-sided' ? Math.min(rPlus, rMinus) : rPlus;
  const base = { statistic, rPlus, rMinus, mode, n, zeros, ties: tieSizes.length > 0 };
  if (mode === 'approx') {
    const mean = (n * (n + 1)) / 4;
    let variance = n * (n + 1) * (2 * n + 1);
    for (const t of tieSizes) variance -= 0.5 * t * (t * t - 1);
    const se = Math.sqrt(variance / 24);
    let shift = 0;
    if (options.correction)
      shift = alternative === 'two-sided' ? 0.5 * Math.sign(statistic - mean) : alternative === 'less' ? -0.5 : 0.5;
    const z = (statistic - mean - shift) / se;
    const pValue =
      alternative === 'two-sided'
        ? 2 * (1 - normalCdf(Math.abs(z), 0, 1))
        : alternative === 'greater'
          ? 1 - normalCdf(z, 0, 1)
          : normalCdf(z, 0, 1);
    return { ...base, pValue: Math.min(1, pValue), z };
  }
  const pmf = signedRankDistribution(n);
  const r = Math.trunc(rPlus);
  const sum = (from: number, to: number) => {
    let s = 0;
    for (let i = from; i <= to; i++) s += pmf[i]!;
    return s;
  };
  let pValue: number;
  if (alternative === 'two-sided') {
    pValue = r === (pmf.length - 1) >> 1 ? 1 : 2 * Math.min(sum(0, r), sum(r, pmf.length - 1));
  } else if (alternative === 'greater') pValue = sum(r, pmf.length - 1);
  else pValue = sum(0, r);
  return { ...base, pValue: Math.min(1, Math.max(0, pValue)) };
}
