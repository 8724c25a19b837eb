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

/** 2D max pooling (torch.nn.MaxPool2d). */
export class MaxPool2d extends PoolBase {
  /** Arguments and defaults as torch.nn.MaxPool2d's (options in camelCase). */
  constructor(kernelSize: Size, options: PoolOptions = {}) {
    super(2, kernelSize, options);
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, this.options);
  }
}

/** 3D max pooling (torch.nn.MaxPool3d). */
export class MaxPool3d extends PoolBase {
  /** Arguments and defaults as torch.nn.MaxPool3d's (options in camelCase). */
  constructor(kernelSize: Size, options: PoolOptions = {}) {
    super(3, kernelSize, options);
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.maxPool3d(x, this.kernelSize, this.options);
  }
}

/** 2D average pooling (torch.nn.AvgPool2d). */
export class AvgPool2d extends PoolBase {
  /** Arguments and defaults as torch.nn.AvgPool2d's (options in camelCase). */
  constructor(kernelSize: Size, options: PoolOptions = {}) {
    super(2, kernelSize, options);
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.options);
  }
}

/** 3D average pooling (torch.nn.AvgPool3d). */
export class AvgPool3d extends PoolBase {
  /** Arguments and defaults as torch.nn.AvgPool3d's (options in camelCase). */
  constructor(kernelSize: Size, options: PoolOptions = {}) {
    super(3, kernelSize, options);
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.avgPool3d(x, this.kernelSize, this.options);
  }
}

/** 2D average pooling to a given output size (torch.nn.AdaptiveAvgPool2d). */
export class AdaptiveAvgPool2d extends Module {
  /** Arguments and defaults as torch.nn.AdaptiveAvgPool2d's (options in camelCase). */
  constructor(readonly outputSize: Size) {
    super();
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, expand(this.outputSize, 2, 'outputSize'));
  }
}

/** 3D average pooling to a given output size (torch.nn.AdaptiveAvgPool3d). */
export class AdaptiveAvgPool3d extends Module {
  /** Arguments and defaults as torch.nn.AdaptiveAvgPool3d's (options in camelCase). */
  constructor(readonly outputSize: Size) {
    super();
  }
  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool3d(x, expand(this.outputSize, 3, 'outputSize'));
  }
}
