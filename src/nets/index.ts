/** Segmentation and classification networks: one definition for 2D and 3D, built from layer factories. */
export { UNet } from './unet.js';
export { AttentionUNet, classicUNet, classicUNetOptions, type ClassicUNetOptions } from './presets.js';
export { defaultFeatures, inputDivisor, resolveUNetConfig, type UNetConfig, type UNetOptions } from './config.js';
export { UNetEncoder } from './encoder.js';
export { UNetDecoder } from './decoder.js';
export { AttentionGate } from './attention.js';
export { ConvNormAct, ResidualBlock, StackedConvBlocks, StackedResidualBlocks, type LayerSettings } from './blocks.js';
export {
  activationLayer,
  adaptiveAvgPoolLayer,
  convLayer,
  dropoutLayer,
  maxPoolLayer,
  normLayer,
  perAxis,
  poolLayer,
  resizeConvLayer,
  samePadding,
  upsamplingLayer,
  type ActivationOptions,
  type ActivationType,
  type ConvLayerOptions,
  type NormLayerOptions,
  type NormType,
  type Size,
  type SpatialDims,
} from './factories.js';
export { initHe } from './init.js';
export { ARCHITECTURES, buildNetwork, type Architecture, type NetworkSpec } from './build.js';
export {
  Classifier,
  classifierBasics,
  hasTokenGrid,
  type ClassifierBasics,
  type ClassifierOptions,
  type TokenGrid,
} from './classifier.js';
export {
  ResNet,
  resnet18,
  resnet34,
  resnet50,
  RESNET_DEPTHS,
  type ResNetDepth,
  type ResNetOptions,
  type ResNetStem,
} from './resnet.js';
export { BasicBlock, Bottleneck, type BlockSettings } from './resnet-blocks.js';
export { DenseNet, densenet121, type DenseNetOptions } from './densenet.js';
export { DenseBlock, DenseLayer, transition } from './densenet-blocks.js';
export { VGG, vgg16bn, VGG_CONFIGS, type VGGDepth, type VGGOptions } from './vgg.js';
export {
  interpolatePositionEmbedding,
  VisionTransformer,
  vitSmall,
  vitTiny,
  VIT_VARIANTS,
  type ViTOptions,
  type ViTVariant,
} from './vit.js';
export { Encoder, EncoderBlock, type EncoderSettings } from './vit-blocks.js';
export { buildClassifier, CLASSIFIERS, type ClassifierName, type ClassifierSpec } from './classifiers.js';
