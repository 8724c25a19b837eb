import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createImage, type Vec3 } from '../../src/io/image.js';
import { evaluateCase } from '../../src/metrics/evaluate.js';
import { bothEmptyRecord } from '../../src/metrics/evaluate-folder.js';
import { ShapeError } from '../../src/util/errors.js';
import { boxMask, close } from './helpers.js';

const shape: Vec3 = [10, 10, 10];
const spacing: Vec3 = [1, 1, 2];

/** A label map with `label` inside each box. */
function labelMap(boxes: Array<[number, Vec3, Vec3]>): Uint8Array {
  const out = new Uint8Array(1000);
  for (const [label, lo, hi] of boxes)
    boxMask(shape, lo, hi).forEach((v, i) => {
      if (v) out[i] = label;
    });
  return out;
}

test('multi-class label map: per-label Dice, a merged region, labels from the union of both maps', () => {
  // GT: label 1 = [0,4)×[0,4)×[0,4) (64 voxels), label 2 = [4,6)×[0,4)×[0,4) (32).
  // Pred: label 1 = [0,4)×[0,4)×[0,2) (32), label 2 = [4,8)×[0,4)×[0,4) (64), label 3 = [9,10)×[9,10)×[9,10) (1).
  const gt = createImage(
    labelMap([
      [1, [0, 0, 0], [4, 4, 4]],
      [2, [4, 0, 0], [6, 4, 4]],
    ]),
    shape,
    { spacing },
  );
  const pred = createImage(
    labelMap([
      [1, [0, 0, 0], [4, 4, 2]],
      [2, [4, 0, 0], [8, 4, 4]],
      [3, [9, 9, 9], [10, 10, 10]],
    ]),
    shape,
    { spacing },
  );
  const records = evaluateCase(pred, gt, { regions: [{ name: 'WT', labels: [1, 2, 3] }], labels: [1, 2, 3] });
  assert.deepEqual(
    records.map((r) => r.class),
    ['1', '2', '3', 'WT'],
  );
  const [one, two, three, wt] = records;
  close(one!.dice, (2 * 32) / (64 + 32)); // TP 32
  close(two!.dice, (2 * 32) / (32 + 64)); // TP 32
  assert.equal(three!.emptiness, 'gt-empty');
  assert.equal(three!.dice, 0);
  const diagonal = Math.sqrt(10 ** 2 + 10 ** 2 + 20 ** 2);
  close(three!.hd95, diagonal);
  // WT: GT 96 voxels, pred 32 + 64 + 1 = 97, overlap: GT's [0,6)×[0,4)×[0,4) vs pred's [0,4)×[0,4)×[0,2) ∪ [4,8)×[0,4)×[0,4)
  // → 32 + 32 = 64 → Dice = 128/193.
  close(wt!.dice, 128 / 193);
  assert.equal(wt!.predVolumeMm3, 97 * 2);
  assert.equal(wt!.volumeDifferenceMm3, 2);
  // Without labels: the non-zero labels of either map.
  assert.deepEqual(
    evaluateCase(pred, gt).map((r) => r.class),
    ['1', '2', '3'],
  );
});

test('0/255 masks with binary: true; ROI; probability map AUC inside the ROI', () => {
  const s: Vec3 = [4, 2, 1];
  const gt = createImage(Uint8Array.from([255, 255, 0, 0, 255, 0, 0, 0]), s);
  const pred = createImage(Float32Array.from([1, 0, 1, 0, 1, 0, 0, 1]), s);
  const roi = createImage(Uint8Array.from([255, 255, 255, 255, 255, 255, 0, 0]), s);
  const prob = createImage(Float32Array.from([0.9, 0.4, 0.6, 0.1, 0.8, 0.3, 0.99, 0.99]), s);
  const [r] = evaluateCase(pred, gt, { binary: true, roi, probability: prob });
  // Inside the ROI (first 6): TP 2 (0, 4), FN 1 (1), FP 1 (2), TN 2 (3, 5).
  assert.deepEqual([r!.tp, r!.fn, r!.fp, r!.tn], [2, 1, 1, 2]);
  close(r!.dice, 4 / 6);
  close(r!.specificity, 2 / 3);
  // AUC: positives 0.9, 0.4, 0.8 vs negatives 0.6, 0.1, 0.3 → wins 3 + 2 + 3 = 8 of 9.
  close(r!.auc!, 8 / 9);
  const nan = createImage(Float32Array.from([0.9, NaN, 0.6, 0.1, 0.8, 0.3, 0.99, 0.99]), s);
  assert.throws(
    () => evaluateCase(pred, gt, { binary: true, probability: nan, caseId: 'q' }),
    /OptionError: probability: case q: the probability map holds NaN at voxel 1/,
  );
  // Without binary, 255 and 1 are different labels.
  assert.deepEqual(
    evaluateCase(pred, gt).map((x) => x.class),
    ['1', '255'],
  );
});

test('a class absent from both maps follows the both-empty policy, as bothEmptyRecord does', () => {
  const gt = createImage(labelMap([[1, [0, 0, 0], [3, 3, 3]]]), shape, { spacing });
  const [, absent] = evaluateCase(gt, gt, { labels: [1, 4] });
  assert.deepEqual(absent, bothEmptyRecord({ name: '4', labels: [4] }, 1000));
  assert.equal(absent!.emptiness, 'both-empty');
});

test('geometry mismatch is a ShapeError naming the case and what differs', () => {
  const gt = createImage(new Uint8Array(1000), shape, { spacing });
  const badSpacing = createImage(new Uint8Array(1000), shape, { spacing: [1, 1, 2.5] });
  assert.throws(
    () => evaluateCase(badSpacing, gt, { caseId: 'pat7' }),
    (e: unknown) => e instanceof ShapeError && /case pat7: prediction: spacing/.test(e.message),
  );
  const badShape = createImage(new Uint8Array(900), [10, 10, 9], { spacing });
  assert.throws(() => evaluateCase(badShape, gt, { caseId: 'pat7' }), /case pat7: prediction: shape \[10, 10, 9\]/);
  const badOrigin = createImage(new Uint8Array(1000), shape, { spacing, origin: [0, 0, 1] });
  assert.throws(() => evaluateCase(badOrigin, gt, { caseId: 'x' }), /origin/);
  const flipped = createImage(new Uint8Array(1000), shape, { spacing, direction: [-1, 0, 0, 0, 1, 0, 0, 0, 1] });
  assert.throws(() => evaluateCase(flipped, gt, { caseId: 'x' }), /direction/);
  const fourD = createImage(new Uint8Array(2000), [10, 10, 10, 2], { spacing });
  assert.throws(() => evaluateCase(fourD, gt), /single-channel/);
});

test("multi-channel probability: channel l scores label l, a region sums its labels' channels", () => {
  const s: Vec3 = [4, 1, 1];
  const gt = createImage(Uint8Array.from([0, 1, 2, 0]), s);
  // Channels (background, label 1, label 2) per voxel, stored channel after channel.
  // Dyadic values, so that float32 sums tie exactly where the hand count says they do.
  const prob = createImage(
    Float32Array.from([
      0.625, 0.25, 0.125, 0.125, /* ch1 */ 0.25, 0.375, 0.125, 0.5, /* ch2 */ 0.125, 0.375, 0.75, 0.375,
    ]),
    [4, 1, 1, 3],
  );
  const records = evaluateCase(gt, gt, {
    labels: [1, 2],
    regions: [{ name: 'fg', labels: [1, 2] }],
    probability: prob,
  });
  // Label 1: positive voxel 1 scores 0.375 vs 0.25, 0.125, 0.5 → 2/3. Label 2: 0.75 vs 0.125, 0.375, 0.375 → 1.
  // fg: sums 0.375, 0.75, 0.875, 0.875 → positives 0.75, 0.875 vs negatives 0.375, 0.875 → (1 + 0 + 1 + ½)/4.
  close(records[0]!.auc!, 2 / 3);
  close(records[1]!.auc!, 1);
  close(records[2]!.auc!, 2.5 / 4);
  assert.throws(
    () => evaluateCase(gt, gt, { labels: [1, 3], probability: prob }),
    /no probability channel for label 3/,
  );
});
