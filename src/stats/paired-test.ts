import ttest from '@stdlib/stats-ttest';
import { OptionError } from '../util/errors.js';
import { wilcoxon } from './wilcoxon.js';

export type PairedTestName = 't' | 'wilcoxon';

export interface PairedTestResult {
  test: PairedTestName;
  /** t statistic, or scipy's Wilcoxon statistic (min(T+, T−) two-sided, T+ one-sided). */
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
 * Paired comparison of per-case values a[i] vs b[i], through `@stdlib`:
 * - 't': Student's paired t test; equals scipy.stats.ttest_rel (checked to 1e-12).
 * - 'wilcoxon': signed-rank test exactly as scipy.stats.wilcoxon with its defaults (./wilcoxon.ts):
 *   zero differences dropped, no continuity correction, the exact distribution for at most 50 pairs
 *   without zeros, else the tie-corrected normal approximation. The statistic is scipy's:
 *   min(T+, T−) two-sided, T+ one-sided.
 *
 * @param a per-case values of method A
 * @param b per-case values of method B, in the same case order
 * @param options `test` ('t' by default or 'wilcoxon') and `alternative`
 * @returns the statistic, p-value, number of pairs and mean difference a − b
 * @throws OptionError naming `pairedTest` for samples of different lengths, fewer than 2 pairs,
 *   non-finite values, or (Wilcoxon) all differences zero
 *
 * @example
 * ```ts
 * import { pairedTest } from 'vesalius/stats';
 * const { pValue } = pairedTest(diceOfA, diceOfB, { test: 'wilcoxon' });
 * ```
 */
export function pairedTest(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: PairedTestOptions = {},
): PairedTestResult {
  const test = options.test ?? 't';
  const alternative = options.alternative ?? 'two-sided';
  if (a.length !== b.length)
    throw new OptionError('pairedTest', `the two samples differ in length (${a.length} vs ${b.length})`);
  if (a.length < 2) throw new OptionError('pairedTest', `needs at least 2 pairs, got ${a.length}`);
  const x = Array.from(a),
    y = Array.from(b);
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
