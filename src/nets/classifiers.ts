/**
 * Classification networks by name, for configuration files: `buildClassifier('resnet18', {...})`.
 * Every one is 2D or 3D from the same definition and returns logits.
 */
import { OptionError } from '../util/errors.js';
import type { Classifier, ClassifierOptions } from './classifier.js';
import { ResNet, type ResNetDepth, type ResNetOptions } from './resnet.js';

export const CLASSIFIERS = ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'] as const;
export type ClassifierName = (typeof CLASSIFIERS)[number];

export interface ClassifierSpec extends ClassifierOptions {
  /** ResNet stem ('imagenet' or 'small'). */
  stem?: ResNetOptions['stem'];
  norm?: ResNetOptions['norm'];
  /** ResNet channels of layer1…layer4 (default 64, 128, 256, 512). */
  widths?: ResNetOptions['widths'];
}

/** The network `name` names, with `spec`'s options; an unknown name is an OptionError naming `option`. */
export function buildClassifier(name: string, spec: ClassifierSpec, option = 'network.architecture'): Classifier {
  const resnet = /^resnet(\d+)$/.exec(name);
  if (resnet && (CLASSIFIERS as readonly string[]).includes(name))
    return new ResNet({ ...spec, depth: Number(resnet[1]) as ResNetDepth });
  throw new OptionError(
    option,
    `unknown classifier ${JSON.stringify(name)}; expected one of ${CLASSIFIERS.join(', ')}`,
  );
}
