import type { ConfusionCounts } from './confusion.js';

// Overlap metrics from voxel counts. An undefined 0/0 follows EMPTY_MASK_POLICY (empty-policy.ts):
// 1 when both masks are empty, 0 when only one is; never NaN.

/** Dice = 2TP / (2TP + FP + FN). */
export function dice(c: ConfusionCounts): number {
  const denominator = 2 * c.tp + c.fp + c.fn;
  return denominator === 0 ? 1 : (2 * c.tp) / denominator;
}

/** IoU (Jaccard) = TP / (TP + FP + FN). */
export function iou(c: ConfusionCounts): number {
  const denominator = c.tp + c.fp + c.fn;
  return denominator === 0 ? 1 : c.tp / denominator;
}

/** Precision (positive predictive value) = TP / (TP + FP); nothing predicted: 1 if the truth is empty too, else 0. */
export function precision(c: ConfusionCounts): number {
  if (c.tp + c.fp === 0) return c.fn === 0 ? 1 : 0;
  return c.tp / (c.tp + c.fp);
}

/** Recall (sensitivity, true positive rate) = TP / (TP + FN); empty truth: 1 if nothing predicted, else 0. */
export function recall(c: ConfusionCounts): number {
  if (c.tp + c.fn === 0) return c.fp === 0 ? 1 : 0;
  return c.tp / (c.tp + c.fn);
}

/** Sensitivity is recall: TP / (TP + FN), with the same empty-mask rule. */
export const sensitivity = recall;

/** Specificity (true negative rate) = TN / (TN + FP); no negatives in the truth (then FP = 0 too): 1. */
export function specificity(c: ConfusionCounts): number {
  const denominator = c.tn + c.fp;
  return denominator === 0 ? 1 : c.tn / denominator;
}
