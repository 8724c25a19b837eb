/**
 * Lowering rules for the engine's layers (src/engine/nn), in eval mode: each becomes the ONNX operator
 * with PyTorch's semantics (pads listed begin then end, AveragePool counting padding as PyTorch does,
 * Resize with PyTorch's coordinate conventions, dropout as identity).
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
  Flatten,
  GELU,
  GroupNorm,
  Identity,
  InstanceNorm,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  MaxPool2d,
  MaxPool3d,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
  Upsample,
} from '../../engine/nn/index.js';
import type { AnyModule } from '../../engine/nn/module.js';
import { type LoweringContext, type RuleEntry, UnsupportedLayerError } from './lower.js';

const one = (ctx: LoweringContext, x: string) => ctx.rank(x) - 2;

function conv(m: Conv, ctx: LoweringContext, [x]: string[], path: string): string[] {
  const attrs = {
    kernel_shape: m.kernelSize,
    strides: m.stride,
    pads: [...m.padding, ...m.padding],
    dilations: m.dilation,
    group: m.groups,
  };
  return [ctx.node('Conv', [x!, ctx.weight(path, 'weight', m.weight), ctx.weight(path, 'bias', m.bias)], attrs, path)];
}

function convTranspose(m: ConvTranspose, ctx: LoweringContext, [x]: string[], path: string): string[] {
  const attrs = {
    kernel_shape: m.kernelSize,
    strides: m.stride,
    pads: [...m.padding, ...m.padding],
    output_padding: m.outputPadding,
    dilations: m.dilation,
    group: m.groups,
  };
  const w = ctx.weight(path, 'weight', m.weight);
  return [ctx.node('ConvTranspose', [x!, w, ctx.weight(path, 'bias', m.bias)], attrs, path)];
}

function ones(ctx: LoweringContext, path: string, name: string, n: number, value: number): string {
  return ctx.constant(`${path}.${name}`, new Float32Array(n).fill(value), [n]);
}

/** BatchNorm, and InstanceNorm with running statistics (which in eval normalise by those). */
function runningNorm(m: BatchNorm | InstanceNorm, ctx: LoweringContext, x: string, path: string): string {
  const n = m.numFeatures;
  const scale = m.weight ? ctx.weight(path, 'weight', m.weight) : ones(ctx, path, 'weight', n, 1);
  const bias = m.bias ? ctx.weight(path, 'bias', m.bias) : ones(ctx, path, 'bias', n, 0);
  const mean = ctx.weight(path, 'running_mean', m.runningMean);
  const variance = ctx.weight(path, 'running_var', m.runningVar);
  return ctx.node('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: m.eps }, path);
}

function batchNorm(m: BatchNorm, ctx: LoweringContext, [x]: string[], path: string): string[] {
  if (!m.trackRunningStats)
    throw new UnsupportedLayerError(
      path,
      m.constructor.name,
      'batch norm without running statistics (track_running_stats=false)',
    );
  return [runningNorm(m, ctx, x!, path)];
}

function instanceNorm(m: InstanceNorm, ctx: LoweringContext, [x]: string[], path: string): string[] {
  if (m.trackRunningStats) return [runningNorm(m, ctx, x!, path)];
  const n = m.numFeatures;
  const scale = m.weight ? ctx.weight(path, 'weight', m.weight) : ones(ctx, path, 'weight', n, 1);
  const bias = m.bias ? ctx.weight(path, 'bias', m.bias) : ones(ctx, path, 'bias', n, 0);
  return [ctx.node('InstanceNormalization', [x!, scale, bias], { epsilon: m.eps }, path)];
}

function groupNorm(m: GroupNorm, ctx: LoweringContext, [x]: string[], path: string): string[] {
  const n = m.numChannels;
  const scale = m.weight ? ctx.weight(path, 'weight', m.weight) : ones(ctx, path, 'weight', n, 1);
  const bias = m.bias ? ctx.weight(path, 'bias', m.bias) : ones(ctx, path, 'bias', n, 0);
  return [ctx.node('GroupNorm', [x!, scale, bias], { num_groups: m.numGroups, epsilon: m.eps }, path)];
}

function layerNorm(m: LayerNorm, ctx: LoweringContext, [x]: string[], path: string): string[] {
  const inputs = [x!, ctx.weight(path, 'weight', m.weight), ctx.weight(path, 'bias', m.bias)];
  if (inputs[1] === '') {
    const n = m.normalizedShape.reduce((a, b) => a * b, 1);
    inputs[1] = ctx.constant(`${path}.weight`, new Float32Array(n).fill(1), m.normalizedShape);
  }
  return [ctx.node('LayerNormalization', inputs, { axis: -m.normalizedShape.length, epsilon: m.eps }, path)];
}

function pool(op: 'MaxPool' | 'AveragePool') {
  return (m: MaxPool2d | AvgPool2d, ctx: LoweringContext, [x]: string[], path: string): string[] => {
    const attrs: Record<string, number | number[]> = {
      kernel_shape: m.kernelSize,
      strides: m.stride,
      pads: [...m.padding, ...m.padding],
      ceil_mode: m.ceilMode ? 1 : 0,
    };
    if (op === 'AveragePool') attrs.count_include_pad = 1; // PyTorch's default
    return [ctx.node(op, [x!], attrs, path)];
  };
}

function adaptiveAvgPool(m: AdaptiveAvgPool2d, ctx: LoweringContext, [x]: string[], path: string): string[] {
  const size = typeof m.outputSize === 'number' ? [m.outputSize] : m.outputSize;
  if (!size.every((s) => s === 1))
    throw new UnsupportedLayerError(
      path,
      m.constructor.name,
      `adaptive pooling to [${size.join(', ')}] (only to 1: global pooling)`,
    );
  return [ctx.node('GlobalAveragePool', [x!], {}, path)];
}

function upsample(m: Upsample, ctx: LoweringContext, [x]: string[], path: string): string[] {
  const { mode = 'nearest', alignCorners, size, scaleFactor } = m.options;
  const dims = one(ctx, x!);
  const attrs: Record<string, string> =
    mode === 'nearest'
      ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
      : { mode: 'linear', coordinate_transformation_mode: alignCorners ? 'align_corners' : 'pytorch_half_pixel' };
  if (size !== undefined)
    throw new UnsupportedLayerError(
      path,
      'Upsample',
      'a fixed output size (use a scale factor: the graph has dynamic sizes)',
    );
  const factors = typeof scaleFactor === 'number' ? new Array<number>(dims).fill(scaleFactor) : [...scaleFactor!];
  const scales = ctx.constant(`${path}.scales`, Float32Array.from([1, 1, ...factors]), [dims + 2]);
  return [ctx.node('Resize', [x!, '', scales], attrs, path)];
}

function linear(m: Linear, ctx: LoweringContext, [x]: string[], path: string): string[] {
  return [ctx.node('Linear', [x!, ctx.weight(path, 'weight', m.weight), ctx.weight(path, 'bias', m.bias)], {}, path)];
}

function flatten(m: Flatten, ctx: LoweringContext, [x]: string[], path: string): string[] {
  const rank = ctx.rank(x!);
  const start = m.startDim < 0 ? m.startDim + rank : m.startDim;
  const end = m.endDim < 0 ? m.endDim + rank : m.endDim;
  if (start !== 1 || end !== rank - 1)
    throw new UnsupportedLayerError(path, 'Flatten', `flatten(${m.startDim}, ${m.endDim}) (only flatten(1, -1))`);
  return [ctx.node('Flatten', [x!], { axis: 1 }, path, 2)];
}

const pointwise =
  (op: string, attrs: (m: AnyModule) => Record<string, number | string> = () => ({})) =>
  (m: AnyModule, ctx: LoweringContext, [x]: string[], path: string): string[] => [ctx.node(op, [x!], attrs(m), path)];

function sequential(m: Sequential, ctx: LoweringContext, inputs: string[], path: string): string[] {
  let values = inputs;
  let index = 0;
  for (const child of m) {
    const name = String(index++);
    values = ctx.lower(child, path === '' ? name : `${path}.${name}`, values);
  }
  return values;
}

export const layerRules: RuleEntry[] = [
  { type: Sequential, lower: sequential },
  { type: Conv, lower: conv },
  { type: ConvTranspose, lower: convTranspose },
  { type: BatchNorm, lower: batchNorm },
  { type: InstanceNorm, lower: instanceNorm },
  { type: GroupNorm, lower: groupNorm },
  { type: LayerNorm, lower: layerNorm },
  { type: Linear, lower: linear },
  { type: Flatten, lower: flatten },
  { type: ReLU, lower: pointwise('Relu') },
  { type: LeakyReLU, lower: pointwise('LeakyRelu', (m) => ({ alpha: (m as LeakyReLU).negativeSlope })) },
  { type: GELU, lower: pointwise('Gelu', (m) => ({ approximate: (m as GELU).approximate })) },
  { type: Sigmoid, lower: pointwise('Sigmoid') },
  { type: Tanh, lower: pointwise('Tanh') },
  { type: Softmax, lower: pointwise('Softmax', (m) => ({ axis: (m as Softmax).dim })) },
  { type: LogSoftmax, lower: pointwise('LogSoftmax', (m) => ({ axis: (m as LogSoftmax).dim })) },
  { type: Identity, lower: (_m, _ctx, inputs) => inputs },
  { type: Dropout, lower: (_m, _ctx, inputs) => inputs },
  { type: MaxPool2d, lower: pool('MaxPool') },
  { type: MaxPool3d, lower: pool('MaxPool') },
  { type: AvgPool2d, lower: pool('AveragePool') },
  { type: AvgPool3d, lower: pool('AveragePool') },
  { type: AdaptiveAvgPool2d, lower: adaptiveAvgPool },
  { type: AdaptiveAvgPool3d, lower: adaptiveAvgPool },
  { type: Upsample, lower: upsample },
];
