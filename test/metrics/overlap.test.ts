import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Vec3 } from '../../src/io/image.js';
import { confusionCounts } from '../../src/metrics/confusion.js';
import { dice, iou, precision, recall, specificity } from '../../src/metrics/overlap.js';
import { volumeDifference } from '../../src/metrics/volume.js';
import { ballMask, boxMask, close } from './helpers.js';

test('two 4³ cubes overlapping by half: TP 32, FP 32, FN 32 → Dice 1/2, IoU 1/3', () => {
  const shape: Vec3 = [8, 8, 8];
  const a = boxMask(shape, [0, 0, 0], [4, 4, 4]);
  const b = boxMask(shape, [2, 0, 0], [6, 4, 4]);
  const c = confusionCounts(a, b);
  assert.deepEqual(c, { tp: 32, fp: 32, fn: 32, tn: 512 - 96 });
  close(dice(c), 0.5); // 2·32 / (64 + 64)
  close(iou(c), 1 / 3); // 32 / 96
  close(precision(c), 0.5);
  close(recall(c), 0.5);
  close(specificity(c), 416 / 448);
});

test('two balls: Dice from counted voxels, and close to the analytic lens volume', () => {
  // Balls of radius R = 12 and r = 10 whose centres are d = 6 apart. Lens volume
  // π(R + r − d)²(d² + 2dr − 3r² + 2dR + 6rR − 3R²)/(12d) = π·16²·288/72 = 1024π;
  // |A| = 2304π, |B| = 4000π/3 → Dice = 2·1024π / (2304π + 1333.3π) = 0.56305.
  const shape: Vec3 = [48, 40, 40];
  const a = ballMask(shape, [18, 20, 20], 12);
  const b = ballMask(shape, [24, 20, 20], 10);
  let na = 0,
    nb = 0,
    both = 0;
  for (let v = 0; v < a.length; v++) {
    na += a[v]!;
    nb += b[v]!;
    both += a[v]! & b[v]!;
  }
  const c = confusionCounts(b, a);
  assert.deepEqual([c.tp, c.fp, c.fn], [both, nb - both, na - both]);
  close(dice(c), (2 * both) / (na + nb), 1e-15);
  close(iou(c), both / (na + nb - both), 1e-15);
  close(dice(c), (2 * 1024) / (2304 + 4000 / 3), 0.002);
});

test('ROI: voxels outside the field of view are in no count', () => {
  const pred = Uint8Array.from([1, 1, 0, 0, 1, 0]);
  const gt = Uint8Array.from([1, 0, 1, 0, 1, 1]);
  const roi = Uint8Array.from([1, 1, 1, 1, 0, 0]);
  assert.deepEqual(confusionCounts(pred, gt, roi), { tp: 1, fp: 1, fn: 1, tn: 1 });
  assert.deepEqual(confusionCounts(pred, gt), { tp: 2, fp: 1, fn: 2, tn: 1 });
});

test('empty masks: both empty scores 1, one empty scores 0, never NaN', () => {
  const none = { tp: 0, fp: 0, fn: 0, tn: 100 };
  assert.deepEqual([dice(none), iou(none), precision(none), recall(none), specificity(none)], [1, 1, 1, 1, 1]);
  const missed = { tp: 0, fp: 0, fn: 7, tn: 93 };
  assert.deepEqual(
    [dice(missed), iou(missed), precision(missed), recall(missed), specificity(missed)],
    [0, 0, 0, 0, 1],
  );
  const falseAlarm = { tp: 0, fp: 7, fn: 0, tn: 93 };
  assert.deepEqual([dice(falseAlarm), iou(falseAlarm), precision(falseAlarm), recall(falseAlarm)], [0, 0, 0, 0]);
  close(specificity(falseAlarm), 93 / 100);
});

test('volume difference in mm³ and percent; empty truth leaves the percentage null', () => {
  // 120 vs 100 voxels of 0.5·0.5·2 = 0.5 mm³.
  assert.deepEqual(volumeDifference(120, 100, 0.5), { signedMm3: 10, absoluteMm3: 10, relativePercent: 20 });
  assert.deepEqual(volumeDifference(80, 100, 0.5), { signedMm3: -10, absoluteMm3: 10, relativePercent: -20 });
  assert.deepEqual(volumeDifference(0, 0, 0.5), { signedMm3: 0, absoluteMm3: 0, relativePercent: 0 });
  assert.deepEqual(volumeDifference(5, 0, 2), { signedMm3: 10, absoluteMm3: 10, relativePercent: null });
  assert.deepEqual(volumeDifference(0, 5, 2), { signedMm3: -10, absoluteMm3: 10, relativePercent: -100 });
});
