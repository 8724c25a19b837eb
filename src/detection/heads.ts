/**
 * The single-shot heads, with torchvision's parameter names and initialisation, in 2D and 3D:
 *  - RetinaNet (Lin et al. 2017): classification_head / regression_head, each `convs` 3×3 conv + ReLU
 *    blocks (conv.i.0, with GroupNorm conv.i.1 when `norm` is 'group', as RetinaNet v2) and a last
 *    3×3 conv (cls_logits: A·K outputs, bias −log((1 − π)/π), π = 0.01; bbox_reg: A·2·dims);
 *    weights N(0, 0.01²), biases 0.
 *  - FCOS (Tian et al. 2019): conv is one flat Sequential of [conv, GroupNorm(32), ReLU] blocks
 *    (conv.0, conv.1, conv.3, …); cls_logits, bbox_reg (ReLU'd distances) and bbox_ctrness.
 * Outputs are flattened per level as torchvision does — (N, positions·A, K) with positions in tensor
 * order and the anchors of a position together — and concatenated over levels.
 */
import { noGrad } from '../engine/autograd.js';
import * as ve from '../engine/index.js';
import { Conv, GroupNorm, Module, ReLU, Sequential } from '../engine/nn/index.js';
import { constant_, normal_ } from '../engine/nn/init.js';
import type { Tensor } from '../engine/tensor.js';
import { convLayer, type SpatialDims, type TensorModule } from '../nets/factories.js';

export interface HeadOptions {
  dims: SpatialDims;
  channels: number;
  anchorsPerPosition: number;
  numClasses: number;
  /** 3×3 conv blocks before the output conv (torchvision: 4). */
  convs?: number;
  /** RetinaNet: 'none' (v1) or 'group' (v2); FCOS always uses GroupNorm. */
  norm?: 'none' | 'group';
  priorProbability?: number;
}

export interface HeadOutput {
  /** (N, anchors, K) */
  cls: Tensor;
  /** (N, anchors, 2·dims) */
  reg: Tensor;
  /** FCOS centre-ness logits (N, anchors, 1). */
  ctr?: Tensor;
}

/** (N, A·C, ...S) → (N, S·A, C) */
export function flattenLevel(x: Tensor, perPosition: number): Tensor {
  const [n, ac, ...s] = x.shape;
  const c = ac! / perPosition;
  const perm = [0, ...s.map((_, i) => 3 + i), 1, 2];
  return ve.tidy(() =>
    x
      .reshape([n!, perPosition, c, ...s])
      .permute(perm)
      .reshape([n!, -1, c]),
  );
}

/** A tower and its output convolution on every level, flattened and concatenated (N, positions·A, C). */
function levelOutputs(features: Tensor[], tower: Sequential, last: Conv, perPosition: number): Tensor {
  return ve.tidy(() =>
    ve.cat(
      features.map((f) => flattenLevel(last.forward(tower.forward(f)), perPosition)),
      1,
    ),
  );
}

function initConvs(m: Module<never, unknown>, std: number): void {
  noGrad(() => {
    for (const layer of m.modules()) {
      if (!(layer instanceof Conv)) continue;
      normal_(layer.weight, 0, std);
      if (layer.bias) constant_(layer.bias, 0);
    }
  });
}

function convBlocks(o: HeadOptions, norm: 'none' | 'group'): Sequential {
  const blocks = new Sequential();
  for (let i = 0; i < (o.convs ?? 4); i++) {
    const layers: TensorModule[] = [convLayer(o.dims, o.channels, o.channels, 3, { bias: norm === 'none' })];
    if (norm === 'group') layers.push(new GroupNorm(32, o.channels));
    layers.push(new ReLU());
    blocks.append(new Sequential(...layers));
  }
  return blocks;
}

/**
 * A classification head: its tower, then cls_logits with the bias of the prior probability π (RetinaNet and
 * FCOS build it alike; only the tower differs).
 */
export class ClassificationHead extends Module<[Tensor[]], Tensor> {
  readonly conv: Sequential;
  readonly clsLogits: Conv;
  /** The head on `tower` for the detector's options. */
  constructor(
    private readonly o: HeadOptions,
    tower: Sequential,
  ) {
    super();
    this.conv = this.registerModule('conv', tower);
    this.clsLogits = this.registerModule(
      'cls_logits',
      convLayer(o.dims, o.channels, o.anchorsPerPosition * o.numClasses, 3),
    );
    initConvs(this, 0.01);
    const p = o.priorProbability ?? 0.01;
    noGrad(() => constant_(this.clsLogits.bias!, -Math.log((1 - p) / p)));
  }
  forward(features: Tensor[]): Tensor {
    return levelOutputs(features, this.conv, this.clsLogits, this.o.anchorsPerPosition);
  }
}

/** Part of the detector, named as in torchvision. */
export class RetinaNetClassificationHead extends ClassificationHead {
  /** Builds the part from the detector's options. */
  constructor(o: HeadOptions) {
    super(o, convBlocks(o, o.norm ?? 'none'));
  }
}

/** Part of the detector, named as in torchvision. */
export class RetinaNetRegressionHead extends Module<[Tensor[]], Tensor> {
  readonly conv: Sequential;
  readonly bboxReg: Conv;
  /** Builds the part from the detector's options. */
  constructor(private readonly o: HeadOptions) {
    super();
    this.conv = this.registerModule('conv', convBlocks(o, o.norm ?? 'none'));
    this.bboxReg = this.registerModule('bbox_reg', convLayer(o.dims, o.channels, o.anchorsPerPosition * 2 * o.dims, 3));
    initConvs(this, 0.01);
  }
  forward(features: Tensor[]): Tensor {
    return levelOutputs(features, this.conv, this.bboxReg, this.o.anchorsPerPosition);
  }
}

export class RetinaNetHead extends Module<[Tensor[]], HeadOutput> {
  readonly classificationHead: RetinaNetClassificationHead;
  readonly regressionHead: RetinaNetRegressionHead;
  /** Both RetinaNet heads for the given channels, anchors and classes. */
  constructor(o: HeadOptions) {
    super();
    this.classificationHead = this.registerModule('classification_head', new RetinaNetClassificationHead(o));
    this.regressionHead = this.registerModule('regression_head', new RetinaNetRegressionHead(o));
  }
  forward(features: Tensor[]): HeadOutput {
    return { cls: this.classificationHead.forward(features), reg: this.regressionHead.forward(features) };
  }
}

/** FCOS's flat tower: [conv, GroupNorm(32), ReLU] × convs. */
function fcosTower(o: HeadOptions): Sequential {
  const s = new Sequential();
  for (let i = 0; i < (o.convs ?? 4); i++) {
    s.append(convLayer(o.dims, o.channels, o.channels, 3));
    s.append(new GroupNorm(Math.min(32, o.channels), o.channels));
    s.append(new ReLU());
  }
  return s;
}

/** Part of the detector, named as in torchvision. */
export class FcosClassificationHead extends ClassificationHead {
  /** Builds the part from the detector's options. */
  constructor(o: HeadOptions) {
    super(o, fcosTower(o));
  }
}

/** Part of the detector, named as in torchvision. */
export class FcosRegressionHead extends Module<[Tensor[]], { reg: Tensor; ctr: Tensor }> {
  readonly conv: Sequential;
  readonly bboxReg: Conv;
  readonly bboxCtrness: Conv;
  /** Builds the part from the detector's options. */
  constructor(private readonly o: HeadOptions) {
    super();
    this.conv = this.registerModule('conv', fcosTower(o));
    this.bboxReg = this.registerModule('bbox_reg', convLayer(o.dims, o.channels, o.anchorsPerPosition * 2 * o.dims, 3));
    this.bboxCtrness = this.registerModule('bbox_ctrness', convLayer(o.dims, o.channels, o.anchorsPerPosition, 3));
    initConvs(this, 0.01);
  }
  forward(features: Tensor[]): { reg: Tensor; ctr: Tensor } {
    return ve.tidy(() => {
      const regs: Tensor[] = [],
        ctrs: Tensor[] = [];
      for (const f of features) {
        const t = this.conv.forward(f);
        regs.push(flattenLevel(ve.relu(this.bboxReg.forward(t)), this.o.anchorsPerPosition));
        ctrs.push(flattenLevel(this.bboxCtrness.forward(t), this.o.anchorsPerPosition));
      }
      return { reg: ve.cat(regs, 1), ctr: ve.cat(ctrs, 1) };
    });
  }
}

export class FcosHead extends Module<[Tensor[]], HeadOutput> {
  readonly classificationHead: FcosClassificationHead;
  readonly regressionHead: FcosRegressionHead;
  /** Both FCOS heads for the given channels and classes. */
  constructor(o: HeadOptions) {
    super();
    this.classificationHead = this.registerModule('classification_head', new FcosClassificationHead(o));
    this.regressionHead = this.registerModule('regression_head', new FcosRegressionHead(o));
  }
  forward(features: Tensor[]): HeadOutput {
    const { reg, ctr } = this.regressionHead.forward(features);
    return { cls: this.classificationHead.forward(features), reg, ctr };
  }
}
