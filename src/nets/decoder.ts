/**
 * The U-Net decoder (nnU-Net's UNetDecoder): from the bottleneck up, per level a transposed
 * convolution that undoes that level's stride (kernel = stride) into the skip's channel count,
 * concatenation with the skip (optionally gated by attention), convolution blocks, and a 1×1
 * segmentation head. Every level has its head, whether deep supervision is on or not (as nnU-Net), so
 * parameter names do not depend on that switch and deep-supervised checkpoints load into plain nets.
 */
import { ModuleList } from '../engine/nn/index.js';
import { Module } from '../engine/nn/module.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { AttentionGate } from './attention.js';
import { StackedConvBlocks, type LayerSettings } from './blocks.js';
import type { UNetConfig } from './config.js';
import type { TensorModule } from '../engine/nn/layers/containers.js';
import { convLayer, resizeConvLayer, upsamplingLayer } from './factories.js';

export class UNetDecoder extends Module<[Tensor[], boolean], Tensor[]> {
  readonly stages: ModuleList<StackedConvBlocks>;
  readonly transpconvs: ModuleList<TensorModule>;
  readonly segLayers: ModuleList<TensorModule>;
  readonly attentionGates: ModuleList<AttentionGate> | null;

  /** Built from the network's layer settings; the parameter names are nnU-Net's. */
  constructor(s: LayerSettings, c: UNetConfig) {
    super();
    const n = c.features.length;
    const stages: StackedConvBlocks[] = [],
      ups: TensorModule[] = [],
      heads: TensorModule[] = [],
      gates: AttentionGate[] = [];
    // level l = 1 is just above the bottleneck; its skip is encoder stage n − 1 − l
    for (let l = 1; l < n; l++) {
      const below = c.features[n - l]!,
        skip = c.features[n - l - 1]!;
      ups.push(
        c.upsampling === 'resize_conv'
          ? resizeConvLayer(s.dims, below, skip, c.strides[n - l]!, c.kernelSizes[n - l - 1]!, c.convBias)
          : upsamplingLayer(s.dims, below, skip, c.strides[n - l]!, c.convBias),
      );
      if (c.attention) gates.push(new AttentionGate(s.dims, skip, skip));
      stages.push(
        new StackedConvBlocks(s, c.convsPerDecoderStage[l - 1]!, 2 * skip, skip, c.kernelSizes[n - l - 1]!, 1),
      );
      heads.push(convLayer(s.dims, skip, c.numClasses, 1, { bias: true }));
    }
    this.stages = this.registerModule('stages', new ModuleList(stages));
    this.transpconvs = this.registerModule('transpconvs', new ModuleList(ups));
    this.segLayers = this.registerModule('seg_layers', new ModuleList(heads));
    this.attentionGates = c.attention ? this.registerModule('attention_gates', new ModuleList(gates)) : null;
  }

  /**
   * skips: the encoder's outputs, full resolution first (consumed: they are disposed here).
   * allHeads: every level's logits, full resolution first; otherwise only the full-resolution ones.
   */
  forward(skips: Tensor[], allHeads: boolean): Tensor[] {
    const levels = this.stages.length;
    const outputs: Tensor[] = [];
    let below = skips[skips.length - 1]!;
    for (let l = 0; l < levels; l++) {
      const up = this.transpconvs.at(l).forward(below);
      below.dispose();
      let skip = skips[skips.length - 2 - l]!;
      if (this.attentionGates !== null) {
        const gated = this.attentionGates.at(l).forward(skip, up);
        skip.dispose();
        skip = gated;
      }
      const joined = ve.cat([up, skip], 1);
      up.dispose();
      skip.dispose();
      const x = this.stages.at(l).forward(joined);
      joined.dispose();
      if (allHeads || l === levels - 1) outputs.push(this.segLayers.at(l).forward(x));
      below = x;
    }
    below.dispose();
    return outputs.reverse();
  }
}
