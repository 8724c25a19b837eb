/**
 * Classification losses on logits (N, K): softmax cross-entropy with class weights and label
 * smoothing (torch.nn.CrossEntropyLoss), focal loss (the segmentation FocalLoss on (N, K) logits), and
 * for multi-label targets (N, K) of 0/1 the sigmoid binary cross-entropy (per-class weights) or focal.
 * Class weights 'balanced' are n / (K · n_k) from the training targets (scikit-learn's
 * compute_class_weight). Call inside tidy.
 */
import * as ve from '../engine/ops.js';
import { Tensor } from '../engine/tensor.js';
import { OptionError } from '../util/errors.js';
import { FocalLoss } from './focal.js';

export interface ClassificationLossOptions {
  name: 'ce' | 'focal';
  multiLabel: boolean;
  numClasses: number;
  /** One weight per class, or null. */
  classWeights: number[] | null;
  labelSmoothing?: number;
  focalGamma?: number;
}

/** scikit-learn's 'balanced' weights n / (K · n_k) (a class without samples gets 0). */
export function balancedClassWeights(targets: readonly number[][], numClasses: number, multiLabel: boolean): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const t of targets) {
    if (multiLabel) t.forEach((v, c) => (counts[c]! += v));
    else counts[t[0]!]!++;
  }
  const n = multiLabel ? targets.length : counts.reduce((a, b) => a + b, 0);
  return counts.map((k) => (k === 0 ? 0 : n / (numClasses * k)));
}

/** A classification loss: logits (N, K) and targets in, a scalar out. */
export type ClassificationLoss = (logits: Tensor, target: Tensor) => Tensor;

/** The loss of logits (N, K) against targets: class indices (N) int64, or (N, K) 0/1 for multi-label. */
export function classificationLoss(o: ClassificationLossOptions): ClassificationLoss {
  if (o.classWeights && o.classWeights.length !== o.numClasses)
    throw new OptionError('loss.class_weights', `has ${o.classWeights.length} weights for ${o.numClasses} classes`);
  const weights = (like: Tensor) =>
    o.classWeights ? Tensor.from(o.classWeights, [o.numClasses], { dtype: 'float32', device: like.device }) : null;
  if (o.name === 'focal') {
    const focal = new FocalLoss({
      activation: o.multiLabel ? 'sigmoid' : 'softmax',
      gamma: o.focalGamma ?? 2,
      alpha: o.multiLabel ? null : o.classWeights,
    });
    return (logits, target) => focal.forward(logits, o.multiLabel ? target : target.reshape([-1, 1]));
  }
  if (o.multiLabel) {
    return (logits, target) => {
      const w = weights(logits);
      return ve.binaryCrossEntropyWithLogits(logits.float(), target.float(), { weight: w?.reshape([1, -1]) ?? null });
    };
  }
  return (logits, target) =>
    ve.crossEntropy(logits.float(), target, { weight: weights(logits), labelSmoothing: o.labelSmoothing ?? 0 });
}
