import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averagePrecision, rocAuc, rocAucOneVsRest } from '../../src/metrics/auc.js';
import { Random } from '../../src/util/random.js';
import { close } from './helpers.js';

/** Truth: the fraction of (positive, negative) pairs ranked right, ties counting one half. */
function pairCount(scores: number[], truth: number[]): number {
  let wins = 0,
    pairs = 0;
  scores.forEach((s, i) => {
    if (!truth[i]) return;
    scores.forEach((t, j) => {
      if (truth[j]) return;
      pairs++;
      wins += s > t ? 1 : s === t ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

test('AUC with ties equals the Mann–Whitney U / (n₊ n₋) (scipy mannwhitneyu U = 23.5)', () => {
  const pos = [0.9, 0.8, 0.8, 0.4, 0.35];
  const neg = [0.8, 0.3, 0.2, 0.35, 0.1, 0.8];
  const scores = [...pos, ...neg],
    truth = [...pos.map(() => 1), ...neg.map(() => 0)];
  // U by midranks: ranks of the 11 scores (ties averaged): 0.1→1, 0.2→2, 0.3→3, 0.35→4.5 (×2),
  // 0.4→6, 0.8→8.5 (×4), 0.9→11. Positive rank sum = 11 + 8.5 + 8.5 + 6 + 4.5 = 38.5,
  // U = 38.5 − 5·6/2 = 23.5, AUC = 23.5/30.
  close(rocAuc(scores, truth)!, 23.5 / 30, 1e-15);
  close(rocAuc(scores, truth)!, pairCount(scores, truth), 1e-15);
});

test('AUC equals the brute-force pair count on random scores with many ties, inside an ROI', () => {
  const random = new Random(9);
  for (let trial = 0; trial < 20; trial++) {
    const n = 50 + random.int(100);
    const scores = Array.from({ length: n }, () => random.int(8) / 7);
    const truth = Array.from({ length: n }, (_, i) => (random.next() < 0.3 + 0.4 * scores[i]! ? 1 : 0));
    const roi = Array.from({ length: n }, () => (random.next() < 0.8 ? 1 : 0));
    const keep = roi.map((r, i) => (r ? i : -1)).filter((i) => i >= 0);
    const expected = pairCount(
      keep.map((i) => scores[i]!),
      keep.map((i) => truth[i]!),
    );
    close(rocAuc(scores, truth, roi)!, expected, 1e-12, `trial ${trial}`);
  }
});

test('scikit-learn documentation example: AUC 0.75, average precision 0.8333', () => {
  const truth = [0, 0, 1, 1],
    scores = [0.1, 0.4, 0.35, 0.8];
  close(rocAuc(scores, truth)!, 0.75);
  close(averagePrecision(scores, truth)!, 0.8333333333333333, 1e-12);
});

test('average precision with tied scores takes each tie as one threshold', () => {
  // Thresholds 0.9: TP 1, FP 1 (P 1/2, R 1/3); 0.5: TP 2, FP 1 (P 2/3, R 2/3); 0.2: TP 3, FP 2 (P 3/5, R 1).
  // AP = (1/3)(1/2) + (1/3)(2/3) + (1/3)(3/5).
  close(averagePrecision([0.9, 0.9, 0.5, 0.2, 0.2], [1, 0, 1, 1, 0])!, (1 / 2 + 2 / 3 + 3 / 5) / 3, 1e-12);
});

test('undefined AUC (one class only) is null, not NaN; one-vs-rest macro averages the defined ones', () => {
  assert.equal(rocAuc([0.1, 0.9], [1, 1]), null);
  assert.equal(averagePrecision([0.1, 0.9], [0, 0]), null);
  // Three classes; class 0 perfectly ranked (AUC 1), class 1 inverted (0), class 2: positive sample 2
  // scores 0.5 vs negatives 0.2, 0.5, 0.3 → (1 + 0.5 + 1)/3.
  const probabilities = [
    [0.9, 0.0, 0.2],
    [0.05, 0.0, 0.5],
    [0.05, 1.0, 0.5],
    [0.0, 0.8, 0.3],
  ];
  const labels = [0, 1, 2, 1];
  // class 1 positives (samples 1, 3) score 0.0, 0.8 vs negatives 0.0, 1.0: pairs (0 vs 0 → ½, 0 vs 1 → 0, 0.8 vs 0 → 1, 0.8 vs 1 → 0) = 1.5/4.
  close(rocAucOneVsRest(probabilities, labels)!, (1 + 1.5 / 4 + 2.5 / 3) / 3, 1e-12);
});

test('NaN scores are refused', () => {
  assert.throws(() => rocAuc([0.1, NaN], [0, 1]), /NaN/);
});
