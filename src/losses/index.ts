/** Segmentation losses: logits (N, C, ...) against label maps (N, 1, ...) or dense targets. */
export type { SegmentationLoss } from './loss.js';
export { type Activation, type PreparedTarget, checkShapes, prepareTarget, probabilities } from './target.js';
export type { Reduction, RegionLossOptions, ResolvedRegionOptions } from './region.js';
export { DiceLoss, type DiceLossOptions } from './dice.js';
export { DiceCELoss, type DiceCELossOptions } from './dice-ce.js';
export { segmentationCrossEntropy } from './cross-entropy.js';
export { FocalLoss, type FocalLossOptions } from './focal.js';
export { TverskyLoss, type TverskyLossOptions } from './tversky.js';
export { GeneralizedDiceLoss, type GeneralizedDiceLossOptions } from './generalized-dice.js';
export {
  DeepSupervisionLoss,
  deepSupervisionWeights,
  downsampleTarget,
  type DeepSupervisionOptions,
  type OneHotDownsampling,
} from './deep-supervision.js';
export { buildLoss, LOSS_NAMES, type LossName, type LossSpec } from './build.js';
export {
  balancedClassWeights,
  classificationLoss,
  type ClassificationLoss,
  type ClassificationLossOptions,
} from './classification.js';
