/**
 * Named networks built from the one UNet definition.
 */
import type { UNetOptions } from './config.js';
import type { SpatialDims } from './factories.js';
import { UNet } from './unet.js';

/** Attention U-Net (Oktay et al. 2018): the U-Net with attention gates on every skip connection. */
export class AttentionUNet extends UNet {
  /**
   * The UNet options, with attention gates on.
   * @example
   * ```ts
   * const net = new AttentionUNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [16, 32, 64] });
   * ```
   */
  constructor(options: Omit<UNetOptions, 'attention'>) {
    super({ ...options, attention: true });
  }
}

export interface ClassicUNetOptions {
  spatialDims?: SpatialDims;
  inChannels?: number;
  numClasses?: number;
}

/**
 * The U-Net of Ronneberger et al. (2015): 64-128-256-512-1024 channels, two 3×3 convolutions + ReLU
 * per level, 2×2 max-pooling, 2×2 up-convolutions halving the channels, skip concatenation, a 1×1
 * head; no normalisation. One deliberate difference: the paper's convolutions are unpadded ('valid',
 * a 572² input gives a 388² output); here they are padded 'same', so the output has the input's size
 * (which must be divisible by 16) and no overlap-tile cropping is needed. Weights: He-normal, as the
 * paper's Gaussian with σ = √(2/N).
 */
export function classicUNetOptions(o: ClassicUNetOptions = {}): UNetOptions {
  return {
    spatialDims: o.spatialDims ?? 2,
    inChannels: o.inChannels ?? 1,
    numClasses: o.numClasses ?? 2,
    features: [64, 128, 256, 512, 1024],
    kernelSizes: 3,
    strides: [1, 2, 2, 2, 2],
    downsampling: 'maxpool',
    convsPerStage: 2,
    convsPerDecoderStage: 2,
    norm: 'none',
    activation: 'relu',
    convBias: true,
    deepSupervision: false,
    init: 'he',
  };
}

/**
 * The Ronneberger et al. (2015) U-Net (see `classicUNetOptions`).
 * @example
 * ```ts
 * const net = classicUNet({ inChannels: 1, numClasses: 2 }); // 2D, 64…1024 features, input divisible by 16
 * ```
 */
export function classicUNet(o: ClassicUNetOptions = {}): UNet {
  return new UNet(classicUNetOptions(o));
}
