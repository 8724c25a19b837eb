/** Tensor creation. Floating tensors default to float32; random ones draw from libtorch's generator (see manualSeed). */
import { type DType, dtypeCode } from './dtype.js';
import { native } from './native.js';
import { Tensor, wrap } from './tensor.js';

export interface CreateOptions {
  dtype?: DType;
  /** 'cpu' (default) or 'cuda:N' */
  device?: string;
  requiresGrad?: boolean;
}

const code = (o: CreateOptions): number | null => (o.dtype ? dtypeCode(o.dtype) : null);

/** A tensor of zeros (torch.zeros). */
export const zeros = (shape: readonly number[], o: CreateOptions = {}): Tensor =>
  wrap(native.zeros(shape, code(o), o.device ?? null, !!o.requiresGrad));
/** A tensor of ones (torch.ones). */
export const ones = (shape: readonly number[], o: CreateOptions = {}): Tensor =>
  wrap(native.ones(shape, code(o), o.device ?? null, !!o.requiresGrad));
/** Uninitialised memory (contents are arbitrary). */
export const empty = (shape: readonly number[], o: CreateOptions = {}): Tensor =>
  wrap(native.empty(shape, code(o), o.device ?? null, !!o.requiresGrad));
/** A tensor filled with `value` (torch.full). */
export const full = (shape: readonly number[], value: number | boolean, o: CreateOptions = {}): Tensor =>
  wrap(native.full(shape, value, code(o), o.device ?? null, !!o.requiresGrad));
/** Uniform on [0, 1). */
export const rand = (shape: readonly number[], o: CreateOptions = {}): Tensor =>
  wrap(native.rand(shape, code(o), o.device ?? null, !!o.requiresGrad));
/** Standard normal. */
export const randn = (shape: readonly number[], o: CreateOptions = {}): Tensor =>
  wrap(native.randn(shape, code(o), o.device ?? null, !!o.requiresGrad));
/** Integers uniform on [low, high), int64 unless a dtype is given. */
export const randint = (
  low: number,
  high: number,
  shape: readonly number[],
  o: Omit<CreateOptions, 'requiresGrad'> = {},
): Tensor => wrap(native.randint(low, high, shape, code(o), o.device ?? null));
/** A random permutation of 0..n-1 (int64). */
export const randperm = (n: number, o: { device?: string } = {}): Tensor => wrap(native.randperm(n, o.device ?? null));
/** Draws 0/1 with the probabilities in p (or the constant p given). */
export const bernoulli = (probabilities: Tensor, p?: number): Tensor => wrap(native.bernoulli(probabilities.handle, p));
/** Samples indices from the rows of a probability tensor. */
export const multinomial = (probabilities: Tensor, numSamples: number, replacement = false): Tensor =>
  wrap(native.multinomial(probabilities.handle, numSamples, replacement));

/**
 * Values from start (inclusive) to end (exclusive) by step; arange(n) counts 0..n-1. int64 when all
 * arguments are integers, else float32, unless a dtype is given.
 */
export function arange(
  startOrEnd: number,
  end?: number,
  step = 1,
  o: Omit<CreateOptions, 'requiresGrad'> = {},
): Tensor {
  const [s, e] = end === undefined ? [0, startOrEnd] : [startOrEnd, end];
  return wrap(native.arange(s, e, step, code(o), o.device ?? null));
}
/** `steps` evenly spaced values from start to end inclusive. */
export const linspace = (
  start: number,
  end: number,
  steps: number,
  o: Omit<CreateOptions, 'requiresGrad'> = {},
): Tensor => wrap(native.linspace(start, end, steps, code(o), o.device ?? null));
/** Identity matrix n×m (m defaults to n). */
export const eye = (n: number, m = n, o: Omit<CreateOptions, 'requiresGrad'> = {}): Tensor =>
  wrap(native.eye(n, m, code(o), o.device ?? null));

const likeCode = (dtype?: DType): number | null => (dtype ? dtypeCode(dtype) : null);
/** Same shape, dtype and device as x (dtype overridable). */
export const zerosLike = (x: Tensor, dtype?: DType): Tensor => wrap(native.zerosLike(x.handle, likeCode(dtype)));
/** Ones with the shape, dtype and device of `x` (torch.ones_like). */
export const onesLike = (x: Tensor, dtype?: DType): Tensor => wrap(native.onesLike(x.handle, likeCode(dtype)));
/** `value` with the shape, dtype and device of `x` (torch.full_like). */
export const fullLike = (x: Tensor, value: number, dtype?: DType): Tensor =>
  wrap(native.fullLike(x.handle, value, likeCode(dtype)));
/** Uniform [0, 1) values with the shape, dtype and device of `x` (torch.rand_like). */
export const randLike = (x: Tensor, dtype?: DType): Tensor => wrap(native.randLike(x.handle, likeCode(dtype)));
/** Standard normal values with the shape, dtype and device of `x` (torch.randn_like). */
export const randnLike = (x: Tensor, dtype?: DType): Tensor => wrap(native.randnLike(x.handle, likeCode(dtype)));

/** Tensor.from as a free function. */
export const tensor = Tensor.from;
