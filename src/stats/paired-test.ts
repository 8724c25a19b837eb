import ttest from '@stdlib/stats-ttest';
import wilcoxon from '@stdlib/stats-wilcoxon';
import { OptionError } from '../util/errors.js';

export type PairedTestName = 't' | 'wilcoxon';

export interface PairedTestResult {
  test: PairedTestName;
  /** t statistic, or Wilcoxon's T+ (sum of the ranks of the positive differences a − b). */
  statistic: number;
  pValue: number;
  /** Number of pairs. */
  n: number;
  /** Mean of the differences a − b. */
  meanDifference: number;
}

export interface PairedTestOptions {
  test?: PairedTestName;
  alternative?: 'two-sided' | 'less' | 'greater';
}

/**
 * Paired comparison of per-case values a[i] vs b[i]: Student's paired t test (scipy.stats.ttest_rel)
 * or the Wilcoxon signed-rank test (scipy.stats.wilcoxon defaults: zero differences dropped, exact
 * distribution below 50 pairs without ties, else the normal approximation with continuity
 * correction) — through @stdlib, which reproduces scipy's numbers.
 */
export function pairedTest(a: ArrayLike<number>, b: ArrayLike<number>, options: PairedTestOptions = {}): PairedTestResult {
  const test = options.test ?? 't';
  const alternative = options.alternative ?? 'two-sided';
  if (a.length !== b.length) throw new OptionError('pairedTest', `the two samples differ in length (${a.length} vs ${b.length})`);
  if (a.length < 2) throw new OptionError('pairedTest', `needs at least 2 pairs, got ${a.length}`);
  const x = Array.from(a), y = Array.from(b);
  if (x.some((v) => !Number.isFinite(v)) || y.some((v) => !Number.isFinite(v))) {
    throw new OptionError('pairedTest', 'values must be finite numbers');
  }
  let meanDifference = 0;
  for (let i = 0; i < x.length; i++) meanDifference += (x[i]! - y[i]!) / x.length;
  if (test === 't') {
    const r = ttest(x, y, { alternative });
    return { test, statistic: r.statistic, pValue: r.pValue, n: x.length, meanDifference };
  }
  if (test === 'wilcoxon') {
    if (x.every((v, i) => v === y[i])) throw new OptionError('pairedTest', 'Wilcoxon test: all differences are zero');
    const r = wilcoxon(x, y, { alternative });
    return { test, statistic: r.statistic, pValue: r.pValue, n: x.length, meanDifference };
  }
  throw new OptionError('pairedTest', `unknown test "${String(test)}" (expected t or wilcoxon)`);
}
