import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { eigenSym2, eigenSym3 } from '../../src/baselines/eigen.js';
import { featureBank, featureNames, DEFAULT_FEATURES } from '../../src/baselines/features.js';
import { gaussianDerivatives } from '../../src/baselines/filters.js';
import { otsuLevel, tuneLevel } from '../../src/baselines/threshold.js';
import { Random } from '../../src/util/random.js';
import { close } from '../metrics/helpers.js';
import { hasPythonModules, referenceTest, SYSTEM_PYTHON } from '../helpers/reference.js';

referenceTest(
  'Gaussian derivative filters equal scipy.ndimage.gaussian_filter(order=...) (reflect border, radius 4σ)',
  hasPythonModules('scipy', 'numpy'),
  'python3-scipy',
  () => {
    const [ni, nj, nk] = [13, 11, 7];
    const rng = new Random(5);
    const vol = Float32Array.from({ length: ni * nj * nk }, () => rng.normal());
    const sigmas = [1.5, 1, 2];
    const orders = [
      [0, 0, 0],
      [1, 0, 0],
      [0, 2, 0],
      [1, 0, 1],
    ];
    const ours = gaussianDerivatives(vol, [ni, nj, nk], sigmas, orders);
    // numpy arrays are (k, j, i); scipy's axes run k, j, i
    const script = `
import json, sys, numpy as np
from scipy import ndimage
d = json.load(sys.stdin)
v = np.array(d['vol'], dtype=np.float64).reshape(${nk}, ${nj}, ${ni})
out = [ndimage.gaussian_filter(v, sigma=[${sigmas[2]}, ${sigmas[1]}, ${sigmas[0]}], order=[o[2], o[1], o[0]], mode='reflect', truncate=4.0).ravel().tolist() for o in d['orders']]
print(json.dumps(out))`;
    const py = spawnSync(SYSTEM_PYTHON, ['-c', script], {
      input: JSON.stringify({ vol: Array.from(vol), orders }),
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    assert.equal(py.status, 0, py.stderr);
    const expected = JSON.parse(py.stdout) as number[][];
    orders.forEach((o, n) => {
      const got = ours.get(o.join(','))!;
      let worst = 0;
      for (let v = 0; v < got.length; v++) worst = Math.max(worst, Math.abs(got[v]! - expected[n]![v]!));
      assert.ok(worst < 1e-4, `order ${o}: max difference ${worst}`);
    });
  },
);

test('symmetric eigenvalues (2×2 and 3×3, repeated ones included) sorted ascending', () => {
  assert.deepEqual(eigenSym2(2, 0, -1), [-1, 2]);
  const [a, b] = eigenSym2(2, 1, 2); // [[2,1],[1,2]] → 1, 3
  close(a, 1, 1e-12);
  close(b, 3, 1e-12);
  const e = eigenSym3(2, 2, 2, 1, 1, 1); // J + I: 1, 1, 4
  close(e[0], 1, 1e-9);
  close(e[1], 1, 1e-9);
  close(e[2], 4, 1e-9);
  const f = eigenSym3(4, 1, -2, 0, 0, 0);
  assert.deepEqual(f, [-2, 1, 4]);
  // [[2,-1,0],[-1,2,-1],[0,-1,2]]: 2 − √2, 2, 2 + √2
  const g = eigenSym3(2, 2, 2, -1, 0, -1);
  close(g[0], 2 - Math.SQRT2, 1e-9);
  close(g[1], 2, 1e-9);
  close(g[2], 2 + Math.SQRT2, 1e-9);
});

test('feature bank: names and counts per dimension; Frangi responds to a dark line, not to flat background', () => {
  assert.equal(featureNames(DEFAULT_FEATURES, 1, 2).length, 1 + 3 * 7);
  assert.equal(featureNames(DEFAULT_FEATURES, 1, 3).length, 1 + 3 * 8);
  assert.equal(featureNames({ ...DEFAULT_FEATURES, channels: [1] }, 3, 2).length, 22);
  const n = 32;
  const data = new Float32Array(n * n).fill(1);
  for (let i = 0; i < n; i++) data[i + n * 16] = 0; // a dark horizontal line at j = 16
  const bank = featureBank({ data, channels: 1, shape: [n, n, 1], spacing: [1, 1, 1] }, 2, {
    ...DEFAULT_FEATURES,
    sigmas: [1],
  });
  const dark = bank.values[bank.names.indexOf('c0:σ1:frangi_dark')]!;
  const bright = bank.values[bank.names.indexOf('c0:σ1:frangi_bright')]!;
  assert.ok(dark[10 + n * 16]! > 0.5, `dark vesselness on the line ${dark[10 + n * 16]}`);
  assert.equal(bright[10 + n * 16], 0);
  assert.ok(dark[10 + n * 4]! < 1e-3, 'nothing far from the line');
  // the Hessian across a dark line is positive: largest eigenvalue > 0 on the line
  assert.ok(bank.values[bank.names.indexOf('c0:σ1:hessian2')]![10 + n * 16]! > 0);
});

test("Otsu's level separates two modes; the tuned threshold finds the level and polarity of the best Dice", () => {
  const values = [...Array(60).fill(10), ...Array(40).fill(50)];
  const level = otsuLevel(values);
  assert.ok(level > 10 && level < 50, `level ${level}`);
  // a mask hides the bright mode: all values equal, the level is that value
  assert.equal(
    otsuLevel(
      values,
      values.map((v) => (v === 10 ? 1 : 0)),
    ),
    10,
  );
  const rng = new Random(1);
  const label = Uint8Array.from({ length: 500 }, () => (rng.next() < 0.3 ? 1 : 0));
  const vals = Float32Array.from(label, (l) => (l ? -2 : 2) + 0.5 * rng.normal());
  const best = tuneLevel([{ values: vals, label }], ['bright', 'dark']);
  assert.equal(best.polarity, 'dark');
  assert.ok(Math.abs(best.level) < 1 && best.dice > 0.95, JSON.stringify(best));
});
