/**
 * torchvision's FeaturePyramidNetwork (Lin et al. 2017) in 2D and 3D, with its parameter names
 * (inner_blocks.i.0 = 1×1 lateral convolution, layer_blocks.i.0 = 3×3 output convolution,
 * extra_blocks.p6 / p7 = RetinaNet's LastLevelP6P7) and initialisation (Kaiming-uniform a = 1, bias 0):
 * top-down, each coarser map is upsampled (nearest) to the next lateral's size and added to it.
 */
import { noGrad } from '../engine/autograd.js';
import * as ve from '../engine/index.js';
import { Conv, Module, ModuleList, Sequential } from '../engine/nn/index.js';
import { constant_, kaimingUniform_ } from '../engine/nn/init.js';
import type { Tensor } from '../engine/tensor.js';
import { convLayer, type SpatialDims } from '../nets/factories.js';

export type ExtraLevels = 'none' | 'p6p7';

/** RetinaNet's P6 (3×3/2 on P5 or C5) and P7 (3×3/2 on ReLU(P6)). */
export class LastLevelP6P7 extends Module<[Tensor, Tensor], Tensor[]> {
  readonly p6: Conv;
  readonly p7: Conv;
  readonly useP5: boolean;
  /** The two extra levels, from `inChannels` to `outChannels`. */
  constructor(dims: SpatialDims, inChannels: number, outChannels: number) {
    super();
    this.p6 = this.registerModule('p6', convLayer(dims, inChannels, outChannels, 3, { stride: 2 }));
    this.p7 = this.registerModule('p7', convLayer(dims, outChannels, outChannels, 3, { stride: 2 }));
    this.useP5 = inChannels === outChannels;
  }
  /** The two extra maps from the last pyramid output and the last backbone map. */
  forward(p5: Tensor, c5: Tensor): Tensor[] {
    const p6 = this.p6.forward(this.useP5 ? p5 : c5);
    const p7 = ve.tidy(() => this.p7.forward(ve.relu(p6)));
    return [p6, p7];
  }
}

export class FeaturePyramidNetwork extends Module<[Tensor[]], Tensor[]> {
  readonly innerBlocks: ModuleList<Sequential>;
  readonly layerBlocks: ModuleList<Sequential>;
  readonly extraBlocks: LastLevelP6P7 | null;

  /** A pyramid over backbone maps of `inChannels` channels, `outChannels` each. */
  constructor(
    readonly dims: SpatialDims,
    inChannels: readonly number[],
    readonly outChannels: number,
    extra: ExtraLevels = 'none',
  ) {
    super();
    this.innerBlocks = this.registerModule(
      'inner_blocks',
      new ModuleList(inChannels.map((c) => new Sequential(convLayer(dims, c, outChannels, 1)))),
    );
    this.layerBlocks = this.registerModule(
      'layer_blocks',
      new ModuleList(inChannels.map(() => new Sequential(convLayer(dims, outChannels, outChannels, 3)))),
    );
    this.extraBlocks =
      extra === 'p6p7' ? this.registerModule('extra_blocks', new LastLevelP6P7(dims, outChannels, outChannels)) : null;
    noGrad(() => {
      for (const m of this.modules()) {
        if (!(m instanceof Conv)) continue;
        kaimingUniform_(m.weight, { a: 1 });
        if (m.bias) constant_(m.bias, 0);
      }
    });
  }

  /** Number of output maps. */
  get levels(): number {
    return this.innerBlocks.length + (this.extraBlocks ? 2 : 0);
  }

  forward(features: Tensor[]): Tensor[] {
    return ve.tidy(() => {
      const n = features.length;
      let last = this.innerBlocks.at(n - 1).forward(features[n - 1]!);
      const results = [this.layerBlocks.at(n - 1).forward(last)];
      for (let i = n - 2; i >= 0; i--) {
        const lateral = this.innerBlocks.at(i).forward(features[i]!);
        const topDown = ve.interpolate(last, { size: lateral.shape.slice(2), mode: 'nearest' });
        last = ve.add(lateral, topDown);
        results.unshift(this.layerBlocks.at(i).forward(last));
      }
      if (this.extraBlocks) results.push(...this.extraBlocks.forward(results[results.length - 1]!, features[n - 1]!));
      return results;
    });
  }
}
