import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapMeanCi } from '../../src/stats/bootstrap.js';
import { summarize } from '../../src/stats/summary.js';
import { Random } from '../../src/util/random.js';
import { close } from '../metrics/helpers.js';

test('summary: mean, sample std, median, min, max (numpy: mean 4, std(ddof=1) 3.517811819867572, median 2.5)', () => {
  const s = summarize([1, 2.5, 2.5, 4, 10]);
  assert.equal(s.count, 5);
  close(s.mean, 4);
  close(s.std, 3.517811819867572, 1e-12);
  close(s.median, 2.5);
  assert.equal(s.min, 1);
  assert.equal(s.max, 10);
  close(summarize([1, 2, 3, 4]).median, 2.5);
  assert.equal(summarize([7]).std, 0);
  assert.ok(Number.isNaN(summarize([]).mean));
});

test('bootstrap CI: the same seed gives the same interval, another seed a slightly different one', () => {
  const values = Array.from({ length: 30 }, (_, i) => Math.sin(i) + i / 10);
  const a = bootstrapMeanCi(values, { seed: 3 });
  assert.deepEqual(bootstrapMeanCi(values, { seed: 3 }), a);
  const b = bootstrapMeanCi(values, { seed: 4 });
  assert.notDeepEqual(a, b);
  const mean = values.reduce((p, q) => p + q, 0) / values.length;
  assert.ok(a[0] < mean && mean < a[1]);
  assert.deepEqual(bootstrapMeanCi([0.5]), [0.5, 0.5]);
  assert.deepEqual(bootstrapMeanCi([0.25, 0.25, 0.25]), [0.25, 0.25]);
});

test('bootstrap CI: width matches ±1.96·σ/√n and it covers the true mean about 95 % of the time', () => {
  // Normal samples (σ = 1, n = 40): the percentile interval's width should be near 2·1.96/√40 = 0.62,
  // and over 200 independent samples it should cover 0 in roughly 95 % (binomial sd ≈ 1.5 %; the
  // percentile bootstrap runs a little narrow at n = 40, so accept 88–99 %).
  const random = new Random(2024);
  let covered = 0,
    width = 0;
  const trials = 200;
  for (let t = 0; t < trials; t++) {
    const values = Array.from({ length: 40 }, () => random.normal());
    const [lo, hi] = bootstrapMeanCi(values, { seed: t, resamples: 1000 });
    if (lo <= 0 && 0 <= hi) covered++;
    width += (hi - lo) / trials;
  }
  assert.ok(covered / trials >= 0.88 && covered / trials <= 0.99, `coverage ${covered / trials}`);
  assert.ok(Math.abs(width - 0.62) < 0.06, `mean width ${width}`);
});
