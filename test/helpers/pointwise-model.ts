import * as ve from '../../src/engine/index.js';
import { Module } from '../../src/engine/nn/module.js';
import type { Tensor } from '../../src/engine/tensor.js';

/**
 * A per-voxel linear map (a 1×1 convolution: translation- and flip-equivariant, so its sliding-window
 * result is known exactly), plus optionally a fixed logit offset that depends on the position inside
 * the window (breaks both equivariances). `weight` is [classes, channels], `bias` [classes].
 */
export class PointwiseModel extends Module<[Tensor], Tensor | Tensor[]> {
  constructor(
    readonly weight: Tensor,
    readonly bias: Tensor,
    readonly offset?: Tensor,
    readonly asList = false,
  ) {
    super();
  }

  forward(x: Tensor): Tensor | Tensor[] {
    const dims = x.ndim - 2;
    const w = this.weight.reshape([...this.weight.shape, ...new Array(dims).fill(1)]);
    let y = dims === 3 ? ve.conv3d(x, w, this.bias) : ve.conv2d(x, w, this.bias);
    if (this.offset) y = y.add(this.offset);
    return this.asList ? [y, y.mul(0)] : y;
  }
}

/** Two classes, class 1 where channel 0 exceeds `threshold` (logits 0 and gain·(x − threshold)). */
export function thresholdModel(threshold: number, channels = 1, gain = 10): PointwiseModel {
  const w = new Float32Array(2 * channels);
  w[channels] = gain;
  return new PointwiseModel(ve.Tensor.from(w, [2, channels]), ve.Tensor.from(new Float32Array([0, -gain * threshold])));
}
