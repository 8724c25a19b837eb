/**
 * nnU-Net's default loss: soft Dice + cross-entropy, weighted 1:1, Dice without the background,
 * smooth 1e-5 (DC_and_CE_loss). With `activation: 'sigmoid'` the cross-entropy is per-channel binary
 * (nnU-Net's DC_and_BCE_loss for region-based training).
 */
import { tidy } from '../engine/memory.js';
import type { DType } from '../engine/dtype.js';
import { Tensor } from '../engine/tensor.js';
import { OptionError } from '../util/errors.js';
import { segmentationCrossEntropy } from './cross-entropy.js';
import { DiceLoss, type DiceLossOptions } from './dice.js';
import type { SegmentationLoss } from './loss.js';
import { inLossPrecision } from './target.js';

export interface DiceCELossOptions extends Omit<DiceLossOptions, 'reduction'> {
  /** weight of the Dice term (default 1) */
  weightDice?: number;
  /** weight of the cross-entropy term (default 1) */
  weightCE?: number;
  /** per-class weights of the cross-entropy (length C) */
  classWeights?: number[] | null;
}

export class DiceCELoss implements SegmentationLoss {
  readonly dice: DiceLoss;
  readonly weightDice: number;
  readonly weightCE: number;
  readonly classWeights: number[] | null;

  /** @throws OptionError naming the option for a value out of range (see DiceCELossOptions) */
  constructor(options: DiceCELossOptions = {}) {
    this.dice = new DiceLoss({ includeBackground: false, ...options, reduction: 'mean' });
    this.weightDice = checkWeight(options.weightDice ?? 1, 'weightDice');
    this.weightCE = checkWeight(options.weightCE ?? 1, 'weightCE');
    this.classWeights = options.classWeights ?? null;
  }

  /** The loss of `logits` (N, C, ...) against a label map (N, 1, ...) or a dense target. */
  forward(logits: Tensor, target: Tensor): Tensor {
    return tidy(() => {
      const o = this.dice.options;
      const weights = this.classWeightTensor(logits, inLossPrecision(logits).dtype);
      const ce = segmentationCrossEntropy(logits, target, o.activation, o.ignoreIndex, 'DiceCELoss', weights);
      if (this.weightDice === 0) return ce.mul(this.weightCE);
      const dice = this.dice.forward(logits, target);
      return ce.mul(this.weightCE).add(dice.mul(this.weightDice));
    });
  }

  private classWeightTensor(logits: Tensor, dtype: DType): Tensor | null {
    if (this.classWeights === null) return null;
    if (this.classWeights.length !== logits.shape[1]) {
      throw new OptionError('classWeights', `has ${this.classWeights.length} values for ${logits.shape[1]} classes`);
    }
    return Tensor.from(this.classWeights, [this.classWeights.length], { dtype, device: logits.device });
  }
}

function checkWeight(w: number, name: string): number {
  if (!(Number.isFinite(w) && w >= 0)) throw new OptionError(name, `must be a finite number >= 0, got ${w}`);
  return w;
}
