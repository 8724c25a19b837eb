import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  accuracy,
  balancedAccuracy,
  confusionMatrix,
  sensitivitySpecificity,
} from '../../src/metrics/confusion-matrix.js';
import { cohenKappa } from '../../src/metrics/kappa.js';
import { close } from './helpers.js';

test('confusion matrix, accuracy, balanced accuracy, sensitivity and specificity', () => {
  const truth = [0, 0, 0, 1, 1, 2, 2, 2, 2, 1];
  const pred = [0, 1, 0, 1, 1, 2, 0, 2, 2, 2];
  const m = confusionMatrix(truth, pred);
  assert.deepEqual(m, [
    [2, 1, 0],
    [0, 2, 1],
    [1, 0, 3],
  ]);
  close(accuracy(m), 7 / 10);
  close(balancedAccuracy(m), (2 / 3 + 2 / 3 + 3 / 4) / 3);
  const binary = [
    [50, 10],
    [5, 35],
  ]; // truth 0: 50 right, 10 wrong; truth 1: 35 right, 5 missed
  assert.deepEqual(sensitivitySpecificity(binary), { sensitivity: 35 / 40, specificity: 50 / 60 });
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 2), /expected integers in 0..1/);
});

test("Cohen's kappa on hand-computed tables: plain, linear and quadratic weights", () => {
  // 2×2: p_o = 35/50 = 0.7, marginals 25/25 and 30/20 → p_e = (25·30 + 25·20)/50² = 0.5 → κ = 0.2/0.5 = 0.4.
  close(
    cohenKappa([
      [20, 5],
      [10, 15],
    ]),
    0.4,
    1e-12,
  );
  // 3×3, N = 30, rows 12, 12, 6, columns 13, 12, 5:
  //  plain: p_o = 22/30, p_e = (12·13 + 12·12 + 6·5)/900 = 330/900 → κ = (660 − 330)/(900 − 330) = 11/19.
  //  linear: Σ|i−j|·O = 2 + 3 + 1 + 2 = 8; Σ|i−j|·r_i·c_j = 144 + 2·60 + 156 + 60 + 2·78 + 72 = 708
  //   → κ = 1 − (8/30)/(708/900) = 1 − 240/708 = 39/59.
  //  quadratic: Σ(i−j)²·O = 8; Σ(i−j)²·r_i·c_j = 144 + 4·60 + 156 + 60 + 4·78 + 72 = 984 → 1 − 240/984 = 31/41.
  const m = [
    [10, 2, 0],
    [3, 8, 1],
    [0, 2, 4],
  ];
  close(cohenKappa(m), 11 / 19, 1e-12);
  close(cohenKappa(m, 'linear'), 39 / 59, 1e-12);
  close(cohenKappa(m, 'quadratic'), 31 / 41, 1e-12);
  close(
    cohenKappa([
      [5, 0],
      [0, 5],
    ]),
    1,
  );
});
