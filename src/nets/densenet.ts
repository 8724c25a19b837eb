/**
 * DenseNet (Huang et al. 2017; torchvision's DenseNet-BC) for 2D and 3D from one definition, with
 * torchvision's state-dict names: features.conv0/norm0/pool0, features.denseblockN.denselayerM.
 * norm1/conv1/norm2/conv2, features.transitionN.norm/conv, features.norm5, classifier. A torchvision
 * densenet121 state dict converted to safetensors loads by name.
 *
 * Stems as ResNet's: 'imagenet' (7×7/2 conv0 + 3×3/2 max-pool; features at 1/32) or 'small' (3×3/1
 * conv0, no pool0; features at 1/8, for 28×28 inputs); the parameter names are the same.
 */
import { noGrad } from '../engine/autograd.js';
import { Conv, Dropout, Linear, NamedSequential, ReLU } from '../engine/nn/index.js';
import { constant_, kaimingNormal_ } from '../engine/nn/init.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError } from '../util/errors.js';
import { Classifier, type ClassifierOptions, classifierBasics } from './classifier.js';
import { DenseBlock, transition } from './densenet-blocks.js';
import { adaptiveAvgPoolLayer, convLayer, maxPoolLayer, type SpatialDims, type TensorModule } from './factories.js';
import type { ResNetStem } from './resnet.js';
import { type BlockSettings, norm } from './resnet-blocks.js';

export interface DenseNetOptions extends ClassifierOptions {
  /** Dense layers per block (default DenseNet-121's 6, 12, 24, 16). */
  blockConfig?: readonly number[];
  /** Channels each dense layer adds, k (default 32). */
  growthRate?: number;
  /** Channels of the stem (default 64). */
  numInitFeatures?: number;
  /** Width of each layer's 1×1 bottleneck in multiples of k (default 4). */
  bnSize?: number;
  /** Dropout after every dense layer (torchvision's drop_rate; default 0). */
  dropRate?: number;
  /** 'imagenet' (7×7/2 conv + max-pool, default) or 'small' (3×3/1 conv, no pooling: 28×28 inputs). */
  stem?: ResNetStem;
  /** Normalisation (default batch; instance or group for 3D batches of one or two). */
  norm?: BlockSettings['norm'];
}

/** DenseNet-BC for 2D and 3D with torchvision's state-dict names (this file's comment). */
export class DenseNet extends Classifier {
  readonly spatialDims: SpatialDims;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly headName = 'classifier';
  readonly camLayer = 'features.norm5';
  readonly stem: ResNetStem;
  /** Dense layers per block. */
  readonly blockConfig: number[];
  /** The smallest edge that leaves every axis at least one voxel after the last transition. */
  readonly minSize: number;
  readonly features: NamedSequential;
  readonly relu: TensorModule;
  readonly avgpool: TensorModule;
  readonly dropout: TensorModule | null;
  readonly classifier: Linear;

  /**
   * Creates a DenseNet (DenseNet-121 with the default options).
   * @throws OptionError naming the option for a value out of range
   *
   * @example
   * ```ts
   * import { DenseNet } from 'vesalius/nets';
   * const net = new DenseNet({ spatialDims: 3, inChannels: 1, numClasses: 2 }); // 3D DenseNet-121
   * ```
   */
  constructor(options: DenseNetOptions = {}) {
    super();
    const b = classifierBasics(options);
    this.spatialDims = b.spatialDims;
    this.inChannels = b.inChannels;
    this.numClasses = b.numClasses;
    this.stem = options.stem ?? 'imagenet';
    if (this.stem !== 'imagenet' && this.stem !== 'small')
      throw new OptionError('stem', `must be imagenet or small, got ${String(this.stem)}`);
    const blocks = options.blockConfig ?? [6, 12, 24, 16];
    const growth = options.growthRate ?? 32;
    const init = options.numInitFeatures ?? 64;
    const bnSize = options.bnSize ?? 4;
    const dropRate = options.dropRate ?? 0;
    const positive = (v: number) => Number.isInteger(v) && v >= 1;
    if (blocks.length === 0 || !blocks.every(positive))
      throw new OptionError('blockConfig', `must be positive integers, got ${JSON.stringify(blocks)}`);
    this.blockConfig = [...blocks];
    for (const [k, v] of Object.entries({ growthRate: growth, numInitFeatures: init, bnSize }))
      if (!positive(v)) throw new OptionError(k, `must be a positive integer, got ${v}`);
    if (!(dropRate >= 0 && dropRate < 1)) throw new OptionError('dropRate', `must lie in [0, 1), got ${dropRate}`);
    const s: BlockSettings = { dims: b.spatialDims, norm: options.norm ?? 'batch' };
    const dims = b.spatialDims;
    const features = new NamedSequential();
    if (this.stem === 'imagenet') {
      features.append('conv0', convLayer(dims, b.inChannels, init, 7, { stride: 2, bias: false }));
      features.append('norm0', norm(s, init));
      features.append('relu0', new ReLU());
      features.append('pool0', maxPoolLayer(dims, 3, 2, 1));
    } else {
      features.append('conv0', convLayer(dims, b.inChannels, init, 3, { bias: false }));
      features.append('norm0', norm(s, init));
      features.append('relu0', new ReLU());
    }
    let channels = init;
    blocks.forEach((layers, i) => {
      const block = new DenseBlock(s, layers, channels, growth, bnSize, dropRate);
      features.append(`denseblock${i + 1}`, block);
      channels = block.outChannels;
      if (i < blocks.length - 1) {
        features.append(`transition${i + 1}`, transition(s, channels, Math.floor(channels / 2)));
        channels = Math.floor(channels / 2);
      }
    });
    features.append('norm5', norm(s, channels));
    this.features = this.registerModule('features', features);
    this.relu = this.registerModule('relu', new ReLU());
    this.avgpool = this.registerModule('avgpool', adaptiveAvgPoolLayer(dims, 1));
    this.dropout = b.dropout > 0 ? this.registerModule('dropout', new Dropout(b.dropout)) : null;
    this.classifier = this.registerModule('classifier', new Linear(channels, b.numClasses));
    this.numFeatures = channels;
    // torchvision's: convolutions Kaiming-normal (fan in), norms 1 and 0, the classifier's bias 0
    noGrad(() => {
      for (const m of this.modules()) if (m instanceof Conv) kaimingNormal_(m.weight);
      if (this.classifier.bias) constant_(this.classifier.bias, 0);
    });
    this.minSize = this.stem === 'imagenet' ? 2 ** (blocks.length + 1) - 3 : 2 ** (blocks.length - 1);
  }

  /** The feature map after norm5 (before the final ReLU). */
  featureMap(x: Tensor): Tensor {
    const small = 2 ** (this.blockConfig.length - 1);
    this.checkInput(
      x,
      this.minSize,
      this.stem === 'imagenet' ? `the 'small' stem (3×3/1, no max-pool) takes ${small}` : '',
    );
    return this.features.forward(x);
  }

  embed(x: Tensor): Tensor {
    const f = this.featureMap(x);
    const r = this.relu.forward(f);
    f.dispose();
    return this.poolFlat(r, this.avgpool);
  }

  logitsFrom(embedding: Tensor): Tensor {
    return this.applyHead(embedding, this.dropout, this.classifier);
  }
}

/** DenseNet-121 (torchvision's densenet121: growth 32, blocks 6-12-24-16, 64 stem channels). */
export const densenet121 = (o: Omit<DenseNetOptions, 'blockConfig' | 'growthRate' | 'numInitFeatures'> = {}) =>
  new DenseNet(o);
