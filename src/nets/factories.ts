/**
 * Layer factories that make one network definition serve 2D and 3D (MONAI's approach): a network
 * asks for "a convolution in `dims` dimensions" and never names Conv2d or Conv3d itself.
 */
import {
  AdaptiveAvgPool2d,
  AdaptiveAvgPool3d,
  AvgPool2d,
  AvgPool3d,
  BatchNorm,
  Conv,
  ConvTranspose,
  Dropout,
  GroupNorm,
  InstanceNorm,
  LeakyReLU,
  MaxPool2d,
  MaxPool3d,
  ReLU,
  Sequential,
  Upsample,
} from '../engine/nn/index.js';
import type { TensorModule } from '../engine/nn/layers/containers.js';

export type { TensorModule };
import { OptionError } from '../util/errors.js';

export type SpatialDims = 2 | 3;
export type NormType = 'instance' | 'batch' | 'group' | 'none';
export type ActivationType = 'relu' | 'leakyrelu';
/** A size given once for every axis, or per axis (anisotropic). */
export type Size = number | readonly number[];

export const NORM_TYPES: readonly NormType[] = ['instance', 'batch', 'group', 'none'];
export const ACTIVATION_TYPES: readonly ActivationType[] = ['relu', 'leakyrelu'];

/** The size as one positive integer per axis. */
export function perAxis(value: Size, dims: SpatialDims, option: string): number[] {
  const out = typeof value === 'number' ? new Array<number>(dims).fill(value) : [...value];
  if (out.length !== dims || !out.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new OptionError(option, `expected a positive integer or ${dims} of them, got ${JSON.stringify(value)}`);
  }
  return out;
}

/** Zero padding that keeps the size at stride 1 ('same') for odd kernels: (k − 1) / 2 per axis. */
export function samePadding(kernel: readonly number[], option = 'kernelSizes'): number[] {
  if (!kernel.every((k) => k % 2 === 1))
    throw new OptionError(option, `'same' padding needs odd kernel sizes, got [${kernel.join(', ')}]`);
  return kernel.map((k) => (k - 1) / 2);
}

export interface ConvLayerOptions {
  stride?: Size;
  bias?: boolean;
}

/** A convolution with 'same' padding (so only the stride changes the size). */
export function convLayer(
  dims: SpatialDims,
  inChannels: number,
  outChannels: number,
  kernel: Size,
  options: ConvLayerOptions = {},
): Conv {
  const k = perAxis(kernel, dims, 'kernelSizes');
  return new Conv(dims, inChannels, outChannels, k, {
    stride: perAxis(options.stride ?? 1, dims, 'strides'),
    padding: samePadding(k),
    bias: options.bias ?? true,
  });
}

/** The transposed convolution that undoes a stride exactly: kernel = stride, so size × stride. */
export function upsamplingLayer(
  dims: SpatialDims,
  inChannels: number,
  outChannels: number,
  stride: Size,
  bias = true,
): ConvTranspose {
  const s = perAxis(stride, dims, 'strides');
  return new ConvTranspose(dims, inChannels, outChannels, s, { stride: s, bias });
}

/**
 * Up-sampling without a transposed convolution: nearest-neighbour resize by the stride, then a 'same'
 * convolution (Odena et al. 2016, "Deconvolution and checkerboard artifacts"). Runs everywhere ONNX
 * runs, including onnxruntime-web's WebGPU backend, which has no 3-D transposed convolution.
 */
export function resizeConvLayer(
  dims: SpatialDims,
  inChannels: number,
  outChannels: number,
  stride: Size,
  kernel: Size,
  bias = true,
): Sequential {
  const s = perAxis(stride, dims, 'strides');
  return new Sequential(
    new Upsample({ scaleFactor: s, mode: 'nearest' }),
    convLayer(dims, inChannels, outChannels, kernel, { bias }),
  );
}

export interface NormLayerOptions {
  /** groups for group norm (default gcd(8, channels): 8 where it divides the channels) */
  groups?: number;
  eps?: number;
}

/**
 * A normalisation layer, or null for 'none'. Instance norm is affine, as nnU-Net uses it (PyTorch's
 * own default has no affine parameters).
 */
export function normLayer(
  type: NormType,
  dims: SpatialDims,
  channels: number,
  options: NormLayerOptions = {},
): TensorModule | null {
  const eps = options.eps ?? 1e-5;
  switch (type) {
    case 'instance':
      return new InstanceNorm(dims, channels, { affine: true, eps });
    case 'batch':
      return new BatchNorm(dims, channels, { eps });
    case 'group': {
      const groups = options.groups ?? gcd(8, channels);
      if (!(Number.isInteger(groups) && groups >= 1 && channels % groups === 0)) {
        throw new OptionError('normGroups', `${groups} groups do not divide ${channels} channels`);
      }
      return new GroupNorm(groups, channels, { eps });
    }
    case 'none':
      return null;
    default:
      throw new OptionError('norm', `expected one of ${NORM_TYPES.join(', ')}, got ${String(type)}`);
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export interface ActivationOptions {
  /** slope of LeakyReLU for negative inputs (default 0.01, nnU-Net's) */
  negativeSlope?: number;
}

/**
 * ReLU or leaky ReLU.
 * @throws OptionError naming `activation` for another type
 */
export function activationLayer(type: ActivationType, options: ActivationOptions = {}): TensorModule {
  switch (type) {
    case 'relu':
      return new ReLU();
    case 'leakyrelu':
      return new LeakyReLU(options.negativeSlope ?? 0.01);
    default:
      throw new OptionError('activation', `expected one of ${ACTIVATION_TYPES.join(', ')}, got ${String(type)}`);
  }
}

/** Max or average pooling with kernel = stride (each output voxel sees one block). */
export function poolLayer(type: 'max' | 'avg', dims: SpatialDims, stride: Size): TensorModule {
  const s = perAxis(stride, dims, 'strides');
  if (type === 'max') return dims === 2 ? new MaxPool2d(s) : new MaxPool3d(s);
  return dims === 2 ? new AvgPool2d(s) : new AvgPool3d(s);
}

/**
 * Dropout with probability p, or null for p = 0.
 * @throws OptionError naming `dropout` for p outside [0, 1)
 */
export function dropoutLayer(p: number): TensorModule | null {
  if (!(p >= 0 && p < 1)) throw new OptionError('dropout', `must lie in [0, 1), got ${p}`);
  return p === 0 ? null : new Dropout(p);
}

/** Max pooling with its own kernel, stride and zero padding (torchvision's 3×3/2 stem pool). */
export function maxPoolLayer(dims: SpatialDims, kernel: Size, stride: Size, padding: Size = 0): TensorModule {
  const k = perAxis(kernel, dims, 'kernelSizes');
  const s = perAxis(stride, dims, 'strides');
  const p = typeof padding === 'number' ? new Array<number>(dims).fill(padding) : [...padding];
  return dims === 2 ? new MaxPool2d(k, { stride: s, padding: p }) : new MaxPool3d(k, { stride: s, padding: p });
}

/** Average pooling of each channel to `size` per axis (1: global average pooling). */
export function adaptiveAvgPoolLayer(dims: SpatialDims, size: Size = 1): TensorModule {
  const s = perAxis(size, dims, 'outputSize');
  return dims === 2 ? new AdaptiveAvgPool2d(s) : new AdaptiveAvgPool3d(s);
}
