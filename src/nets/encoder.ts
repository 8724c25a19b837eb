/**
 * The U-Net encoder: one stage per entry of `features`, each returning the feature map the decoder
 * takes as a skip (the last one is the bottleneck). Plain stages down-sample with a strided first
 * convolution (nnU-Net's PlainConvEncoder) or with a max-pool in front (classic U-Net); the residual
 * encoder (nnU-Net's ResidualEncoder) has a one-convolution stem, then residual blocks per stage.
 */
import { Sequential } from '../engine/nn/index.js';
import { Module } from '../engine/nn/module.js';
import type { Tensor } from '../engine/tensor.js';
import { StackedConvBlocks, StackedResidualBlocks, type LayerSettings } from './blocks.js';
import type { UNetConfig } from './config.js';
import type { TensorModule } from '../engine/nn/layers/containers.js';
import { poolLayer } from './factories.js';

export class UNetEncoder extends Module<[Tensor], Tensor[]> {
  readonly stem: StackedConvBlocks | null;
  readonly stages: Sequential;

  /** Built from the network's layer settings; the parameter names are nnU-Net's. */
  constructor(s: LayerSettings, c: UNetConfig) {
    super();
    this.stem = c.residual
      ? this.registerModule('stem', new StackedConvBlocks(s, 1, c.inChannels, c.features[0]!, c.kernelSizes[0]!, 1))
      : null;
    const stages: TensorModule[] = [];
    let channels = c.residual ? c.features[0]! : c.inChannels;
    c.features.forEach((out, i) => {
      const stride = c.strides[i]!;
      if (c.residual) {
        stages.push(new StackedResidualBlocks(s, c.blocksPerStage[i]!, channels, out, c.kernelSizes[i]!, stride));
      } else {
        const parts: TensorModule[] = [];
        const pooled = c.downsampling === 'maxpool' && stride.some((v) => v !== 1);
        if (pooled) parts.push(poolLayer('max', s.dims, stride));
        parts.push(
          new StackedConvBlocks(
            s,
            c.convsPerStage[i]!,
            channels,
            out,
            c.kernelSizes[i]!,
            pooled || c.downsampling === 'maxpool' ? 1 : stride,
          ),
        );
        stages.push(new Sequential(...parts));
      }
      channels = out;
    });
    this.stages = this.registerModule('stages', new Sequential(...stages));
  }

  /** The output of every stage, full resolution first. */
  forward(x: Tensor): Tensor[] {
    const skips: Tensor[] = [];
    let input = this.stem === null ? x : this.stem.forward(x);
    for (const stage of this.stages) {
      const out = stage.forward(input);
      if (input !== x) {
        // the stem's output is no skip; stage outputs stay alive as skips
        if (skips.length === 0) input.dispose();
      }
      skips.push(out);
      input = out;
    }
    return skips;
  }
}
