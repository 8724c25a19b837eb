/**
 * torchvision's residual blocks, with its parameter names (conv1, bn1, conv2, bn2, [conv3, bn3,]
 * downsample.0, downsample.1), for 2D and 3D through the layer factories:
 *  - BasicBlock (ResNet-18/34): 3×3 conv-BN-ReLU, 3×3 conv-BN, + skip, ReLU
 *  - Bottleneck (ResNet-50/101/152): 1×1 reduce, 3×3 (carrying the stride, "ResNet v1.5"), 1×1
 *    expand ×4, + skip, ReLU
 * The skip is the identity, or a strided 1×1 conv + BN where the shape changes.
 */
import { ReLU, Sequential } from '../engine/nn/index.js';
import { Module } from '../engine/nn/module.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { convLayer, normLayer, type NormType, type SpatialDims, type TensorModule } from './factories.js';

/** How a residual block's layers are made: dimensions and normalisation. */
export interface BlockSettings {
  dims: SpatialDims;
  norm: Exclude<NormType, 'none'>;
}

export function norm(s: BlockSettings, channels: number): TensorModule {
  return normLayer(s.norm, s.dims, channels)!;
}

function downsample(s: BlockSettings, inChannels: number, outChannels: number, stride: number): Sequential | null {
  if (stride === 1 && inChannels === outChannels) return null;
  return new Sequential(convLayer(s.dims, inChannels, outChannels, 1, { stride, bias: false }), norm(s, outChannels));
}

/** Runs layers in order, disposing intermediates (not the input). */
function run(x: Tensor, layers: readonly TensorModule[]): Tensor {
  let out = x;
  for (const layer of layers) {
    const next = layer.forward(out);
    if (out !== x && next !== out) out.dispose();
    out = next;
  }
  return out;
}

/** out = relu(residual + skip), disposing the two addends. */
function join(residual: Tensor, skip: Tensor, x: Tensor, relu: TensorModule): Tensor {
  const sum = ve.add(residual, skip);
  residual.dispose();
  if (skip !== x) skip.dispose();
  const out = relu.forward(sum);
  sum.dispose();
  return out;
}

export abstract class ResidualUnit extends Module {
  abstract readonly outChannels: number;
  /** The normalisation whose scale zero-init-residual sets to 0 (the block then starts as the identity). */
  abstract readonly lastNorm: TensorModule;
}

/** torchvision's BasicBlock (ResNet-18/34): two 3×3 convolutions; a 1×1 projection when the shape changes. */
export class BasicBlock extends ResidualUnit {
  static readonly expansion = 1;
  readonly outChannels: number;
  readonly conv1: TensorModule;
  readonly bn1: TensorModule;
  readonly relu: TensorModule;
  readonly conv2: TensorModule;
  readonly bn2: TensorModule;
  readonly downsample: Sequential | null;

  /**
   * Creates the block; its parameter names are torchvision's.
   * @param planes the block's width before expansion
   * @param stride the first convolution's stride (2 where a stage halves the resolution)
   */
  constructor(s: BlockSettings, inChannels: number, planes: number, stride: number) {
    super();
    this.outChannels = planes;
    this.conv1 = this.registerModule('conv1', convLayer(s.dims, inChannels, planes, 3, { stride, bias: false }));
    this.bn1 = this.registerModule('bn1', norm(s, planes));
    this.relu = this.registerModule('relu', new ReLU());
    this.conv2 = this.registerModule('conv2', convLayer(s.dims, planes, planes, 3, { bias: false }));
    this.bn2 = this.registerModule('bn2', norm(s, planes));
    const d = downsample(s, inChannels, planes, stride);
    this.downsample = d && this.registerModule('downsample', d);
  }

  get lastNorm(): TensorModule {
    return this.bn2;
  }

  forward(x: Tensor): Tensor {
    const residual = run(x, [this.conv1, this.bn1, this.relu, this.conv2, this.bn2]);
    return join(residual, this.downsample ? this.downsample.forward(x) : x, x, this.relu);
  }
}

/** torchvision's Bottleneck (ResNet-50 and deeper): 1×1, 3×3 (strided), 1×1 ×4 expansion convolutions. */
export class Bottleneck extends ResidualUnit {
  static readonly expansion = 4;
  readonly outChannels: number;
  readonly conv1: TensorModule;
  readonly bn1: TensorModule;
  readonly conv2: TensorModule;
  readonly bn2: TensorModule;
  readonly conv3: TensorModule;
  readonly bn3: TensorModule;
  readonly relu: TensorModule;
  readonly downsample: Sequential | null;

  /**
   * Creates the block; its parameter names are torchvision's.
   * @param planes the block's width before expansion
   * @param stride the first convolution's stride (2 where a stage halves the resolution)
   */
  constructor(s: BlockSettings, inChannels: number, planes: number, stride: number) {
    super();
    const out = planes * Bottleneck.expansion;
    this.outChannels = out;
    this.conv1 = this.registerModule('conv1', convLayer(s.dims, inChannels, planes, 1, { bias: false }));
    this.bn1 = this.registerModule('bn1', norm(s, planes));
    this.conv2 = this.registerModule('conv2', convLayer(s.dims, planes, planes, 3, { stride, bias: false }));
    this.bn2 = this.registerModule('bn2', norm(s, planes));
    this.conv3 = this.registerModule('conv3', convLayer(s.dims, planes, out, 1, { bias: false }));
    this.bn3 = this.registerModule('bn3', norm(s, out));
    this.relu = this.registerModule('relu', new ReLU());
    const d = downsample(s, inChannels, out, stride);
    this.downsample = d && this.registerModule('downsample', d);
  }

  get lastNorm(): TensorModule {
    return this.bn3;
  }

  forward(x: Tensor): Tensor {
    const r = this.relu;
    const residual = run(x, [this.conv1, this.bn1, r, this.conv2, this.bn2, r, this.conv3, this.bn3]);
    return join(residual, this.downsample ? this.downsample.forward(x) : x, x, this.relu);
  }
}
