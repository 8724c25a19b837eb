/** Segmentation networks: one definition for 2D and 3D, built from layer factories. */
export { UNet } from './unet.js';
export { AttentionUNet, classicUNet, classicUNetOptions, type ClassicUNetOptions } from './presets.js';
export { defaultFeatures, inputDivisor, resolveUNetConfig, type UNetConfig, type UNetOptions } from './config.js';
export { UNetEncoder } from './encoder.js';
export { UNetDecoder } from './decoder.js';
export { AttentionGate } from './attention.js';
export { ConvNormAct, ResidualBlock, StackedConvBlocks, StackedResidualBlocks, type LayerSettings } from './blocks.js';
export {
  activationLayer,
  convLayer,
  dropoutLayer,
  normLayer,
  perAxis,
  poolLayer,
  resizeConvLayer,
  samePadding,
  upsamplingLayer,
  type ActivationType,
  type NormType,
  type Size,
  type SpatialDims,
} from './factories.js';
export { initHe } from './init.js';
export { ARCHITECTURES, buildNetwork, type Architecture, type NetworkSpec } from './build.js';
