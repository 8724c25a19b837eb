/**
 * Cross-entropy that accepts the same targets as the overlap losses: softmax cross-entropy against a
 * label map (ignore label honoured, mean over counted voxels) or against dense class probabilities,
 * and sigmoid binary cross-entropy per channel (mean over counted elements). Call inside tidy.
 */
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { type Activation, inLossPrecision, prepareTarget } from './target.js';

/**
 * Cross-entropy of segmentation logits: softmax CE against a label map or a dense (soft) target, or
 * per-channel binary CE with `sigmoid`; computed in float32 for half-precision logits.
 * @param activation 'softmax' (classes) or 'sigmoid' (independent channels)
 * @param ignoreIndex voxels with this label count nowhere (CE averages over the counted ones); null: none
 * @param who the loss's name, for error messages
 * @param classWeights per-class weights (length C), or null
 * @throws ShapeError naming `who` when the target's shape does not fit the logits
 */
export function segmentationCrossEntropy(
  rawLogits: Tensor,
  target: Tensor,
  activation: Activation,
  ignoreIndex: number | null,
  who: string,
  classWeights: Tensor | null = null,
): Tensor {
  const logits = inLossPrecision(rawLogits);
  const c = logits.shape[1]!;
  if (activation === 'softmax' && c > 1 && target.shape[1] === 1) {
    // labels ≥ C other than the ignore label are an error from libtorch (the data layer rejects them first)
    const labels = target.squeeze(1).long();
    return ve.crossEntropy(logits, labels, { ignoreIndex: ignoreIndex ?? -100, weight: classWeights });
  }
  const { dense, mask } = prepareTarget(logits, target, ignoreIndex, who);
  if (activation === 'softmax') return ve.crossEntropy(logits, dense, { weight: classWeights });
  const weight = classWeights === null ? null : classWeights.reshape([1, c, ...logits.shape.slice(2).map(() => 1)]);
  if (mask === null) return ve.binaryCrossEntropyWithLogits(logits, dense, { weight });
  const perElement = ve.binaryCrossEntropyWithLogits(logits, dense, { weight, reduction: 'none' });
  return ve
    .mul(perElement, mask)
    .sum()
    .div(ve.clamp(mask.sum().mul(c), 1e-8));
}
