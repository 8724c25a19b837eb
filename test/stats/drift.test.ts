import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { kolmogorovSf, ksTwoSample } from '../../src/stats/ks.js';
import { populationStabilityIndex } from '../../src/stats/psi.js';
import { Random } from '../../src/util/random.js';
import { hasPythonModules, referenceTest, SYSTEM_PYTHON } from '../helpers/reference.js';

function normal(rng: Random, n: number, mean = 0, sd = 1): number[] {
  return Array.from({ length: n }, () => {
    const u = Math.max(rng.next(), 1e-12);
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  });
}

referenceTest(
  'two-sample KS statistic equals scipy ks_2samp; p-value equals kstwobign.sf',
  hasPythonModules('scipy'),
  'python3-scipy',
  () => {
    const rng = new Random(7);
    const cases = [
      [normal(rng, 40), normal(rng, 55, 0.3)],
      [normal(rng, 12), normal(rng, 9, 1.5, 2)],
      // ties on both sides
      [
        [1, 1, 2, 2, 2, 3, 5, 5],
        [2, 2, 3, 3, 4, 5, 5, 6, 6],
      ],
      [normal(rng, 300), normal(rng, 200, 0.05)],
    ];
    const script = `
import json, sys, math
from scipy import stats
for a, b in json.load(sys.stdin):
    d = stats.ks_2samp(a, b).statistic
    en = math.sqrt(len(a) * len(b) / (len(a) + len(b)))
    print(json.dumps([d, stats.kstwobign.sf(en * d)]))`;
    const out = spawnSync(SYSTEM_PYTHON, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    const expected = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as [number, number]);
    cases.forEach(([a, b], i) => {
      const r = ksTwoSample(a!, b!);
      assert.ok(Math.abs(r.statistic - expected[i]![0]) < 1e-12, `D ${r.statistic} vs ${expected[i]![0]}`);
      assert.ok(Math.abs(r.pValue - expected[i]![1]) < 1e-9, `p ${r.pValue} vs ${expected[i]![1]}`);
    });
    // both branches of the Kolmogorov series meet
    assert.ok(Math.abs(kolmogorovSf(0.2 - 1e-9) - kolmogorovSf(0.2 + 1e-9)) < 1e-8);
  },
);

test('PSI by hand: quantile bins of the reference, Σ (a − e) ln(a/e), counts smoothed by 0.5', () => {
  const reference = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  // bins cut at the reference median 5.5 and its maximum 10, plus the open bin above
  const raw = populationStabilityIndex(reference, [1, 2, 3, 9], { bins: 2, smoothing: 0 });
  assert.deepEqual(raw.edges, [5.5, 10]);
  assert.deepEqual(raw.expected, [0.5, 0.5, 0]);
  assert.deepEqual(raw.actual, [0.75, 0.25, 0]);
  const byHand = (0.75 - 0.5) * Math.log(0.75 / 0.5) + (0.25 - 0.5) * Math.log(0.25 / 0.5);
  assert.ok(Math.abs(raw.psi - byHand) < 1e-12);
  // smoothed: counts (5.5, 5.5, 0.5)/11.5 and (3.5, 1.5, 0.5)/5.5
  const r = populationStabilityIndex(reference, [1, 2, 3, 9], { bins: 2 });
  const e = [5.5 / 11.5, 5.5 / 11.5, 0.5 / 11.5];
  const a = [3.5 / 5.5, 1.5 / 5.5, 0.5 / 5.5];
  const smoothed = e.reduce((s, ei, b) => s + (a[b]! - ei) * Math.log(a[b]! / ei), 0);
  assert.ok(Math.abs(r.psi - smoothed) < 1e-12);
  // the same distribution: PSI 0; everything beyond the reference maximum: a large shift
  assert.ok(populationStabilityIndex(reference, reference).psi < 0.05);
  const far = populationStabilityIndex(reference, [50, 60, 70]);
  assert.ok(far.psi > 2, `${far.psi}`);
});

test('PSI of a constant reference (all spacings equal) stays below the shift threshold for the same value and is large for another', () => {
  const reference = new Array(12).fill(1.5);
  assert.ok(populationStabilityIndex(reference, [1.5, 1.5, 1.5]).psi < 0.25);
  assert.ok(populationStabilityIndex(reference, [3, 3, 3]).psi > 1);
  assert.ok(populationStabilityIndex(reference, new Array(12).fill(3)).psi > 2);
});

test('PSI and KS on samples: same distribution small, shifted large', () => {
  const rng = new Random(3);
  const ref = normal(rng, 500);
  const same = normal(rng, 200);
  const shifted = normal(rng, 200, 1);
  assert.ok(populationStabilityIndex(ref, same).psi < 0.1);
  assert.ok(populationStabilityIndex(ref, shifted).psi > 0.25);
  assert.ok(ksTwoSample(ref, same).pValue > 0.01);
  assert.ok(ksTwoSample(ref, shifted).pValue < 1e-6);
});
