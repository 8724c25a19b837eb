import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile } from '../../src/util/percentile.js';
import { close } from '../metrics/helpers.js';

test("percentiles interpolate linearly like numpy's default (values from np.percentile)", () => {
  close(percentile([1, 2, 3, 4], 95), 3.85, 1e-12); // rank 0.95·3 = 2.85 → 3 + 0.85
  close(percentile([5, 1, 9, 3, 7, 2], 95), 8.5, 1e-12);
  close(percentile([5, 1, 9, 3, 7, 2], 50), 4, 1e-12);
  assert.equal(percentile([2.5], 95), 2.5);
  assert.ok(Number.isNaN(percentile([], 50)));
});
