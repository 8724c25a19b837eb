/**
 * torchvision's DenseNet pieces with its parameter names, for 2D and 3D through the layer factories:
 *  - _DenseLayer (norm1, relu1, conv1 1×1 to bn_size·growth, norm2, relu2, conv2 3×3 to growth): its
 *    input is every earlier feature map of the block concatenated;
 *  - _DenseBlock (denselayer1 … denselayerN): returns all of them concatenated;
 *  - _Transition (norm, relu, conv 1×1, pool 2×2/2 average).
 */
import { AvgPool2d, AvgPool3d, Dropout, NamedSequential, ReLU } from '../engine/nn/index.js';
import { Module } from '../engine/nn/module.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { convLayer, type TensorModule } from './factories.js';
import { type BlockSettings, norm } from './resnet-blocks.js';

/** One dense layer: BN-ReLU-1×1 conv (bottleneck), BN-ReLU-3×3 conv, adding `growthRate` channels. */
export class DenseLayer extends Module {
  readonly norm1: TensorModule;
  readonly relu1: TensorModule;
  readonly conv1: TensorModule;
  readonly norm2: TensorModule;
  readonly relu2: TensorModule;
  readonly conv2: TensorModule;
  readonly dropout: TensorModule | null;

  /**
   * Creates the layer; its parameter names are torchvision's.
   * @param inChannels channels of the concatenated input
   * @param growthRate channels this layer adds (k)
   * @param bnSize the bottleneck's width in multiples of k
   * @param dropRate dropout after the layer (torchvision's drop_rate)
   */
  constructor(s: BlockSettings, inChannels: number, growthRate: number, bnSize: number, dropRate: number) {
    super();
    const width = bnSize * growthRate;
    this.norm1 = this.registerModule('norm1', norm(s, inChannels));
    this.relu1 = this.registerModule('relu1', new ReLU());
    this.conv1 = this.registerModule('conv1', convLayer(s.dims, inChannels, width, 1, { bias: false }));
    this.norm2 = this.registerModule('norm2', norm(s, width));
    this.relu2 = this.registerModule('relu2', new ReLU());
    this.conv2 = this.registerModule('conv2', convLayer(s.dims, width, growthRate, 3, { bias: false }));
    this.dropout = dropRate > 0 ? this.registerModule('dropout', new Dropout(dropRate)) : null;
  }

  /** The new features (N, growthRate, …) from the concatenation of the earlier ones. */
  forward(x: Tensor): Tensor {
    let out = x;
    for (const layer of [this.norm1, this.relu1, this.conv1, this.norm2, this.relu2, this.conv2, this.dropout]) {
      if (layer === null) continue;
      const next = layer.forward(out);
      if (out !== x) out.dispose();
      out = next;
    }
    return out;
  }
}

/** A dense block: each layer sees every earlier feature map; the output is all of them concatenated. */
export class DenseBlock extends Module {
  readonly layers: DenseLayer[] = [];
  readonly outChannels: number;

  /** `numLayers` dense layers named denselayer1 … denselayerN, as torchvision's. */
  constructor(
    s: BlockSettings,
    numLayers: number,
    inChannels: number,
    growthRate: number,
    bnSize: number,
    dropRate: number,
  ) {
    super();
    for (let i = 0; i < numLayers; i++) {
      const layer = new DenseLayer(s, inChannels + i * growthRate, growthRate, bnSize, dropRate);
      this.layers.push(this.registerModule(`denselayer${i + 1}`, layer));
    }
    this.outChannels = inChannels + numLayers * growthRate;
  }

  /** cat(x, f1, f2, …) along channels. */
  forward(x: Tensor): Tensor {
    const features = [x];
    let joined = x;
    for (const layer of this.layers) {
      features.push(layer.forward(joined));
      if (joined !== x) joined.dispose();
      joined = ve.cat(features, 1);
    }
    for (const f of features.slice(1)) f.dispose();
    return joined;
  }
}

/** A transition between dense blocks: BN-ReLU-1×1 conv (compression), 2×2/2 average pooling. */
export function transition(s: BlockSettings, inChannels: number, outChannels: number): NamedSequential {
  return new NamedSequential([
    ['norm', norm(s, inChannels)],
    ['relu', new ReLU()],
    ['conv', convLayer(s.dims, inChannels, outChannels, 1, { bias: false })],
    ['pool', s.dims === 2 ? new AvgPool2d(2, { stride: 2 }) : new AvgPool3d(2, { stride: 2 })],
  ]);
}
