import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairedTest } from '../../src/stats/paired-test.js';
import { VesaliusError } from '../../src/util/errors.js';
import { close } from '../metrics/helpers.js';

// Expected values from Debian's scipy 1.10.1 (/usr/bin/python3), e.g.
//   stats.ttest_rel(x, y) and stats.wilcoxon(x, y) for the arrays below.
const x = [10, 12, 15, 20, 22, 25, 31, 40];
const y = [9, 14, 12, 16, 17, 31, 24, 32]; // differences 1, −2, 3, 4, 5, −6, 7, 8: no ties, no zeros

test('paired t test equals scipy.stats.ttest_rel', () => {
  const r = pairedTest(x, y, { test: 't' });
  close(r.statistic, 1.507556722888818, 1e-12);
  close(r.pValue, 0.175399548242805, 1e-12);
  close(r.meanDifference, 20 / 8, 1e-12);
  const a = [0.81, 0.77, 0.9, 0.68, 0.85, 0.79, 0.88, 0.73, 0.8, 0.84];
  const b = [0.78, 0.75, 0.86, 0.7, 0.8, 0.74, 0.85, 0.69, 0.79, 0.83];
  close(pairedTest(a, b).pValue, 0.004295743442226401, 1e-12);
  close(pairedTest(a, b, { alternative: 'greater' }).pValue, 0.0021478717211132004, 1e-12);
});

test('Wilcoxon signed-rank equals scipy.stats.wilcoxon (exact without ties, normal approximation with zeros)', () => {
  const r = pairedTest(x, y, { test: 'wilcoxon' });
  // T+ = 1+3+4+5+7+8 = 28, T− = 2+6 = 8 (scipy reports min = 8); exact two-sided p = 0.1953125.
  assert.equal(r.statistic, 8);
  close(r.pValue, 0.1953125, 1e-12);
  close(pairedTest(x, y, { test: 'wilcoxon', alternative: 'greater' }).pValue, 0.09765625, 1e-12);
  // A zero difference: scipy drops it and switches to the normal approximation without correction.
  const c = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const d = [1, 3, 2, 2, 4, 4, 9, 5, 5, 12, 8, 8];
  close(pairedTest(c, d, { test: 'wilcoxon' }).pValue, 0.07306205447897775, 1e-12);
});

test('unequal lengths, too few pairs, non-finite values and unknown tests are user errors', () => {
  assert.throws(() => pairedTest([1, 2], [1]), VesaliusError);
  assert.throws(() => pairedTest([1], [2]), VesaliusError);
  assert.throws(() => pairedTest([1, NaN], [2, 3]), VesaliusError);
  assert.throws(() => pairedTest([1, 2], [1, 2], { test: 'wilcoxon' }), /all differences are zero/);
  assert.throws(() => pairedTest([1, 2], [2, 3], { test: 'z' as never }), /unknown test/);
});
