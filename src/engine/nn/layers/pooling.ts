import * as F from '../../ops.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { expand, type Size } from './conv.js';

export interface PoolOptions {
  /** Defaults to the kernel size, as in PyTorch. */
  stride?: Size;
  padding?: Size;
  ceilMode?: boolean;
}

abstract class PoolBase extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;

  constructor(
    readonly dims: 2 | 3,
    kernelSize: Size,
    options: PoolOptions,
  ) {
    super();
    this.kernelSize = expand(kernelSize, dims, 'kernelSize');
    this.stride = expand(options.stride ?? this.kernelSize, dims, 'stride');
    this.padding = expand(options.padding ?? 0, dims, 'padding');
    this.ceilMode = options.ceilMode ?? false;
  }

  protected get options() {
    return { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode };
  }
}

export class MaxPool2d extends PoolBase {
  constructor(kernelSize: Size, options: PoolOptions = {}) {
    super(2, kernelSize, options);
  }
  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, this.options);
  }
}

export class MaxPool3d extends PoolBase {
  constructor(kernelSize: Size, options: PoolOptions = {}) {
    super(3, kernelSize, options);
  }
  forward(x: Tensor): Tensor {
    return F.maxPool3d(x, this.kernelSize, this.options);
  }
}

export class AvgPool2d extends PoolBase {
  constructor(kernelSize: Size, options: PoolOptions = {}) {
    super(2, kernelSize, options);
  }
  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.options);
  }
}

export class AvgPool3d extends PoolBase {
  constructor(kernelSize: Size, options: PoolOptions = {}) {
    super(3, kernelSize, options);
  }
  forward(x: Tensor): Tensor {
    return F.avgPool3d(x, this.kernelSize, this.options);
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Size) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, expand(this.outputSize, 2, 'outputSize'));
  }
}

export class AdaptiveAvgPool3d extends Module {
  constructor(readonly outputSize: Size) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool3d(x, expand(this.outputSize, 3, 'outputSize'));
  }
}
