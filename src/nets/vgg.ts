/**
 * VGG with batch normalisation (Simonyan & Zisserman 2015; torchvision's vgg11_bn … vgg19_bn) for 2D and
 * 3D from one definition, with torchvision's state-dict names: `features.N` (conv, norm, ReLU per
 * convolution and a max-pool per stage, numbered in order: VGG-16's convolutions sit at 0, 3, 7, 10, 14,
 * …, 40), then adaptive average pooling and `classifier.0/3/6` (two hidden linear layers of 4096 with
 * ReLU and dropout, then the head). A torchvision vgg16_bn state dict converted to safetensors loads by name.
 *
 * The pooled grid is torchvision's 7×7 in 2D (the classifier's first layer has 512·7·7 inputs); 3D
 * defaults to 1×1×1, because 512·7³ inputs would give that one layer 720 M weights. The 'small'
 * variant drops the last max-pool (features at 1/16), so 28×28 inputs fit; it has the same names.
 */
import { noGrad } from '../engine/autograd.js';
import { Conv, Dropout, Linear, ReLU, Sequential } from '../engine/nn/index.js';
import { constant_, kaimingNormal_, normal_ } from '../engine/nn/init.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError } from '../util/errors.js';
import { Classifier, type ClassifierOptions, classifierBasics } from './classifier.js';
import { adaptiveAvgPoolLayer, convLayer, maxPoolLayer, type SpatialDims, type TensorModule } from './factories.js';
import { type BlockSettings, norm } from './resnet-blocks.js';

/** torchvision's layer lists ('M' = 2×2/2 max-pool). */
export const VGG_CONFIGS = {
  11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
} as const satisfies Record<number, ReadonlyArray<number | 'M'>>;
export type VGGDepth = keyof typeof VGG_CONFIGS;

export interface VGGOptions extends ClassifierOptions {
  /** 11, 13, 16 (default) or 19 layers. */
  depth?: VGGDepth;
  /** 'imagenet' (five max-pools, default) or 'small' (the last max-pool dropped: 28×28 inputs). */
  stem?: 'imagenet' | 'small';
  /** Normalisation (default batch; instance or group for 3D batches of one or two). */
  norm?: BlockSettings['norm'];
  /** Edge of the adaptive average pool before the classifier (default 7 in 2D, 1 in 3D). */
  poolSize?: number;
  /** Width of the two hidden linear layers (default 4096). */
  hiddenFeatures?: number;
}

/** VGG-BN for 2D and 3D with torchvision's state-dict names (this file's comment). */
export class VGG extends Classifier {
  readonly spatialDims: SpatialDims;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly headName = 'classifier.6';
  /** The last convolution stage's rectified output (before its max-pool): Grad-CAM's default. */
  readonly camLayer: string;
  readonly depth: VGGDepth;
  readonly stem: 'imagenet' | 'small';
  readonly poolSize: number;
  /** The smallest edge the max-pools leave at least one voxel of. */
  readonly minSize: number;
  readonly features: Sequential;
  readonly avgpool: TensorModule;
  readonly classifier: Sequential;

  /**
   * Creates a VGG-BN (VGG-16 with batch norm, torchvision's vgg16_bn, with the default options).
   * `dropout` (default 0.5, torchvision's) applies after each hidden linear layer.
   * @throws OptionError naming the option for a value out of range
   *
   * @example
   * ```ts
   * import { VGG } from 'vesalius/nets';
   * const net = new VGG({ inChannels: 1, numClasses: 2, stem: 'small' }); // 28×28 inputs
   * ```
   */
  constructor(options: VGGOptions = {}) {
    super();
    const b = classifierBasics(options, 0.5);
    this.spatialDims = b.spatialDims;
    this.inChannels = b.inChannels;
    this.numClasses = b.numClasses;
    this.depth = options.depth ?? 16;
    if (!(this.depth in VGG_CONFIGS))
      throw new OptionError('depth', `must be one of 11, 13, 16, 19, got ${String(this.depth)}`);
    this.stem = options.stem ?? 'imagenet';
    if (this.stem !== 'imagenet' && this.stem !== 'small')
      throw new OptionError('stem', `must be imagenet or small, got ${String(this.stem)}`);
    this.poolSize = options.poolSize ?? (b.spatialDims === 2 ? 7 : 1);
    const hidden = options.hiddenFeatures ?? 4096;
    for (const [k, v] of Object.entries({ poolSize: this.poolSize, hiddenFeatures: hidden }))
      if (!(Number.isInteger(v) && v >= 1)) throw new OptionError(k, `must be a positive integer, got ${v}`);
    const dims = b.spatialDims;
    const s: BlockSettings = { dims, norm: options.norm ?? 'batch' };
    const layers = VGG_CONFIGS[this.depth];
    const features = new Sequential();
    let channels = b.inChannels;
    let pools = 0;
    layers.forEach((v, i) => {
      if (v === 'M') {
        if (this.stem === 'small' && i === layers.length - 1) return;
        features.append(maxPoolLayer(dims, 2, 2));
        pools++;
      } else {
        features.append(convLayer(dims, channels, v, 3));
        features.append(norm(s, v));
        features.append(new ReLU());
        channels = v;
      }
    });
    this.minSize = 2 ** pools;
    this.camLayer = `features.${this.stem === 'small' ? features.length - 1 : features.length - 2}`;
    this.features = this.registerModule('features', features);
    this.avgpool = this.registerModule('avgpool', adaptiveAvgPoolLayer(dims, this.poolSize));
    const flat = channels * this.poolSize ** dims;
    this.classifier = this.registerModule(
      'classifier',
      new Sequential(
        new Linear(flat, hidden),
        new ReLU(),
        new Dropout(b.dropout),
        new Linear(hidden, hidden),
        new ReLU(),
        new Dropout(b.dropout),
        new Linear(hidden, b.numClasses),
      ),
    );
    this.numFeatures = hidden;
    // torchvision's: convolutions Kaiming-normal (fan out, ReLU) with zero bias, linear N(0, 0.01²)
    noGrad(() => {
      for (const m of this.modules()) {
        if (m instanceof Conv) {
          kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
          if (m.bias) constant_(m.bias, 0);
        } else if (m instanceof Linear) {
          normal_(m.weight, 0, 0.01);
          if (m.bias) constant_(m.bias, 0);
        }
      }
    });
  }

  /** The last stage's feature map, pooled to `poolSize` per axis. */
  private pooled(x: Tensor): Tensor {
    this.checkInput(x, this.minSize, this.stem === 'imagenet' ? "the 'small' stem (no last max-pool) takes 16" : '');
    const f = this.features.forward(x);
    const p = this.avgpool.forward(f);
    f.dispose();
    return p;
  }

  /** The penultimate activations (N, hiddenFeatures): the classifier up to its second dropout. */
  embed(x: Tensor): Tensor {
    const p = this.pooled(x);
    let h = ve.flatten(p, 1);
    p.dispose();
    for (let i = 0; i < 6; i++) {
      const next = this.classifier.at(i).forward(h);
      if (next !== h) h.dispose();
      h = next;
    }
    return h;
  }

  logitsFrom(embedding: Tensor): Tensor {
    return this.classifier.at(6).forward(embedding);
  }
}

/** VGG-16 with batch norm (torchvision's vgg16_bn). */
export const vgg16bn = (o: Omit<VGGOptions, 'depth'> = {}) => new VGG({ ...o, depth: 16 });
