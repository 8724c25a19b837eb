/**
 * Focal loss (Lin et al. 2017): cross-entropy scaled by (1 − p_t)^γ, which shrinks the loss of
 * voxels that are already right so that training concentrates on hard ones. γ = 0 without α is plain
 * cross-entropy.
 *  - softmax: per voxel −Σ_c α_c·g_c·(1 − p_c)^γ·log p_c, averaged over (counted) voxels. A number α
 *    gives the background 1 − α and every other class α (MONAI); an array gives one weight per class.
 *  - sigmoid: per element α_t·(1 − p_t)^γ·BCE with p_t = p·g + (1 − p)(1 − g) and α_t = α·g + (1 − α)(1 − g)
 *    (torchvision's sigmoid_focal_loss), averaged over (counted) elements.
 */
import { tidy } from '../engine/memory.js';
import * as ve from '../engine/ops.js';
import { Tensor } from '../engine/tensor.js';
import { OptionError } from '../util/errors.js';
import type { SegmentationLoss } from './loss.js';
import type { Reduction } from './region.js';
import { type Activation, inLossPrecision, prepareTarget } from './target.js';

export interface FocalLossOptions {
  activation?: Activation;
  /** focusing exponent γ ≥ 0 (default 2) */
  gamma?: number;
  /** class balance: a number in [0, 1], or (softmax) one weight per class; null (default) = none */
  alpha?: number | number[] | null;
  ignoreIndex?: number | null;
  /** 'mean' (default), 'sum', or 'none': per voxel (N, 1, ...) for softmax, per element (N, C, ...) for sigmoid */
  reduction?: Reduction;
}

export class FocalLoss implements SegmentationLoss {
  readonly activation: Activation;
  readonly gamma: number;
  readonly alpha: number | number[] | null;
  readonly ignoreIndex: number | null;
  readonly reduction: Reduction;

  /** @throws OptionError naming the option for a value out of range (see FocalLossOptions) */
  constructor(options: FocalLossOptions = {}) {
    this.activation = options.activation ?? 'softmax';
    if (this.activation !== 'softmax' && this.activation !== 'sigmoid')
      throw new OptionError('activation', `expected softmax or sigmoid, got ${String(this.activation)}`);
    this.gamma = options.gamma ?? 2;
    if (!(Number.isFinite(this.gamma) && this.gamma >= 0))
      throw new OptionError('gamma', `must be a finite number >= 0, got ${this.gamma}`);
    this.alpha = options.alpha ?? null;
    if (typeof this.alpha === 'number' && !(this.alpha >= 0 && this.alpha <= 1))
      throw new OptionError('alpha', `must lie in [0, 1], got ${this.alpha}`);
    if (Array.isArray(this.alpha) && this.activation !== 'softmax')
      throw new OptionError('alpha', 'one weight per class needs the softmax activation; give a number for sigmoid');
    this.ignoreIndex = options.ignoreIndex ?? null;
    this.reduction = options.reduction ?? 'mean';
    if (!['mean', 'sum', 'none'].includes(this.reduction))
      throw new OptionError('reduction', `expected mean, sum or none, got ${String(this.reduction)}`);
  }

  /** The loss of `logits` (N, C, ...) against a label map (N, 1, ...) or a dense target. */
  forward(rawLogits: Tensor, target: Tensor): Tensor {
    return tidy(() => {
      const logits = inLossPrecision(rawLogits);
      const { dense, mask } = prepareTarget(logits, target, this.ignoreIndex, 'FocalLoss');
      const loss = this.activation === 'softmax' ? this.softmaxTerm(logits, dense) : this.sigmoidTerm(logits, dense);
      const counted = mask === null ? loss : ve.mul(loss, mask);
      if (this.reduction === 'none') return counted;
      if (this.reduction === 'sum') return counted.sum();
      if (mask === null) return counted.mean();
      return counted.sum().div(ve.clamp(mask.sum().mul(loss.shape[1]!), 1e-8));
    });
  }

  /** (N, 1, ...) per-voxel loss */
  private softmaxTerm(logits: Tensor, dense: Tensor): Tensor {
    const logp = ve.logSoftmax(logits, 1);
    let term = ve.mul(dense, logp);
    if (this.gamma !== 0) term = ve.mul(term, ve.pow(ve.sub(1, ve.exp(logp)), this.gamma));
    const alpha = this.alphaPerClass(logits);
    if (alpha !== null) term = ve.mul(term, alpha);
    return term.sum({ dim: 1, keepdim: true }).neg();
  }

  /** (N, C, ...) per-element loss */
  private sigmoidTerm(logits: Tensor, dense: Tensor): Tensor {
    let loss = ve.binaryCrossEntropyWithLogits(logits, dense, { reduction: 'none' });
    if (this.gamma !== 0) {
      const p = ve.sigmoid(logits);
      // 1 − p_t = p + g − 2·p·g
      const miss = p.add(dense).sub(ve.mul(p, dense).mul(2));
      loss = ve.mul(loss, ve.pow(miss, this.gamma));
    }
    if (typeof this.alpha === 'number') {
      const alphaT = dense.mul(2 * this.alpha - 1).add(1 - this.alpha);
      loss = ve.mul(loss, alphaT);
    }
    return loss;
  }

  private alphaPerClass(logits: Tensor): Tensor | null {
    if (this.alpha === null) return null;
    const c = logits.shape[1]!;
    const values =
      typeof this.alpha === 'number' ? [1 - this.alpha, ...new Array<number>(c - 1).fill(this.alpha)] : this.alpha;
    if (values.length !== c) throw new OptionError('alpha', `has ${values.length} weights for ${c} classes`);
    return Tensor.from(values, [1, c, ...logits.shape.slice(2).map(() => 1)], {
      dtype: logits.dtype,
      device: logits.device,
    });
  }
}
