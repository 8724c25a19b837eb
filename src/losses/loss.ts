import type { Tensor } from '../engine/tensor.js';

/**
 * A segmentation loss: logits (N, C, ...) straight from the network, target a label map (N, 1, ...)
 * or a dense target shaped like the logits (see target.ts). Returns a scalar unless reduction 'none'.
 */
export interface SegmentationLoss {
  /**
   * @param logits (N, C, ...) network outputs
   * @param target a label map (N, 1, ...) or a dense target shaped like the logits
   * @returns the loss (a scalar unless reduction 'none')
   */
  forward(logits: Tensor, target: Tensor): Tensor;
}
