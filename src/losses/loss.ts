import type { Tensor } from '../engine/tensor.js';

/**
 * A segmentation loss: logits (N, C, ...) straight from the network, target a label map (N, 1, ...)
 * or a dense target shaped like the logits (see target.ts). Returns a scalar unless reduction 'none'.
 */
export interface SegmentationLoss {
  forward(logits: Tensor, target: Tensor): Tensor;
}
