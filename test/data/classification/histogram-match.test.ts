import assert from 'node:assert/strict';
import { test } from 'node:test';
import { histogramTemplate, matchHistograms } from '../../../src/data/classification/histogram-match.js';
import { ShapeError } from '../../../src/util/errors.js';
import { Random } from '../../../src/util/random.js';
import { runPythonJson } from '../../helpers/python-json.js';
import { python, referenceTest } from '../../helpers/reference.js';

test('histogram matching an image to itself is the identity', () => {
  const rng = new Random(3);
  const image = Float32Array.from({ length: 300 }, () => Math.round(rng.uniform(0, 40)));
  const matched = matchHistograms(image, 1, histogramTemplate(image, 1, 'self'), 'image');
  assert.deepEqual([...matched], [...image]);
});

test("histogram matching gives the reference's histogram when both have distinct values (hand-computed)", () => {
  // quantiles 1/4, 2/4, 3/4, 4/4 of the image's distinct values meet the reference's at the same ranks
  const image = Float32Array.from([5, 1, 9, 3]);
  const reference = Float32Array.from([100, 400, 200, 300]);
  const matched = matchHistograms(image, 1, histogramTemplate(reference, 1, 'ref'), 'image');
  assert.deepEqual([...matched], [300, 100, 400, 200]);
  // a reference with fewer distinct values: quantile 1/4 falls below the first (1/2) → its value;
  // 3/4 lies halfway between 1/2 (10) and 1 (20) → 15
  const coarse = matchHistograms(image, 1, histogramTemplate([10, 10, 20, 20], 1, 'ref'), 'image');
  assert.deepEqual([...coarse], [15, 10, 20, 10]);
});

test('histogram matching with a different channel count names the reference', () => {
  assert.throws(
    () => matchHistograms(new Float32Array(8), 2, histogramTemplate(new Float32Array(4), 1, 'ref.png'), 'a.png'),
    (e: Error) =>
      e instanceof ShapeError && /^a\.png: 2 channel\(s\), but the histogram reference ref\.png has 1/.test(e.message),
  );
});

referenceTest(
  'histogram matching equals skimage.exposure.match_histograms (grey and multichannel)',
  python('skimage', 'numpy'),
  () => {
    const rng = new Random(11);
    const cases = [
      { channels: 1, n: 500, m: 700, int: true },
      { channels: 3, n: 400, m: 350, int: true },
      { channels: 2, n: 300, m: 260, int: false },
    ].map((c) => ({
      ...c,
      image: Array.from({ length: c.channels * c.n }, (_, i) => {
        const v = 60 + 40 * Math.sin(i / 7) + rng.uniform(-30, 30);
        return c.int ? Math.round(Math.max(0, v)) : v;
      }),
      reference: Array.from({ length: c.channels * c.m }, () => {
        const v = rng.uniform(0, 1) ** 2 * 255;
        return c.int ? Math.round(v) : v;
      }),
    }));
    // skimage casts a multichannel result back to the image's dtype (truncating uint8); the definition is
    // compared in float64 there, and on uint8 input (float64 output) for one channel
    const expected = runPythonJson<number[][]>(
      `
import numpy as np
from skimage.exposure import match_histograms
out = []
for c in data:
    img = np.array(c['image'], dtype=np.float64).reshape(c['channels'], c['n']).T
    ref = np.array(c['reference'], dtype=np.float64).reshape(c['channels'], c['m']).T
    if c['channels'] == 1:
        m = match_histograms(img[:, 0].astype(np.uint8), ref[:, 0].astype(np.uint8))[:, None]
    else:
        m = match_histograms(img, ref, channel_axis=-1)
    out.append(m.T.ravel().tolist())
print(json.dumps(out))`,
      cases,
    );
    const diffs = cases.map((c, i) => {
      const got = matchHistograms(c.image, c.channels, histogramTemplate(c.reference, c.channels, 'ref'), 'image');
      let worst = 0;
      got.forEach((v, j) => {
        const want = expected[i]![j]!;
        worst = Math.max(worst, Math.abs(v - want) / Math.max(1, Math.abs(want)));
      });
      assert.ok(worst < 1e-6, `case ${i}: max relative |Δ| ${worst}`);
      return worst.toExponential(1);
    });
    console.log(`histogram matching vs skimage, max relative |Δ|: ${diffs.join(', ')}`);
  },
);
