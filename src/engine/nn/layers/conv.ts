/**
 * Convolutions (1/2/3-D) and transposed convolutions (2/3-D) with PyTorch's parameter shapes,
 * names (weight, bias) and default initialisation: weight kaiming_uniform(a=√5), i.e. U(±1/√fan_in),
 * bias U(±1/√fan_in).
 */
import { zeros } from '../../creation.js';
import * as F from '../../ops.js';
import type { Tensor } from '../../tensor.js';
import { defaultLayerInit_ } from '../init.js';
import { Module } from '../module.js';

export type Size = number | number[];

export interface ConvOptions {
  stride?: Size;
  padding?: Size;
  dilation?: Size;
  groups?: number;
  bias?: boolean;
}

export interface ConvTransposeOptions extends ConvOptions {
  outputPadding?: Size;
}

/**
 * A size given once or per axis as `dims` non-negative integers (kernel, stride, padding ...).
 * @throws RangeError naming `name` when the count or a value is wrong
 * @internal
 */
export function expand(value: Size, dims: number, name: string): number[] {
  const out = typeof value === 'number' ? new Array<number>(dims).fill(value) : [...value];
  if (out.length !== dims || !out.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new RangeError(`${name} must be a non-negative integer or ${dims} of them, got ${JSON.stringify(value)}`);
  }
  return out;
}

abstract class ConvBase extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly groups: number;

  constructor(
    readonly dims: 1 | 2 | 3,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size,
    options: ConvOptions,
    transposed: boolean,
  ) {
    super();
    this.kernelSize = expand(kernelSize, dims, 'kernelSize');
    this.stride = expand(options.stride ?? 1, dims, 'stride');
    this.padding = expand(options.padding ?? 0, dims, 'padding');
    this.dilation = expand(options.dilation ?? 1, dims, 'dilation');
    this.groups = options.groups ?? 1;
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new RangeError(
        `inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${this.groups})`,
      );
    }
    const shape = transposed
      ? [inChannels, outChannels / this.groups, ...this.kernelSize]
      : [outChannels, inChannels / this.groups, ...this.kernelSize];
    const weight = this.registerParameter('weight', zeros(shape))!;
    const bias = this.registerParameter('bias', (options.bias ?? true) ? zeros([outChannels]) : null);
    defaultLayerInit_(weight, bias);
  }

  get weight(): Tensor {
    return this.param('weight')!;
  }

  get bias(): Tensor | null {
    return this.param('bias');
  }
}

/** N-dimensional convolution, the base of Conv1d/2d/3d (torch.nn.Conv*d). */
export class Conv extends ConvBase {
  /** Arguments and defaults as torch.nn.Conv's (options in camelCase). */
  constructor(dims: 1 | 2 | 3, inChannels: number, outChannels: number, kernelSize: Size, options: ConvOptions = {}) {
    super(dims, inChannels, outChannels, kernelSize, options, false);
  }

  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
    switch (this.dims) {
      case 1:
        return F.conv1d(x, this.weight, this.bias, opts);
      case 2:
        return F.conv2d(x, this.weight, this.bias, opts);
      case 3:
        return F.conv3d(x, this.weight, this.bias, opts);
    }
  }
}

/** 1D convolution over (N, C, L) (torch.nn.Conv1d). */
export class Conv1d extends Conv {
  /** Arguments and defaults as torch.nn.Conv1d's (options in camelCase). */
  constructor(inChannels: number, outChannels: number, kernelSize: Size, options: ConvOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, options);
  }
}

/** 2D convolution over (N, C, H, W) (torch.nn.Conv2d). */
export class Conv2d extends Conv {
  /** Arguments and defaults as torch.nn.Conv2d's (options in camelCase). */
  constructor(inChannels: number, outChannels: number, kernelSize: Size, options: ConvOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, options);
  }
}

/** 3D convolution over (N, C, D, H, W) (torch.nn.Conv3d). */
export class Conv3d extends Conv {
  /** Arguments and defaults as torch.nn.Conv3d's (options in camelCase). */
  constructor(inChannels: number, outChannels: number, kernelSize: Size, options: ConvOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, options);
  }
}

/** N-dimensional transposed convolution, the base of ConvTranspose2d/3d (torch.nn.ConvTranspose*d). */
export class ConvTranspose extends ConvBase {
  readonly outputPadding: number[];

  /** Arguments and defaults as torch.nn.ConvTranspose's (options in camelCase). */
  constructor(
    dims: 2 | 3,
    inChannels: number,
    outChannels: number,
    kernelSize: Size,
    options: ConvTransposeOptions = {},
  ) {
    super(dims, inChannels, outChannels, kernelSize, options, true);
    this.outputPadding = expand(options.outputPadding ?? 0, dims, 'outputPadding');
  }

  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    const opts = {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
      outputPadding: this.outputPadding,
    };
    return this.dims === 2
      ? F.convTranspose2d(x, this.weight, this.bias, opts)
      : F.convTranspose3d(x, this.weight, this.bias, opts);
  }
}

/** 2D transposed convolution (torch.nn.ConvTranspose2d). */
export class ConvTranspose2d extends ConvTranspose {
  /** Arguments and defaults as torch.nn.ConvTranspose2d's (options in camelCase). */
  constructor(inChannels: number, outChannels: number, kernelSize: Size, options: ConvTransposeOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, options);
  }
}

/** 3D transposed convolution (torch.nn.ConvTranspose3d). */
export class ConvTranspose3d extends ConvTranspose {
  /** Arguments and defaults as torch.nn.ConvTranspose3d's (options in camelCase). */
  constructor(inChannels: number, outChannels: number, kernelSize: Size, options: ConvTransposeOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, options);
  }
}
