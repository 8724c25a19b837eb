import * as F from '../../ops.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';

/** Zeroes each element with probability p and scales the rest by 1/(1−p) in training; identity in eval. */
export class Dropout extends Module {
  /** Arguments and defaults as torch.nn.Dropout's (options in camelCase). */
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability must be in [0, 1], got ${p}`);
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
}
