/** The training loss from the config's `loss` section, wrapped for deep supervision when the network has it. */
import type { Tensor } from '../engine/tensor.js';
import { DeepSupervisionLoss } from '../losses/deep-supervision.js';
import { DiceCELoss } from '../losses/dice-ce.js';
import { DiceLoss } from '../losses/dice.js';
import { FocalLoss } from '../losses/focal.js';
import { GeneralizedDiceLoss } from '../losses/generalized-dice.js';
import type { SegmentationLoss } from '../losses/loss.js';
import { TverskyLoss } from '../losses/tversky.js';
import { segmentationCrossEntropy } from '../losses/cross-entropy.js';
import type { TrainingConfig } from './config.js';

export function segmentationLoss(config: Pick<TrainingConfig, 'loss'>): SegmentationLoss {
  const l = config.loss;
  const region = { includeBackground: l.include_background, batch: l.batch_dice, smooth: l.smooth };
  switch (l.name) {
    case 'dice_ce':
      return new DiceCELoss({ ...region, weightDice: l.dice_weight, weightCE: l.ce_weight });
    case 'dice':
      return new DiceLoss(region);
    case 'ce':
      return {
        forward: (logits: Tensor, target: Tensor) =>
          segmentationCrossEntropy(logits, target, 'softmax', null, 'cross-entropy', null),
      };
    case 'focal':
      return new FocalLoss({ gamma: l.focal_gamma, alpha: l.focal_alpha });
    case 'tversky':
      return new TverskyLoss({ ...region, alpha: l.tversky_alpha, beta: l.tversky_beta });
    case 'generalized_dice':
      return new GeneralizedDiceLoss({ batch: l.batch_dice, smooth: l.smooth });
  }
}

/** The loss the loop calls on the network's output (a tensor, or every decoder level with deep supervision). */
export function trainingLoss(
  config: Pick<TrainingConfig, 'loss'>,
): (output: Tensor | Tensor[], target: Tensor) => Tensor {
  const base = segmentationLoss(config);
  const deep = new DeepSupervisionLoss(base);
  return (output, target) => (Array.isArray(output) ? deep.forward(output, target) : base.forward(output, target));
}
