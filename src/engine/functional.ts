/**
 * Neural-network functionals (torch.nn.functional): convolution, pooling, normalisation, dropout,
 * resampling, spatial transformers and loss primitives. Inputs are batched: (N, C, [D,] H, W).
 * Options take a number (same for every spatial dimension) or one number per dimension.
 */
import { native } from './native.js';
import { type Tensor, wrap } from './tensor.js';

/** A size for every spatial axis at once, or one per axis. */
export type Sizes = number | readonly number[];

function expand(v: Sizes | undefined, n: number, fallback: number, name: string): number[] {
  if (v === undefined) return Array<number>(n).fill(fallback);
  if (typeof v === 'number') return Array<number>(n).fill(v);
  if (v.length === 1) return Array<number>(n).fill(v[0]!);
  if (v.length !== n) throw new RangeError(`${name} must have 1 or ${n} values, got ${v.length}`);
  return [...v];
}

// ---- convolution ----
export interface ConvOptions {
  stride?: Sizes;
  /** zero padding per side, or 'same' / 'valid' */
  padding?: Sizes | 'same' | 'valid';
  dilation?: Sizes;
  groups?: number;
}

function conv(n: number, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, o: ConvOptions): Tensor {
  const padding = typeof o.padding === 'string' ? o.padding : expand(o.padding, n, 0, 'padding');
  return wrap(
    native.conv(
      x.handle,
      weight.handle,
      bias?.handle ?? null,
      expand(o.stride, n, 1, 'stride'),
      padding,
      expand(o.dilation, n, 1, 'dilation'),
      o.groups ?? 1,
    ),
  );
}
/** x (N, Cin, L), weight (Cout, Cin/groups, k) */
export const conv1d = (x: Tensor, weight: Tensor, bias?: Tensor | null, o: ConvOptions = {}): Tensor =>
  conv(1, x, weight, bias, o);
/** x (N, Cin, H, W), weight (Cout, Cin/groups, kH, kW) */
export const conv2d = (x: Tensor, weight: Tensor, bias?: Tensor | null, o: ConvOptions = {}): Tensor =>
  conv(2, x, weight, bias, o);
/** x (N, Cin, D, H, W), weight (Cout, Cin/groups, kD, kH, kW) */
export const conv3d = (x: Tensor, weight: Tensor, bias?: Tensor | null, o: ConvOptions = {}): Tensor =>
  conv(3, x, weight, bias, o);

/** A 2D/3D convolution forward pass on libuv's thread pool (numeric padding only). */
export async function convAsync(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  o: Omit<ConvOptions, 'padding'> & { padding?: Sizes } = {},
): Promise<Tensor> {
  const n = weight.ndim - 2;
  return wrap(
    await native.convAsync(
      x.handle,
      weight.handle,
      bias?.handle ?? null,
      expand(o.stride, n, 1, 'stride'),
      expand(o.padding, n, 0, 'padding'),
      expand(o.dilation, n, 1, 'dilation'),
      o.groups ?? 1,
    ),
  );
}

export interface ConvTransposeOptions {
  stride?: Sizes;
  padding?: Sizes;
  outputPadding?: Sizes;
  dilation?: Sizes;
  groups?: number;
}
function convTranspose(
  n: number,
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  o: ConvTransposeOptions,
): Tensor {
  return wrap(
    native.convTranspose(
      x.handle,
      weight.handle,
      bias?.handle ?? null,
      expand(o.stride, n, 1, 'stride'),
      expand(o.padding, n, 0, 'padding'),
      expand(o.outputPadding, n, 0, 'outputPadding'),
      o.groups ?? 1,
      expand(o.dilation, n, 1, 'dilation'),
    ),
  );
}
/** weight (Cin, Cout/groups, k...) as in PyTorch */
export const convTranspose1d = (x: Tensor, w: Tensor, b?: Tensor | null, o: ConvTransposeOptions = {}): Tensor =>
  convTranspose(1, x, w, b, o);
/** Transposed 2D convolution (torch.nn.functional.conv_transpose2d). */
export const convTranspose2d = (x: Tensor, w: Tensor, b?: Tensor | null, o: ConvTransposeOptions = {}): Tensor =>
  convTranspose(2, x, w, b, o);
/** Transposed 3D convolution (torch.nn.functional.conv_transpose3d). */
export const convTranspose3d = (x: Tensor, w: Tensor, b?: Tensor | null, o: ConvTransposeOptions = {}): Tensor =>
  convTranspose(3, x, w, b, o);

// ---- pooling ----
export interface MaxPoolOptions {
  /** defaults to the kernel size */
  stride?: Sizes;
  padding?: Sizes;
  dilation?: Sizes;
  ceilMode?: boolean;
}
function maxPoolArgs(n: number, kernel: Sizes, o: MaxPoolOptions): [number[], number[], number[], number[], boolean] {
  const k = expand(kernel, n, 1, 'kernelSize');
  return [
    k,
    o.stride === undefined ? k : expand(o.stride, n, 1, 'stride'),
    expand(o.padding, n, 0, 'padding'),
    expand(o.dilation, n, 1, 'dilation'),
    !!o.ceilMode,
  ];
}
/** Max pooling over (N, C, L) (torch.nn.functional.max_pool1d). */
export const maxPool1d = (x: Tensor, kernelSize: Sizes, o: MaxPoolOptions = {}): Tensor =>
  wrap(native.maxPool(x.handle, ...maxPoolArgs(1, kernelSize, o)));
/** Max pooling over (N, C, H, W) (torch.nn.functional.max_pool2d). */
export const maxPool2d = (x: Tensor, kernelSize: Sizes, o: MaxPoolOptions = {}): Tensor =>
  wrap(native.maxPool(x.handle, ...maxPoolArgs(2, kernelSize, o)));
/** Max pooling over (N, C, D, H, W) (torch.nn.functional.max_pool3d). */
export const maxPool3d = (x: Tensor, kernelSize: Sizes, o: MaxPoolOptions = {}): Tensor =>
  wrap(native.maxPool(x.handle, ...maxPoolArgs(3, kernelSize, o)));
/** Max pooling that also returns the flat spatial index of each maximum (2D/3D). */
export function maxPoolWithIndices(
  x: Tensor,
  kernelSize: Sizes,
  o: MaxPoolOptions = {},
): { values: Tensor; indices: Tensor } {
  const n = x.ndim - 2;
  const [values, indices] = native.maxPoolWithIndices(x.handle, ...maxPoolArgs(n, kernelSize, o));
  return { values: wrap(values), indices: wrap(indices) };
}

export interface AvgPoolOptions {
  stride?: Sizes;
  padding?: Sizes;
  ceilMode?: boolean;
  /** count the zero padding in the average (PyTorch's default true) */
  countIncludePad?: boolean;
  divisorOverride?: number;
}
function avgPool(n: number, x: Tensor, kernel: Sizes, o: AvgPoolOptions): Tensor {
  const k = expand(kernel, n, 1, 'kernelSize');
  return wrap(
    native.avgPool(
      x.handle,
      k,
      o.stride === undefined ? k : expand(o.stride, n, 1, 'stride'),
      expand(o.padding, n, 0, 'padding'),
      !!o.ceilMode,
      o.countIncludePad ?? true,
      o.divisorOverride ?? null,
    ),
  );
}
/** Average pooling over (N, C, L) (torch.nn.functional.avg_pool1d). */
export const avgPool1d = (x: Tensor, kernelSize: Sizes, o: AvgPoolOptions = {}): Tensor => avgPool(1, x, kernelSize, o);
/** Average pooling over (N, C, H, W) (torch.nn.functional.avg_pool2d). */
export const avgPool2d = (x: Tensor, kernelSize: Sizes, o: AvgPoolOptions = {}): Tensor => avgPool(2, x, kernelSize, o);
/** Average pooling over (N, C, D, H, W) (torch.nn.functional.avg_pool3d). */
export const avgPool3d = (x: Tensor, kernelSize: Sizes, o: AvgPoolOptions = {}): Tensor => avgPool(3, x, kernelSize, o);
/** Average pooling to a given output size (torch.nn.functional.adaptive_avg_pool1d). */
export const adaptiveAvgPool1d = (x: Tensor, outputSize: Sizes): Tensor =>
  wrap(native.adaptiveAvgPool(x.handle, expand(outputSize, 1, 1, 'outputSize')));
/** Average pooling to a given output size (torch.nn.functional.adaptive_avg_pool2d). */
export const adaptiveAvgPool2d = (x: Tensor, outputSize: Sizes): Tensor =>
  wrap(native.adaptiveAvgPool(x.handle, expand(outputSize, 2, 1, 'outputSize')));
/** Average pooling to a given output size (torch.nn.functional.adaptive_avg_pool3d). */
export const adaptiveAvgPool3d = (x: Tensor, outputSize: Sizes): Tensor =>
  wrap(native.adaptiveAvgPool(x.handle, expand(outputSize, 3, 1, 'outputSize')));
/** Max pooling to a given output size (torch.nn.functional.adaptive_max_pool1d). */
export const adaptiveMaxPool1d = (x: Tensor, outputSize: Sizes): Tensor =>
  wrap(native.adaptiveMaxPool(x.handle, expand(outputSize, 1, 1, 'outputSize')));
/** Max pooling to a given output size (torch.nn.functional.adaptive_max_pool2d). */
export const adaptiveMaxPool2d = (x: Tensor, outputSize: Sizes): Tensor =>
  wrap(native.adaptiveMaxPool(x.handle, expand(outputSize, 2, 1, 'outputSize')));
/** Max pooling to a given output size (torch.nn.functional.adaptive_max_pool3d). */
export const adaptiveMaxPool3d = (x: Tensor, outputSize: Sizes): Tensor =>
  wrap(native.adaptiveMaxPool(x.handle, expand(outputSize, 3, 1, 'outputSize')));

// ---- normalisation ----
/**
 * torch.nn.functional.batch_norm. In training mode the batch statistics normalise and the running
 * buffers (when given) are updated in place: running = (1 - momentum)·running + momentum·batch
 * (unbiased variance).
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  training = false,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  return wrap(
    native.batchNorm(
      x.handle,
      weight?.handle ?? null,
      bias?.handle ?? null,
      runningMean?.handle ?? null,
      runningVar?.handle ?? null,
      training,
      momentum,
      eps,
    ),
  );
}
/** torch.nn.functional.instance_norm: each (sample, channel) normalised over its spatial values. */
export function instanceNorm(
  x: Tensor,
  runningMean?: Tensor | null,
  runningVar?: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  useInputStats = true,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  // Without running statistics, instance norm is group norm with one group per channel. On the CPU libtorch
  // 1.13's group-norm kernel runs it ~3× faster forward and ~4× forward + backward than instance_norm (which
  // reshapes to a batch norm over N·C channels): [8, 16, 96, 96] 0.25 vs 0.80 ms, 1.3 vs 5.8 ms with backward.
  // group_norm wants the affine in the input's dtype; instance_norm also takes a float affine on bfloat16
  // (autocast), which stays on it.
  const sameDtype = (t?: Tensor | null) => !t || t.dtype === x.dtype;
  if (
    useInputStats &&
    !runningMean &&
    !runningVar &&
    x.ndim >= 3 &&
    x.device === 'cpu' &&
    sameDtype(weight) &&
    sameDtype(bias)
  )
    return groupNorm(x, x.shape[1]!, weight, bias, eps);
  return wrap(
    native.instanceNorm(
      x.handle,
      weight?.handle ?? null,
      bias?.handle ?? null,
      runningMean?.handle ?? null,
      runningVar?.handle ?? null,
      useInputStats,
      momentum,
      eps,
    ),
  );
}
/** Group normalisation over channel groups (torch.nn.functional.group_norm). */
export const groupNorm = (
  x: Tensor,
  numGroups: number,
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor => wrap(native.groupNorm(x.handle, numGroups, weight?.handle ?? null, bias?.handle ?? null, eps));
/** Layer normalisation over the trailing `normalizedShape` dimensions (torch.nn.functional.layer_norm). */
export const layerNorm = (
  x: Tensor,
  normalizedShape: readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor => wrap(native.layerNorm(x.handle, normalizedShape, weight?.handle ?? null, bias?.handle ?? null, eps));

// ---- dropout ----
/** Zeroes each element with probability p and scales the rest by 1/(1-p); identity when not training. */
export const dropout = (x: Tensor, p = 0.5, training = true): Tensor =>
  wrap(native.dropout(x.handle, p, training, false));
/** Zeroes whole channels (Dropout2d/Dropout3d). */
export const channelDropout = (x: Tensor, p = 0.5, training = true): Tensor =>
  wrap(native.dropout(x.handle, p, training, true));

// ---- resampling ----
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area';
export interface InterpolateOptions {
  size?: Sizes;
  scaleFactor?: Sizes;
  mode?: InterpolateMode;
  alignCorners?: boolean;
}
/** torch.nn.functional.interpolate (with recompute_scale_factor=None semantics). */
export function interpolate(x: Tensor, o: InterpolateOptions): Tensor {
  if ((o.size === undefined) === (o.scaleFactor === undefined))
    throw new TypeError('interpolate: give exactly one of size and scaleFactor');
  const n = x.ndim - 2;
  const mode = o.mode ?? 'nearest';
  const size = o.size === undefined ? null : expand(o.size, n, 1, 'size');
  let scale = o.scaleFactor === undefined ? null : expand(o.scaleFactor, n, 1, 'scaleFactor');
  let outSize = size;
  if (mode === 'area' && scale !== null) {
    const shape = x.shape;
    outSize = scale.map((s, i) => Math.floor(shape[i + 2]! * s));
    scale = null;
  }
  const linear = mode === 'linear' || mode === 'bilinear' || mode === 'bicubic' || mode === 'trilinear';
  return wrap(native.interpolate(x.handle, outSize, scale, mode, linear ? !!o.alignCorners : false));
}

/** Sampling grid (N, H, W, 2) or (N, D, H, W, 3) for affine matrices theta (N, 2, 3) or (N, 3, 4); size is the output's (N, C, [D,] H, W). */
export const affineGrid = (theta: Tensor, size: readonly number[], alignCorners = false): Tensor =>
  wrap(native.affineGrid(theta.handle, size, alignCorners));

export interface GridSampleOptions {
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  alignCorners?: boolean;
}
const SAMPLE_MODES = { bilinear: 0, nearest: 1, bicubic: 2 } as const;
const PADDING_MODES = { zeros: 0, border: 1, reflection: 2 } as const;
/** torch.nn.functional.grid_sample: grid holds normalised (x, y[, z]) in [-1, 1], x indexing the last dimension. */
export function gridSample(x: Tensor, grid: Tensor, o: GridSampleOptions = {}): Tensor {
  const mode = SAMPLE_MODES[o.mode ?? 'bilinear'];
  const padding = PADDING_MODES[o.paddingMode ?? 'zeros'];
  if (mode === undefined) throw new TypeError(`gridSample: unknown mode '${o.mode}'`);
  if (padding === undefined) throw new TypeError(`gridSample: unknown paddingMode '${o.paddingMode}'`);
  return wrap(native.gridSample(x.handle, grid.handle, mode, padding, !!o.alignCorners));
}

/** Rows of `weight` picked by integer indices (torch.nn.functional.embedding). */
export const embedding = (weight: Tensor, indices: Tensor): Tensor =>
  wrap(native.embedding(weight.handle, indices.handle));
/** Rearranges (N, C·r², H, W) into (N, C, H·r, W·r) (torch.nn.functional.pixel_shuffle). */
export const pixelShuffle = (x: Tensor, upscale: number): Tensor => wrap(native.pixelShuffle(x.handle, upscale));

// ---- losses ----
export type Reduction = 'none' | 'mean' | 'sum';
const REDUCTIONS = { none: 0, mean: 1, sum: 2 } as const satisfies Record<Reduction, number>;
function reductionCode(r: Reduction | undefined): (typeof REDUCTIONS)[Reduction] {
  const c = REDUCTIONS[r ?? 'mean'];
  if (c === undefined) throw new TypeError(`unknown reduction '${r}'; expected none, mean or sum`);
  return c;
}

export interface CrossEntropyOptions {
  /** per-class weights (C) */
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
  labelSmoothing?: number;
}
/** logits (N, C, ...) against class indices (N, ...) int64, or class probabilities shaped like logits. */
export const crossEntropy = (logits: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor =>
  wrap(
    native.crossEntropy(
      logits.handle,
      target.handle,
      o.weight?.handle ?? null,
      reductionCode(o.reduction),
      o.ignoreIndex ?? -100,
      o.labelSmoothing ?? 0,
    ),
  );
/** Negative log-likelihood of log-probabilities at the target classes (torch.nn.functional.nll_loss). */
export const nllLoss = (
  logProbs: Tensor,
  target: Tensor,
  o: Omit<CrossEntropyOptions, 'labelSmoothing'> = {},
): Tensor =>
  wrap(
    native.nllLoss(
      logProbs.handle,
      target.handle,
      o.weight?.handle ?? null,
      reductionCode(o.reduction),
      o.ignoreIndex ?? -100,
    ),
  );

export interface BCEOptions {
  weight?: Tensor | null;
  /** weight of positive examples, broadcast along the class dimension */
  posWeight?: Tensor | null;
  reduction?: Reduction;
}
/** Numerically stable sigmoid + binary cross-entropy. */
export const binaryCrossEntropyWithLogits = (logits: Tensor, target: Tensor, o: BCEOptions = {}): Tensor =>
  wrap(
    native.bceWithLogits(
      logits.handle,
      target.handle,
      o.weight?.handle ?? null,
      o.posWeight?.handle ?? null,
      reductionCode(o.reduction),
    ),
  );
/** Binary cross-entropy of probabilities against targets (torch.nn.functional.binary_cross_entropy). */
export const binaryCrossEntropy = (
  probabilities: Tensor,
  target: Tensor,
  o: Omit<BCEOptions, 'posWeight'> = {},
): Tensor =>
  wrap(native.bce(probabilities.handle, target.handle, o.weight?.handle ?? null, reductionCode(o.reduction)));
/** Mean (or summed) squared error (torch.nn.functional.mse_loss). */
export const mseLoss = (input: Tensor, target: Tensor, o: { reduction?: Reduction } = {}): Tensor =>
  wrap(native.mseLoss(input.handle, target.handle, reductionCode(o.reduction)));
/** Mean (or summed) absolute error (torch.nn.functional.l1_loss). */
export const l1Loss = (input: Tensor, target: Tensor, o: { reduction?: Reduction } = {}): Tensor =>
  wrap(native.l1Loss(input.handle, target.handle, reductionCode(o.reduction)));
/** Smooth L1 loss with threshold `beta` (torch.nn.functional.smooth_l1_loss). */
export const smoothL1Loss = (input: Tensor, target: Tensor, o: { reduction?: Reduction; beta?: number } = {}): Tensor =>
  wrap(native.smoothL1Loss(input.handle, target.handle, reductionCode(o.reduction), o.beta ?? 1));
/** Huber loss with threshold `delta` (torch.nn.functional.huber_loss). */
export const huberLoss = (input: Tensor, target: Tensor, o: { reduction?: Reduction; delta?: number } = {}): Tensor =>
  wrap(native.huberLoss(input.handle, target.handle, reductionCode(o.reduction), o.delta ?? 1));
/** input holds log-probabilities; target probabilities (or log-probabilities with logTarget). */
export const klDiv = (input: Tensor, target: Tensor, o: { reduction?: Reduction; logTarget?: boolean } = {}): Tensor =>
  wrap(native.klDiv(input.handle, target.handle, reductionCode(o.reduction), !!o.logTarget));
