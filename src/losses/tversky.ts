/**
 * Tversky loss (Salehi et al. 2017): per class
 *
 *   TI_c = (TP + smooth) / (TP + α·FP + β·FN + smooth),   loss = mean_c (1 − TI_c)
 *
 * with soft TP = Σ p·g, FP = Σ p·(1−g), FN = Σ (1−p)·g. α weighs false positives, β false negatives;
 * α = β = 0.5 is the soft Dice loss. Defaults as MONAI's TverskyLoss (α = β = 0.5, background kept).
 */
import { tidy } from '../engine/memory.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError } from '../util/errors.js';
import type { SegmentationLoss } from './loss.js';
import {
  reduce,
  regionSums,
  resolveRegionOptions,
  type RegionLossOptions,
  type ResolvedRegionOptions,
} from './region.js';

export interface TverskyLossOptions extends RegionLossOptions {
  /** weight of false positives (default 0.5) */
  alpha?: number;
  /** weight of false negatives (default 0.5) */
  beta?: number;
}

export class TverskyLoss implements SegmentationLoss {
  readonly options: ResolvedRegionOptions & { alpha: number; beta: number };

  /** @throws OptionError naming the option for a value out of range (see TverskyLossOptions) */
  constructor(options: TverskyLossOptions = {}) {
    const alpha = options.alpha ?? 0.5,
      beta = options.beta ?? 0.5;
    if (!(Number.isFinite(alpha) && alpha >= 0))
      throw new OptionError('alpha', `must be a finite number >= 0, got ${alpha}`);
    if (!(Number.isFinite(beta) && beta >= 0))
      throw new OptionError('beta', `must be a finite number >= 0, got ${beta}`);
    this.options = { ...resolveRegionOptions(options, { includeBackground: true }), alpha, beta };
  }

  /** The loss of `logits` (N, C, ...) against a label map (N, 1, ...) or a dense target. */
  forward(logits: Tensor, target: Tensor): Tensor {
    return tidy(() => {
      const o = this.options;
      const { intersection: tp, predSum, targetSum } = regionSums(logits, target, o, 'TverskyLoss');
      const fp = ve.sub(predSum, tp),
        fn = ve.sub(targetSum, tp);
      const denominator = tp.add(fp.mul(o.alpha)).add(fn.mul(o.beta)).add(o.smooth);
      const index = tp.add(o.smooth).div(ve.clamp(denominator, 1e-8));
      return reduce(ve.sub(1, index), o.reduction);
    });
  }
}
