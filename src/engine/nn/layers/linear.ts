import { zeros } from '../../creation.js';
import * as F from '../../ops.js';
import type { Tensor } from '../../tensor.js';
import { defaultLayerInit_ } from '../init.js';
import { Module } from '../module.js';

/** y = x·Wᵀ + b; weight [out, in]; PyTorch's default init (U(±1/√in) for both). */
export class Linear extends Module {
  /** Arguments and defaults as torch.nn.Linear's (options in camelCase). */
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: { bias?: boolean } = {},
  ) {
    super();
    const weight = this.registerParameter('weight', zeros([outFeatures, inFeatures]))!;
    const bias = this.registerParameter('bias', (options.bias ?? true) ? zeros([outFeatures]) : null);
    defaultLayerInit_(weight, bias);
  }

  get weight(): Tensor {
    return this.param('weight')!;
  }

  get bias(): Tensor | null {
    return this.param('bias');
  }

  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}
