/**
 * Soft Dice loss (Milletari et al. 2016; nnU-Net's SoftDiceLoss, MONAI's DiceLoss):
 *
 *   dice_c = (2·Σ p·g + smooth) / max(Σ p + Σ g + smooth, 1e-8),   loss = mean_c (1 − dice_c)
 *
 * per sample and class, or per class over the whole batch with `batch` (nnU-Net's batch_dice).
 * `squared` uses Σ p² + Σ g² in the denominator (V-Net). nnU-Net returns −dice instead of 1 − dice:
 * the same gradient, shifted so that a perfect prediction gives 0 here.
 */
import { tidy } from '../engine/memory.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import type { SegmentationLoss } from './loss.js';
import {
  reduce,
  regionSums,
  resolveRegionOptions,
  type RegionLossOptions,
  type ResolvedRegionOptions,
} from './region.js';

export interface DiceLossOptions extends RegionLossOptions {
  /** Σ p² + Σ g² in the denominator (default false: Σ p + Σ g) */
  squared?: boolean;
}

export class DiceLoss implements SegmentationLoss {
  readonly options: ResolvedRegionOptions & { squared: boolean };

  /** @throws OptionError naming the option for a value out of range (see DiceLossOptions) */
  constructor(options: DiceLossOptions = {}) {
    this.options = { ...resolveRegionOptions(options, { includeBackground: true }), squared: !!options.squared };
  }

  /** The loss of `logits` (N, C, ...) against a label map (N, 1, ...) or a dense target. */
  forward(logits: Tensor, target: Tensor): Tensor {
    return tidy(() => {
      const o = this.options;
      const { intersection, predSum, targetSum } = regionSums(logits, target, o, 'DiceLoss', o.squared);
      const numerator = intersection.mul(2).add(o.smooth);
      const denominator = ve.clamp(predSum.add(targetSum).add(o.smooth), 1e-8);
      const loss = ve.sub(1, numerator.div(denominator));
      return reduce(loss, o.reduction);
    });
  }
}
