/**
 * Losses by name, for configuration files: `{ "name": "dice-ce", "batch": true, "deepSupervision": true }`.
 * Unknown names and unknown option keys are OptionErrors naming them.
 */
import { OptionError } from '../util/errors.js';
import { DeepSupervisionLoss } from './deep-supervision.js';
import { DiceCELoss } from './dice-ce.js';
import { DiceLoss } from './dice.js';
import { FocalLoss } from './focal.js';
import { GeneralizedDiceLoss } from './generalized-dice.js';
import type { SegmentationLoss } from './loss.js';
import { TverskyLoss } from './tversky.js';

const REGION = ['activation', 'includeBackground', 'batch', 'smooth', 'ignoreIndex'];
/** The loss names `buildLoss` knows. */
export type LossName = 'dice' | 'dice-ce' | 'focal' | 'tversky' | 'generalized-dice';

const LOSSES: Record<LossName, { keys: readonly string[]; make: (o: object) => SegmentationLoss }> = {
  dice: { keys: [...REGION, 'squared', 'reduction'], make: (o: object) => new DiceLoss(o) },
  'dice-ce': {
    keys: [...REGION, 'squared', 'weightDice', 'weightCE', 'classWeights'],
    make: (o: object) => new DiceCELoss(o),
  },
  focal: { keys: ['activation', 'gamma', 'alpha', 'ignoreIndex', 'reduction'], make: (o: object) => new FocalLoss(o) },
  tversky: { keys: [...REGION, 'alpha', 'beta', 'reduction'], make: (o: object) => new TverskyLoss(o) },
  'generalized-dice': { keys: [...REGION, 'reduction'], make: (o: object) => new GeneralizedDiceLoss(o) },
};
export const LOSS_NAMES = Object.keys(LOSSES) as LossName[];

export interface LossSpec {
  name: LossName;
  /** wrap in DeepSupervisionLoss (nnU-Net weights) */
  deepSupervision?: boolean;
  /** DeepSupervisionLoss weights (default nnU-Net's) */
  deepSupervisionWeights?: number[];
  [option: string]: unknown;
}

/**
 * The loss a spec describes; with deepSupervision it takes the list of outputs of a deep-supervised net.
 * @param spec the loss name, its options (camelCase, as the class takes them) and deep supervision
 * @param prefix prepended to option names in errors (e.g. 'loss.')
 * @throws OptionError naming the option for an unknown name or an option the loss does not take
 *
 * @example
 * ```ts
 * import { buildLoss } from 'vesalius/losses';
 * const loss = buildLoss({ name: 'dice-ce', batch: true, deepSupervision: true });
 * const value = loss.forward(net.forward(image) as Tensor[], labels);
 * ```
 */
export function buildLoss(spec: LossSpec, prefix = ''): SegmentationLoss | DeepSupervisionLoss {
  const { name, deepSupervision, deepSupervisionWeights, ...options } = spec;
  const entry = (LOSSES as Record<string, (typeof LOSSES)[LossName]>)[name];
  if (entry === undefined)
    throw new OptionError(
      `${prefix}name`,
      `unknown loss ${JSON.stringify(name)}; expected one of ${LOSS_NAMES.join(', ')}`,
    );
  for (const key of Object.keys(options)) {
    if (!(entry.keys as readonly string[]).includes(key)) {
      throw new OptionError(
        `${prefix}${key}`,
        `unknown option of loss ${name}; expected one of ${[...entry.keys, 'deepSupervision', 'deepSupervisionWeights'].join(', ')}`,
      );
    }
  }
  const loss = entry.make(options);
  if (!deepSupervision) {
    if (deepSupervisionWeights !== undefined)
      throw new OptionError(`${prefix}deepSupervisionWeights`, 'given without deepSupervision: true');
    return loss;
  }
  return new DeepSupervisionLoss(loss, { weights: deepSupervisionWeights ?? null });
}
