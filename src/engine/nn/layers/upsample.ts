import * as F from '../../ops.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';

export interface UpsampleOptions {
  size?: number[];
  scaleFactor?: number | number[];
  mode?: 'nearest' | 'bilinear' | 'trilinear';
  alignCorners?: boolean;
}

/** torch.nn.Upsample: resize by a factor or to a size; nearest by default. */
export class Upsample extends Module {
  /** Arguments and defaults as torch.nn.Upsample's (options in camelCase). */
  constructor(readonly options: UpsampleOptions) {
    super();
    if ((options.size === undefined) === (options.scaleFactor === undefined)) {
      throw new RangeError('Upsample needs exactly one of size and scaleFactor');
    }
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    const { mode = 'nearest', alignCorners, size, scaleFactor } = this.options;
    return F.interpolate(x, {
      size,
      scaleFactor,
      mode,
      alignCorners: mode === 'nearest' ? undefined : (alignCorners ?? false),
    });
  }
}
