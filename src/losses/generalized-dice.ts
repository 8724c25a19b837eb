/**
 * Generalised Dice loss (Sudre et al. 2017): classes weighted by the inverse square of their
 * reference volume, w_c = 1 / (Σ g_c)², so small structures count as much as large ones:
 *
 *   GDL = 1 − (2·Σ_c w_c·Σ p·g + smooth) / (Σ_c w_c·(Σ p + Σ g) + smooth)
 *
 * per sample (or over the batch with `batch`). A class absent from the reference would get an
 * infinite weight; as in MONAI it gets the largest finite weight of that sample instead.
 * Weights come from the target and carry no gradient.
 */
import { noGrad } from '../engine/autograd.js';
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

export type GeneralizedDiceLossOptions = RegionLossOptions;

export class GeneralizedDiceLoss implements SegmentationLoss {
  readonly options: ResolvedRegionOptions;

  /** reduction 'none' gives one loss per sample (N), or a single value with batch. */
  constructor(options: GeneralizedDiceLossOptions = {}) {
    this.options = resolveRegionOptions(options, { includeBackground: true });
  }

  /** The loss of `logits` (N, C, ...) against a label map (N, 1, ...) or a dense target. */
  forward(logits: Tensor, target: Tensor): Tensor {
    return tidy(() => {
      const o = this.options;
      const { intersection, predSum, targetSum } = regionSums(logits, target, o, 'GeneralizedDiceLoss');
      const w = noGrad(() => classWeights(targetSum));
      const numerator = ve.mul(w, intersection).sum(-1).mul(2).add(o.smooth);
      const denominator = ve.mul(w, predSum.add(targetSum)).sum(-1).add(o.smooth);
      return reduce(ve.sub(1, numerator.div(denominator)), o.reduction);
    });
  }
}

/** 1/(Σg)² per class (last axis), infinite weights replaced by the largest finite one. */
function classWeights(targetSum: Tensor): Tensor {
  const raw = ve.reciprocal(ve.square(targetSum));
  const infinite = ve.isfinite(raw).logicalNot();
  const finite = ve.where(infinite, 0, raw);
  const largest = ve.amax(finite, { dim: -1, keepdim: true });
  return ve.where(infinite, largest, finite);
}
