import { zeros } from '../../creation.js';
import * as F from '../../ops.js';
import type { Tensor } from '../../tensor.js';
import { kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';

/** y = x·Wᵀ + b; weight [out, in]; PyTorch's default init (U(±1/√in) for both). */
export class Linear extends Module {
  constructor(readonly inFeatures: number, readonly outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    const weight = this.registerParameter('weight', zeros([outFeatures, inFeatures]))!;
    kaimingUniform_(weight, { a: Math.sqrt(5) });
    if (options.bias ?? true) {
      const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
      uniform_(this.registerParameter('bias', zeros([outFeatures]))!, -bound, bound);
    } else {
      this.registerParameter('bias', null);
    }
  }

  get weight(): Tensor {
    return this.param('weight')!;
  }

  get bias(): Tensor | null {
    return this.param('bias');
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}
