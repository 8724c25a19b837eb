/**
 * U-Net for 2D and 3D: nnU-Net's PlainConvUNet by default (per stage two conv-norm-activation blocks,
 * strided-convolution down-sampling, transposed-convolution up-sampling, skip concatenation, a 1×1
 * head with one channel per class), with options for max-pool down-sampling, a residual encoder
 * (ResidualEncoderUNet), attention gates (Attention U-Net) and deep supervision. See config.ts.
 *
 * Parameter names follow nnU-Net's ("encoder.stages.1.0.convs.0.conv.weight",
 * "decoder.transpconvs.0.weight", "decoder.seg_layers.3.bias") and are stable: they are the keys of
 * saved weights.
 *
 * Every convolution is zero-padded 'same', so each spatial edge must be divisible by the product of
 * the strides on that axis (inputDivisor); the output then has the input's size.
 */
import { Module } from '../engine/nn/module.js';
import type { Tensor } from '../engine/tensor.js';
import { ShapeError } from '../util/errors.js';
import type { LayerSettings } from './blocks.js';
import { inputDivisor, resolveUNetConfig, type UNetConfig, type UNetOptions } from './config.js';
import { UNetDecoder } from './decoder.js';
import { UNetEncoder } from './encoder.js';
import { initHe } from './init.js';

/**
 * The U-Net of this file's comment. In training mode with deep supervision `forward` returns every
 * decoder level's logits (full resolution first); otherwise the full-resolution logits.
 */
export class UNet extends Module<[Tensor], Tensor | Tensor[]> {
  readonly config: UNetConfig;
  readonly encoder: UNetEncoder;
  readonly decoder: UNetDecoder;

  /**
   * Takes options or a saved (resolved) config; both give the same network.
   * @param options spatialDims, inChannels and numClasses; features per stage, kernel sizes and strides
   *   (tensor order), norm, activation, residual, attention, deepSupervision ... (see `UNetOptions`)
   * @throws OptionError naming the option for a value that does not fit (e.g. a first stride other than 1)
   *
   * @example
   * ```ts
   * import { UNet } from 'vesalius/nets';
   * const net = new UNet({ spatialDims: 3, inChannels: 1, numClasses: 3, features: [32, 64, 128, 256],
   *   strides: [1, [1, 2, 2], 2, 2], deepSupervision: true });
   * console.log(net.numParameters(), net.config.strides);
   * ```
   */
  constructor(options: UNetOptions) {
    super();
    const c = resolveUNetConfig(options);
    this.config = c;
    const settings: LayerSettings = {
      dims: c.spatialDims,
      norm: c.norm,
      normGroups: c.normGroups ?? undefined,
      activation: c.activation,
      negativeSlope: c.negativeSlope,
      convBias: c.convBias,
      dropout: c.dropout,
    };
    this.encoder = this.registerModule('encoder', new UNetEncoder(settings, c));
    this.decoder = this.registerModule('decoder', new UNetDecoder(settings, c));
    if (c.init === 'he') initHe(this);
  }

  /** What each spatial edge of the input must be divisible by. */
  get inputDivisor(): number[] {
    return inputDivisor(this.config);
  }

  /**
   * Per deep-supervision output (full resolution first), how many input voxels one output voxel
   * spans on each axis: the cumulative strides. A data loader can down-sample targets with these.
   */
  get outputStrides(): number[][] {
    const { strides, spatialDims } = this.config;
    const out: number[][] = [];
    let cumulative = new Array<number>(spatialDims).fill(1);
    for (let s = 0; s < strides.length - 1; s++) {
      cumulative = cumulative.map((c, a) => c * strides[s]![a]!);
      out.push(cumulative);
    }
    return out;
  }

  /**
   * Logits (N, numClasses, ...) at the input's size. With deep supervision in training mode: the
   * logits of every decoder level, full resolution first, each level smaller by that level's stride.
   */
  forward(x: Tensor): Tensor | Tensor[] {
    const deep = this.training && this.config.deepSupervision;
    const all = this.forwardLevels(x, deep);
    return deep ? all : all[0]!;
  }

  /** Full-resolution logits only, in either mode (no deep-supervision heads are evaluated). */
  logits(x: Tensor): Tensor {
    return this.forwardLevels(x, false)[0]!;
  }

  /** The logits of every decoder level (allHeads) or just the full-resolution ones, as a list. */
  forwardLevels(x: Tensor, allHeads: boolean): Tensor[] {
    this.checkInput(x);
    return this.decoder.forward(this.encoder.forward(x), allHeads);
  }

  private checkInput(x: Tensor): void {
    const c = this.config;
    const shape = x.shape;
    if (shape.length !== c.spatialDims + 2) {
      throw new ShapeError(
        `UNet (${c.spatialDims}D) expects input (N, C, ${c.spatialDims === 2 ? 'H, W' : 'D, H, W'}), got shape [${shape.join(', ')}]`,
      );
    }
    if (shape[1] !== c.inChannels)
      throw new ShapeError(
        `UNet expects ${c.inChannels} input channel(s), got ${shape[1]} (shape [${shape.join(', ')}])`,
      );
    const divisor = this.inputDivisor;
    if (!shape.slice(2).every((d, i) => d % divisor[i]! === 0)) {
      throw new ShapeError(
        `UNet input size [${shape.slice(2).join(', ')}] must be divisible by [${divisor.join(', ')}] (the product of the strides per axis)`,
      );
    }
  }
}
