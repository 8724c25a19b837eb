/**
 * Classification networks by name, for configuration files: `buildClassifier('resnet18', {...})`.
 * Every one is 2D or 3D from the same definition and returns logits.
 */
import { OptionError } from '../util/errors.js';
import type { Classifier, ClassifierOptions } from './classifier.js';
import { DenseNet } from './densenet.js';
import { ResNet, type ResNetDepth, type ResNetOptions } from './resnet.js';
import { VGG } from './vgg.js';
import { VisionTransformer, type ViTVariant } from './vit.js';

export const CLASSIFIERS = [
  'resnet18',
  'resnet34',
  'resnet50',
  'resnet101',
  'resnet152',
  'densenet121',
  'vgg16_bn',
  'vit_tiny',
  'vit_small',
  'vit_base',
] as const;
export type ClassifierName = (typeof CLASSIFIERS)[number];

export interface ClassifierSpec extends ClassifierOptions {
  /** ResNet and DenseNet stem, VGG's last pooling ('imagenet' or 'small', for 28×28 inputs). */
  stem?: ResNetOptions['stem'];
  /** Normalisation of the convolutional networks (the ViT's layer norms stay). */
  norm?: ResNetOptions['norm'];
  /** ViT: the input size it is built for ([H, W] or [D, H, W]). */
  imageSize?: readonly number[];
  /** ViT: the patch edge (default 16). */
  patchSize?: number;
  /** VGG: the hidden linear layers' width (default 4096). */
  hiddenFeatures?: number;
}

/**
 * The network `name` names, with `spec`'s options.
 * @throws OptionError naming `option` for an unknown name (and the spec's option for a bad value)
 */
export function buildClassifier(name: string, spec: ClassifierSpec, option = 'network.architecture'): Classifier {
  const { imageSize, patchSize, hiddenFeatures, ...common } = spec;
  const resnet = /^resnet(\d+)$/.exec(name);
  if (resnet && (CLASSIFIERS as readonly string[]).includes(name))
    return new ResNet({ ...common, depth: Number(resnet[1]) as ResNetDepth });
  if (name === 'densenet121') return new DenseNet(common);
  if (name === 'vgg16_bn') return new VGG({ ...common, depth: 16, hiddenFeatures });
  const vit = /^vit_(tiny|small|base)$/.exec(name);
  if (vit) {
    const { stem: _stem, norm: _norm, ...rest } = common;
    return new VisionTransformer({
      ...rest,
      variant: vit[1] as ViTVariant,
      imageSize: imageSize ? [...imageSize] : (undefined as never),
      patchSize,
    });
  }
  throw new OptionError(
    option,
    `unknown classifier ${JSON.stringify(name)}; expected one of ${CLASSIFIERS.join(', ')}`,
  );
}
