/**
 * ResNet-18/34/50/101/152 (He et al. 2016; torchvision's "v1.5": the bottleneck strides in its 3×3)
 * for 2D and 3D from one definition. Parameter names are torchvision's (conv1, bn1, layer1.0.conv1,
 * layer2.0.downsample.0, …, fc), so a torchvision state dict converted to safetensors loads by name.
 *
 * Stems: 'imagenet' is torchvision's 7×7/2 convolution + 3×3/2 max-pool (feature maps at 1/4 … 1/32);
 * 'small' is the 3×3/1 convolution without pooling of CIFAR-style ResNets, as MedMNIST uses at 28×28
 * (feature maps at 1 … 1/8). The parameter names are the same; conv1's kernel differs.
 *
 * `stages(x)` returns the outputs of layer1…layer4 (C2…C5), the inputs of a feature pyramid.
 */
import { noGrad } from '../engine/autograd.js';
import { Conv, Dropout, Linear, ReLU, Sequential } from '../engine/nn/index.js';
import { constant_, kaimingNormal_ } from '../engine/nn/init.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError } from '../util/errors.js';
import { Classifier, type ClassifierOptions, classifierBasics } from './classifier.js';
import { adaptiveAvgPoolLayer, convLayer, maxPoolLayer, type SpatialDims, type TensorModule } from './factories.js';
import { BasicBlock, Bottleneck, type BlockSettings, norm, type ResidualUnit } from './resnet-blocks.js';

export const RESNET_DEPTHS = [18, 34, 50, 101, 152] as const;
export type ResNetDepth = (typeof RESNET_DEPTHS)[number];

const LAYOUT: Record<ResNetDepth, { block: 'basic' | 'bottleneck'; blocks: [number, number, number, number] }> = {
  18: { block: 'basic', blocks: [2, 2, 2, 2] },
  34: { block: 'basic', blocks: [3, 4, 6, 3] },
  50: { block: 'bottleneck', blocks: [3, 4, 6, 3] },
  101: { block: 'bottleneck', blocks: [3, 4, 23, 3] },
  152: { block: 'bottleneck', blocks: [3, 8, 36, 3] },
};

export type ResNetStem = 'imagenet' | 'small';

export interface ResNetOptions extends ClassifierOptions {
  depth: ResNetDepth;
  /** 'imagenet' (7×7/2 conv + max-pool, default) or 'small' (3×3/1 conv, no pooling: 28×28 inputs). */
  stem?: ResNetStem;
  /** Normalisation (default batch; instance or group for 3D batches of one or two). */
  norm?: BlockSettings['norm'];
  /** Channels of layer1…layer4 before expansion (default 64, 128, 256, 512). */
  widths?: [number, number, number, number];
  /** Start every residual branch at zero (its last norm's scale = 0), as torchvision's option. */
  zeroInitResidual?: boolean;
}

/** ResNet-18/34/50/101/152 for 2D and 3D with torchvision's state-dict names (this file's comment). */
export class ResNet extends Classifier {
  readonly spatialDims: SpatialDims;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly headName = 'fc';
  readonly camLayer = 'layer4';
  readonly depth: ResNetDepth;
  readonly stem: ResNetStem;
  /** Channels of C2…C5. */
  readonly stageChannels: number[];
  /** Down-sampling of C2…C5 relative to the input. */
  readonly stageStrides: number[];
  readonly conv1: TensorModule;
  readonly bn1: TensorModule;
  readonly relu: TensorModule;
  readonly maxpool: TensorModule | null;
  readonly layers: Sequential[];
  readonly avgpool: TensorModule;
  readonly dropout: TensorModule | null;
  readonly fc: Linear;

  /**
   * Creates a ResNet of `options.depth` layers.
   * @throws OptionError naming the option for an unknown depth or a value out of range
   *
   * @example
   * ```ts
   * import { ResNet } from 'vesalius/nets';
   * const net = new ResNet({ depth: 18, spatialDims: 2, inChannels: 3, numClasses: 9, stem: 'small' });
   * ```
   */
  constructor(options: ResNetOptions) {
    super();
    const b = classifierBasics(options);
    if (!RESNET_DEPTHS.includes(options.depth))
      throw new OptionError('depth', `must be one of ${RESNET_DEPTHS.join(', ')}, got ${String(options.depth)}`);
    this.spatialDims = b.spatialDims;
    this.inChannels = b.inChannels;
    this.numClasses = b.numClasses;
    this.depth = options.depth;
    this.stem = options.stem ?? 'imagenet';
    if (this.stem !== 'imagenet' && this.stem !== 'small')
      throw new OptionError('stem', `must be imagenet or small, got ${String(this.stem)}`);
    const s: BlockSettings = { dims: b.spatialDims, norm: options.norm ?? 'batch' };
    const widths = options.widths ?? [64, 128, 256, 512];
    const { block, blocks } = LAYOUT[this.depth];
    const Block = block === 'basic' ? BasicBlock : Bottleneck;
    const dims = b.spatialDims;
    const first = widths[0];
    this.conv1 = this.registerModule(
      'conv1',
      this.stem === 'imagenet'
        ? convLayer(dims, b.inChannels, first, 7, { stride: 2, bias: false })
        : convLayer(dims, b.inChannels, first, 3, { bias: false }),
    );
    this.bn1 = this.registerModule('bn1', norm(s, first));
    this.relu = this.registerModule('relu', new ReLU());
    this.maxpool = this.stem === 'imagenet' ? this.registerModule('maxpool', maxPoolLayer(dims, 3, 2, 1)) : null;
    let channels = first;
    this.layers = widths.map((planes, i) => {
      const units: ResidualUnit[] = [];
      for (let j = 0; j < blocks[i]!; j++) {
        const unit = new Block(s, channels, planes, j === 0 && i > 0 ? 2 : 1);
        channels = unit.outChannels;
        units.push(unit);
      }
      return this.registerModule(`layer${i + 1}`, new Sequential(...units));
    });
    this.stageChannels = widths.map((w) => w * Block.expansion);
    const base = this.stem === 'imagenet' ? 4 : 1;
    this.stageStrides = [base, base * 2, base * 4, base * 8];
    this.numFeatures = channels;
    this.avgpool = this.registerModule('avgpool', adaptiveAvgPoolLayer(dims, 1));
    this.dropout = b.dropout > 0 ? this.registerModule('dropout', new Dropout(b.dropout)) : null;
    this.fc = this.registerModule('fc', new Linear(channels, b.numClasses));
    this.initialise(!!options.zeroInitResidual);
  }

  /** torchvision's initialisation: convolutions Kaiming-normal (fan out, ReLU), norms 1 and 0. */
  private initialise(zeroInitResidual: boolean): void {
    noGrad(() => {
      for (const m of this.modules()) {
        if (m instanceof Conv) kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
      }
      if (zeroInitResidual)
        for (const layer of this.layers)
          for (const unit of layer) {
            const w = (unit as ResidualUnit).lastNorm.namedParameters().find(([n]) => n === 'weight')?.[1];
            if (w) constant_(w, 0);
          }
    });
  }

  /** The stem's output (conv1, bn1, relu, max-pool). */
  private stemForward(x: Tensor): Tensor {
    this.checkInput(x);
    let out = x;
    for (const layer of [this.conv1, this.bn1, this.relu, this.maxpool]) {
      if (layer === null) continue;
      const next = layer.forward(out);
      if (out !== x) out.dispose();
      out = next;
    }
    return out;
  }

  /** C2…C5: the outputs of layer1…layer4 (strides `stageStrides`, channels `stageChannels`). */
  stages(x: Tensor): Tensor[] {
    const out: Tensor[] = [];
    let h = this.stemForward(x);
    for (const layer of this.layers) {
      h = layer.forward(h);
      out.push(h);
    }
    return out;
  }

  embed(x: Tensor): Tensor {
    let h = this.stemForward(x);
    for (const layer of this.layers) {
      const next = layer.forward(h);
      h.dispose();
      h = next;
    }
    return this.poolFlat(h, this.avgpool);
  }

  logitsFrom(embedding: Tensor): Tensor {
    return this.applyHead(embedding, this.dropout, this.fc);
  }
}

/** ResNet-18 (the other depths likewise: `new ResNet({ depth: 50, ... })`). */
export const resnet18 = (o: Omit<ResNetOptions, 'depth'> = {}) => new ResNet({ ...o, depth: 18 });
/** ResNet-34. */
export const resnet34 = (o: Omit<ResNetOptions, 'depth'> = {}) => new ResNet({ ...o, depth: 34 });
/** ResNet-50 (bottleneck blocks). */
export const resnet50 = (o: Omit<ResNetOptions, 'depth'> = {}) => new ResNet({ ...o, depth: 50 });
