/**
 * A single-shot detector: ResNet body (src/nets/resnet.ts) → feature pyramid → RetinaNet or FCOS head,
 * named as torchvision names it (backbone.body.*, backbone.fpn.*, head.*), so a torchvision
 * RetinaNet's weights load by name. `forward` returns the raw head outputs for a batch; anchors for
 * an input size come from `anchorsFor` (cached per size).
 */
import * as ve from '../engine/index.js';
import { Module } from '../engine/nn/index.js';
import type { Tensor } from '../engine/tensor.js';
import { ResNet, type ResNetDepth } from '../nets/resnet.js';
import type { SpatialDims } from '../nets/factories.js';
import { OptionError } from '../util/errors.js';
import { type AnchorConfig, cellAnchors, gridAnchors, type LevelAnchors } from './anchors.js';
import { type ExtraLevels, FeaturePyramidNetwork } from './fpn.js';
import { FcosHead, type HeadOutput, RetinaNetHead } from './heads.js';

export interface DetectorOptions {
  dims: SpatialDims;
  inChannels: number;
  numClasses: number;
  /** 'retinanet' (anchors) or 'fcos' (anchor-free: one square "anchor" of the level's stride per position). */
  head?: 'retinanet' | 'fcos';
  depth?: ResNetDepth;
  /** ResNet widths of layer1…layer4 (default 64, 128, 256, 512). */
  widths?: [number, number, number, number];
  /** Backbone stages feeding the pyramid, 1-based as torchvision's returned_layers (default [2, 3, 4]). */
  returnedLayers?: number[];
  fpnChannels?: number;
  extra?: ExtraLevels;
  headConvs?: number;
  headNorm?: 'none' | 'group';
  anchors?: AnchorConfig;
  norm?: 'batch' | 'group' | 'instance';
  /** ResNet stem: 'imagenet' (7×7/2 + max-pool: C2 at 1/4) or 'small' (3×3/1: C2 at full resolution). */
  stem?: 'imagenet' | 'small';
}

/** torchvision's IntermediateLayerGetter over a ResNet: its stem and layers, without avgpool / fc. */
/** Part of the detector, named as in torchvision. */
export class ResNetBody extends Module<[Tensor], Tensor[]> {
  /** Builds the part from the detector's options. */
  constructor(readonly resnet: ResNet) {
    super();
    for (const [name, m] of resnet.namedChildren())
      if (name !== 'fc' && name !== 'avgpool' && name !== 'dropout') this.registerModule(name, m);
    resnet.fc.dispose();
  }
  forward(x: Tensor): Tensor[] {
    return this.resnet.stages(x);
  }
}

/** Part of the detector, named as in torchvision. */
export class BackboneWithFpn extends Module<[Tensor], Tensor[]> {
  readonly body: ResNetBody;
  readonly fpn: FeaturePyramidNetwork;
  /** Builds the part from the detector's options. */
  constructor(
    resnet: ResNet,
    readonly returnedLayers: number[],
    channels: number,
    extra: ExtraLevels,
  ) {
    super();
    this.body = this.registerModule('body', new ResNetBody(resnet));
    this.fpn = this.registerModule(
      'fpn',
      new FeaturePyramidNetwork(
        resnet.spatialDims,
        returnedLayers.map((l) => resnet.stageChannels[l - 1]!),
        channels,
        extra,
      ),
    );
  }
  forward(x: Tensor): Tensor[] {
    return ve.tidy(() => {
      const stages = this.body.forward(x);
      return this.fpn.forward(this.returnedLayers.map((l) => stages[l - 1]!));
    });
  }
}

export class Detector extends Module<[Tensor], HeadOutput> {
  readonly backbone: BackboneWithFpn;
  readonly head: RetinaNetHead | FcosHead;
  readonly kind: 'retinanet' | 'fcos';
  readonly dims: SpatialDims;
  readonly numClasses: number;
  readonly cells: number[][][];
  readonly #anchorCache = new Map<string, LevelAnchors>();

  /** Builds backbone, pyramid and head from the options. */
  constructor(readonly options: DetectorOptions) {
    super();
    const o = options;
    this.dims = o.dims;
    this.numClasses = o.numClasses;
    this.kind = o.head ?? 'retinanet';
    const returned = o.returnedLayers ?? [2, 3, 4];
    if (
      !returned.every((l) => Number.isInteger(l) && l >= 1 && l <= 4) ||
      returned.some((l, i) => i > 0 && l <= returned[i - 1]!)
    )
      throw new OptionError(
        'network.returned_layers',
        `must be increasing stage numbers 1…4, got [${returned.join(', ')}]`,
      );
    const resnet = new ResNet({
      depth: o.depth ?? 18,
      spatialDims: o.dims,
      inChannels: o.inChannels,
      numClasses: 1,
      widths: o.widths,
      norm: o.norm ?? 'batch',
      stem: o.stem ?? 'imagenet',
    });
    const channels = o.fpnChannels ?? 256;
    const extra = o.extra ?? 'p6p7';
    this.backbone = this.registerModule('backbone', new BackboneWithFpn(resnet, returned, channels, extra));
    const levels = returned.length + (extra === 'p6p7' ? 2 : 0);
    if (this.kind === 'fcos') {
      // one square anchor of the stride per position (torchvision's FCOS anchor generator)
      const strides = [...returned.map((l) => resnet.stageStrides[l - 1]!)];
      while (strides.length < levels) strides.push(strides[strides.length - 1]! * 2);
      this.cells = cellAnchors({ shapes: strides.map((s) => [Array<number>(o.dims).fill(s)]) }, o.dims);
    } else {
      this.cells = cellAnchors(o.anchors ?? { sizes: [[32], [64], [128], [256], [512]].slice(0, levels) }, o.dims);
    }
    if (this.cells.length !== levels)
      throw new OptionError('anchors', `${this.cells.length} levels of anchors for ${levels} pyramid levels`);
    const perPosition = this.cells[0]!.length;
    if (!this.cells.every((c) => c.length === perPosition))
      throw new OptionError('anchors', 'every level needs the same number of anchors per position');
    const headOptions = {
      dims: o.dims,
      channels,
      anchorsPerPosition: perPosition,
      numClasses: o.numClasses,
      convs: o.headConvs,
      norm: o.headNorm,
    };
    this.head = this.registerModule(
      'head',
      this.kind === 'fcos' ? new FcosHead(headOptions) : new RetinaNetHead(headOptions),
    );
  }

  forward(x: Tensor): HeadOutput {
    return ve.tidy(() => this.head.forward(this.backbone.forward(x)));
  }

  /** Pyramid feature sizes for a tensor-order input size (computed by the network's strides). */
  featureSizes(inputSize: readonly number[]): number[][] {
    const levels = this.cells.length;
    const out: number[][] = [];
    const resnet = this.backbone.body.resnet;
    // conv arithmetic of the stem (7×7/2, pad 3; max-pool 3/2, pad 1) and of each stride-2 stage
    const stage = (s: number, l: number): number => {
      let v = s;
      if (resnet.stem === 'imagenet') v = Math.floor((Math.floor((v + 6 - 7) / 2 + 1) + 2 - 3) / 2 + 1);
      for (let i = 2; i <= l; i++) v = Math.floor((v + 2 - 3) / 2 + 1);
      return v;
    };
    const returned = this.backbone.returnedLayers;
    for (const l of returned) out.push(inputSize.map((s) => stage(s, l)));
    while (out.length < levels) out.push(out[out.length - 1]!.map((v) => Math.floor((v + 2 - 3) / 2 + 1)));
    return out;
  }

  /** Anchors (corners layout, torchvision's order) for a tensor-order input size. */
  anchorsFor(inputSize: readonly number[]): LevelAnchors {
    const key = inputSize.join('x');
    let a = this.#anchorCache.get(key);
    if (!a) {
      a = gridAnchors(this.cells, inputSize, this.featureSizes(inputSize));
      this.#anchorCache.set(key, a);
    }
    return a;
  }
}
