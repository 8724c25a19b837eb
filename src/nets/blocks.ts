/**
 * The building blocks of the U-Nets, named as nnU-Net's dynamic_network_architectures names them so
 * that parameter names read the same ("encoder.stages.0.0.convs.1.norm.weight"):
 *  - ConvNormAct: conv → (dropout) → (norm) → (activation)            (ConvDropoutNormReLU)
 *  - StackedConvBlocks: n of them, the first one carrying the stride   (convs.0, convs.1, ...)
 *  - ResidualBlock: two of them with an identity / pooled-projection skip (BasicBlockD)
 *  - StackedResidualBlocks: n residual blocks                           (blocks.0, blocks.1, ...)
 * nnU-Net also registers each ConvDropoutNormReLU's layers a second time as `all_modules.*`; those
 * duplicate names are not reproduced.
 */
import { Sequential } from '../engine/nn/index.js';
import { Module } from '../engine/nn/module.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import {
  activationLayer,
  convLayer,
  dropoutLayer,
  normLayer,
  poolLayer,
  type ActivationType,
  type NormType,
  type Size,
  type SpatialDims,
} from './factories.js';
import type { TensorModule } from '../engine/nn/layers/containers.js';

/** How every convolution block of a network is made. */
export interface LayerSettings {
  dims: SpatialDims;
  norm: NormType;
  normGroups?: number;
  activation: ActivationType;
  negativeSlope: number;
  convBias: boolean;
  dropout: number;
}

/** Runs modules in order, disposing each intermediate handle once the next module has consumed it. */
function chain(x: Tensor, layers: ReadonlyArray<TensorModule | null>): Tensor {
  let out = x;
  for (const layer of layers) {
    if (layer === null) continue;
    const next = layer.forward(out);
    if (out !== x && next !== out) out.dispose();
    out = next;
  }
  return out;
}

/** Convolution → dropout → norm → activation, nnU-Net's ConvDropoutNormReLU (names conv, norm, nonlin). */
export class ConvNormAct extends Module {
  readonly conv: TensorModule;
  readonly dropout: TensorModule | null;
  readonly norm: TensorModule | null;
  readonly nonlin: TensorModule | null;

  /** Built from the network's layer settings; the parameter names are nnU-Net's. */
  constructor(
    s: LayerSettings,
    inChannels: number,
    outChannels: number,
    kernel: Size,
    stride: Size,
    options: { activation?: boolean; bias?: boolean } = {},
  ) {
    super();
    this.conv = this.registerModule(
      'conv',
      convLayer(s.dims, inChannels, outChannels, kernel, { stride, bias: options.bias ?? s.convBias }),
    );
    this.dropout = register(this, 'dropout', dropoutLayer(s.dropout));
    this.norm = register(this, 'norm', normLayer(s.norm, s.dims, outChannels, { groups: s.normGroups }));
    this.nonlin =
      options.activation === false
        ? null
        : register(this, 'nonlin', activationLayer(s.activation, { negativeSlope: s.negativeSlope }));
  }

  forward(x: Tensor): Tensor {
    return chain(x, [this.conv, this.dropout, this.norm, this.nonlin]);
  }
}

function register<M extends TensorModule>(owner: Module, name: string, m: M | null): M | null {
  return m === null ? null : owner.registerModule(name, m);
}

/** `count` ConvNormAct blocks, the first with the stage's stride (nnU-Net's StackedConvBlocks). */
export class StackedConvBlocks extends Module {
  readonly convs: Sequential;

  /** Built from the network's layer settings; the parameter names are nnU-Net's. */
  constructor(
    s: LayerSettings,
    count: number,
    inChannels: number,
    outChannels: number,
    kernel: Size,
    firstStride: Size,
  ) {
    super();
    const blocks = Array.from(
      { length: count },
      (_, i) => new ConvNormAct(s, i === 0 ? inChannels : outChannels, outChannels, kernel, i === 0 ? firstStride : 1),
    );
    this.convs = this.registerModule('convs', new Sequential(...blocks));
  }

  forward(x: Tensor): Tensor {
    return this.convs.forward(x);
  }
}

function isUnitStride(stride: Size): boolean {
  return typeof stride === 'number' ? stride === 1 : stride.every((v) => v === 1);
}

/**
 * He et al.'s basic residual block, variant D (Bag of Tricks): the skip average-pools when the block
 * strides and projects with a 1×1 conv + norm when the channel count changes.
 */
export class ResidualBlock extends Module {
  readonly conv1: ConvNormAct;
  readonly conv2: ConvNormAct;
  readonly skip: Sequential | null;
  readonly nonlin2: TensorModule;

  /** Built from the network's layer settings; the parameter names are nnU-Net's. */
  constructor(s: LayerSettings, inChannels: number, outChannels: number, kernel: Size, stride: Size) {
    super();
    this.conv1 = this.registerModule('conv1', new ConvNormAct(s, inChannels, outChannels, kernel, stride));
    this.conv2 = this.registerModule(
      'conv2',
      new ConvNormAct(s, outChannels, outChannels, kernel, 1, { activation: false }),
    );
    this.nonlin2 = this.registerModule('nonlin2', activationLayer(s.activation, { negativeSlope: s.negativeSlope }));
    const skip: TensorModule[] = [];
    if (!isUnitStride(stride)) skip.push(poolLayer('avg', s.dims, stride));
    if (inChannels !== outChannels) {
      skip.push(
        new ConvNormAct({ ...s, dropout: 0 }, inChannels, outChannels, 1, 1, { activation: false, bias: false }),
      );
    }
    this.skip = skip.length > 0 ? this.registerModule('skip', new Sequential(...skip)) : null;
  }

  forward(x: Tensor): Tensor {
    const hidden = this.conv1.forward(x);
    const residual = this.conv2.forward(hidden);
    hidden.dispose();
    const shortcut = this.skip === null ? x : this.skip.forward(x);
    const sum = ve.add(residual, shortcut);
    residual.dispose();
    if (shortcut !== x) shortcut.dispose();
    const out = this.nonlin2.forward(sum);
    sum.dispose();
    return out;
  }
}

export class StackedResidualBlocks extends Module {
  readonly blocks: Sequential;

  /** Built from the network's layer settings; the parameter names are nnU-Net's. */
  constructor(
    s: LayerSettings,
    count: number,
    inChannels: number,
    outChannels: number,
    kernel: Size,
    firstStride: Size,
  ) {
    super();
    const blocks = Array.from(
      { length: count },
      (_, i) =>
        new ResidualBlock(s, i === 0 ? inChannels : outChannels, outChannels, kernel, i === 0 ? firstStride : 1),
    );
    this.blocks = this.registerModule('blocks', new Sequential(...blocks));
  }

  forward(x: Tensor): Tensor {
    return this.blocks.forward(x);
  }
}
