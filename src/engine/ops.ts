/**
 * Tensor operations as free functions (Tensor methods call these). Broadcasting, type promotion and
 * autograd follow PyTorch. Numbers stand for scalars wherever a tensor operand is accepted.
 * Neural-network functionals (conv, pooling, norms, losses ...) live in functional.ts and are
 * re-exported here.
 */
import { type DType, dtypeCode } from './dtype.js';
import { native } from './native.js';
import { h, type Operand, Tensor, wrap } from './tensor.js';

export * from './functional.js';

// ---- elementwise arithmetic ----
/** Elementwise `a + alpha·b`, broadcasting (torch.add). */
export const add = (a: Operand, b: Operand, alpha?: number): Tensor => wrap(native.add(h(a), h(b), alpha));
/** Elementwise `a − alpha·b`, broadcasting (torch.sub). */
export const sub = (a: Operand, b: Operand, alpha?: number): Tensor => wrap(native.sub(h(a), h(b), alpha));
/** Elementwise product, broadcasting (torch.mul). */
export const mul = (a: Operand, b: Operand): Tensor => wrap(native.mul(h(a), h(b)));
/** Elementwise true division, broadcasting (torch.div). */
export const div = (a: Operand, b: Operand): Tensor => wrap(native.div(h(a), h(b)));
/** Elementwise division rounded down (torch.floor_divide). */
export const floorDivide = (a: Operand, b: Operand): Tensor => wrap(native.floorDiv(h(a), h(b)));
/** Elementwise power `a^b` (torch.pow). */
export const pow = (a: Operand, b: Operand): Tensor => wrap(native.pow(h(a), h(b)));
/** Elementwise remainder with the sign of the divisor, as Python's % (torch.remainder). */
export const remainder = (a: Operand, b: Operand): Tensor => wrap(native.remainder(h(a), h(b)));
/** Elementwise maximum of two tensors (torch.maximum). */
export const maximum = (a: Operand, b: Operand): Tensor => wrap(native.maximum(h(a), h(b)));
/** Elementwise minimum of two tensors (torch.minimum). */
export const minimum = (a: Operand, b: Operand): Tensor => wrap(native.minimum(h(a), h(b)));
/** Elementwise arctangent of a/b, quadrant-aware (torch.atan2). */
export const atan2 = (a: Operand, b: Operand): Tensor => wrap(native.atan2(h(a), h(b)));

// ---- comparisons and logic (bool results) ----
/** Elementwise `a == b` as a bool tensor (torch.eq). */
export const eq = (a: Operand, b: Operand): Tensor => wrap(native.eq(h(a), h(b)));
/** Elementwise `a != b` as a bool tensor (torch.ne). */
export const ne = (a: Operand, b: Operand): Tensor => wrap(native.ne(h(a), h(b)));
/** Elementwise `a < b` as a bool tensor (torch.lt). */
export const lt = (a: Operand, b: Operand): Tensor => wrap(native.lt(h(a), h(b)));
/** Elementwise `a <= b` as a bool tensor (torch.le). */
export const le = (a: Operand, b: Operand): Tensor => wrap(native.le(h(a), h(b)));
/** Elementwise `a > b` as a bool tensor (torch.gt). */
export const gt = (a: Operand, b: Operand): Tensor => wrap(native.gt(h(a), h(b)));
/** Elementwise `a >= b` as a bool tensor (torch.ge). */
export const ge = (a: Operand, b: Operand): Tensor => wrap(native.ge(h(a), h(b)));
/** Elementwise logical and (torch.logical_and). */
export const logicalAnd = (a: Operand, b: Operand): Tensor => wrap(native.logicalAnd(h(a), h(b)));
/** Elementwise logical or (torch.logical_or). */
export const logicalOr = (a: Operand, b: Operand): Tensor => wrap(native.logicalOr(h(a), h(b)));
/** Elementwise logical exclusive or (torch.logical_xor). */
export const logicalXor = (a: Operand, b: Operand): Tensor => wrap(native.logicalXor(h(a), h(b)));
/** Elementwise logical not (torch.logical_not). */
export const logicalNot = (x: Tensor): Tensor => wrap(native.logicalNot(x.handle));
/** Where the values are NaN, as a bool tensor (torch.isnan). */
export const isnan = (x: Tensor): Tensor => wrap(native.isnan(x.handle));
/** Where the values are finite, as a bool tensor (torch.isfinite). */
export const isfinite = (x: Tensor): Tensor => wrap(native.isfinite(x.handle));

/** cond ? a : b, elementwise with broadcasting */
export const where = (cond: Tensor, a: Operand, b: Operand): Tensor => wrap(native.where(cond.handle, h(a), h(b)));
/** Limits values to [min, max]; null/undefined leaves that side open. Each bound is a number or a tensor. */
export function clamp(x: Tensor, min?: Operand | null, max?: Operand | null): Tensor {
  const lo = min ?? null;
  const hi = max ?? null;
  if (lo instanceof Tensor || hi instanceof Tensor) {
    if (typeof lo === 'number' || typeof hi === 'number') {
      // libtorch takes both bounds as numbers or both as tensors: a mix is two one-sided clamps.
      const lower = clamp(x, lo, null);
      try {
        return clamp(lower, null, hi);
      } finally {
        lower.dispose();
      }
    }
    return wrap(native.clamp(x.handle, lo?.handle ?? null, hi?.handle ?? null));
  }
  return wrap(native.clamp(x.handle, lo, hi));
}
/** `x` with `value` where `mask` is true (torch.masked_fill). */
export const maskedFill = (x: Tensor, mask: Tensor, value: Operand): Tensor =>
  wrap(native.maskedFill(x.handle, mask.handle, h(value)));
/** a + weight * (b - a) */
export const lerp = (a: Tensor, b: Tensor, weight: Operand): Tensor => wrap(native.lerp(a.handle, b.handle, h(weight)));

// ---- unary math ----
/** Elementwise negation (torch.neg). */
export const neg = (x: Tensor): Tensor => wrap(native.neg(x.handle));
/** Elementwise eˣ (torch.exp). */
export const exp = (x: Tensor): Tensor => wrap(native.exp(x.handle));
/** Elementwise eˣ − 1, accurate near 0 (torch.expm1). */
export const expm1 = (x: Tensor): Tensor => wrap(native.expm1(x.handle));
/** Elementwise natural logarithm (torch.log). */
export const log = (x: Tensor): Tensor => wrap(native.log(x.handle));
/** Elementwise ln(1 + x), accurate near 0 (torch.log1p). */
export const log1p = (x: Tensor): Tensor => wrap(native.log1p(x.handle));
/** Elementwise base-2 logarithm (torch.log2). */
export const log2 = (x: Tensor): Tensor => wrap(native.log2(x.handle));
/** Elementwise square root (torch.sqrt). */
export const sqrt = (x: Tensor): Tensor => wrap(native.sqrt(x.handle));
/** Elementwise 1/√x (torch.rsqrt). */
export const rsqrt = (x: Tensor): Tensor => wrap(native.rsqrt(x.handle));
/** Elementwise absolute value (torch.abs). */
export const abs = (x: Tensor): Tensor => wrap(native.abs(x.handle));
/** Elementwise sign: −1, 0 or 1 (torch.sign). */
export const sign = (x: Tensor): Tensor => wrap(native.sign(x.handle));
/** Elementwise sine (torch.sin). */
export const sin = (x: Tensor): Tensor => wrap(native.sin(x.handle));
/** Elementwise cosine (torch.cos). */
export const cos = (x: Tensor): Tensor => wrap(native.cos(x.handle));
/** Elementwise tangent (torch.tan). */
export const tan = (x: Tensor): Tensor => wrap(native.tan(x.handle));
/** Elementwise rounding down (torch.floor). */
export const floor = (x: Tensor): Tensor => wrap(native.floor(x.handle));
/** Elementwise rounding up (torch.ceil). */
export const ceil = (x: Tensor): Tensor => wrap(native.ceil(x.handle));
/** Elementwise rounding to the nearest integer, halves to even (torch.round). */
export const round = (x: Tensor): Tensor => wrap(native.round(x.handle));
/** Elementwise rounding towards zero (torch.trunc). */
export const trunc = (x: Tensor): Tensor => wrap(native.trunc(x.handle));
/** Elementwise 1/x (torch.reciprocal). */
export const reciprocal = (x: Tensor): Tensor => wrap(native.reciprocal(x.handle));
/** Elementwise x² (torch.square). */
export const square = (x: Tensor): Tensor => wrap(native.square(x.handle));
/** Elementwise error function (torch.erf). */
export const erf = (x: Tensor): Tensor => wrap(native.erf(x.handle));

// ---- activations ----
/** Elementwise logistic sigmoid 1/(1 + e⁻ˣ) (torch.sigmoid). */
export const sigmoid = (x: Tensor): Tensor => wrap(native.sigmoid(x.handle));
/** Elementwise hyperbolic tangent (torch.tanh). */
export const tanh = (x: Tensor): Tensor => wrap(native.tanh(x.handle));
/** Elementwise max(x, 0) (torch.relu). */
export const relu = (x: Tensor): Tensor => wrap(native.relu(x.handle));
/** Elementwise min(max(x, 0), 6) (torch.nn.functional.relu6). */
export const relu6 = (x: Tensor): Tensor => wrap(native.relu6(x.handle));
/** Elementwise x, or negativeSlope·x below 0 (torch.nn.functional.leaky_relu). */
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => wrap(native.leakyRelu(x.handle, negativeSlope));
/** Exponential linear unit (torch.nn.functional.elu). */
export const elu = (x: Tensor, alpha = 1): Tensor => wrap(native.elu(x.handle, alpha));
/** Leaky ReLU with learned per-channel slopes (torch.nn.functional.prelu). */
export const prelu = (x: Tensor, weight: Tensor): Tensor => wrap(native.prelu(x.handle, weight.handle));
/** Elementwise clamp to [min, max] (torch.nn.functional.hardtanh). */
export const hardtanh = (x: Tensor, min = -1, max = 1): Tensor => wrap(native.hardtanh(x.handle, min, max));
/** Elementwise x·sigmoid(x) (torch.nn.functional.silu). */
export const silu = (x: Tensor): Tensor => wrap(native.silu(x.handle));
/** Elementwise ln(1 + eˣ) (torch.nn.functional.softplus). */
export const softplus = (x: Tensor): Tensor => wrap(native.softplus(x.handle));
/** Elementwise x·tanh(softplus(x)) (torch.nn.functional.mish). */
export const mish = (x: Tensor): Tensor => wrap(native.mish(x.handle));
/** Elementwise ln(sigmoid(x)), computed stably (torch.nn.functional.logsigmoid). */
export const logSigmoid = (x: Tensor): Tensor => wrap(native.logSigmoid(x.handle));
export interface GeluOptions {
  /** 'tanh' uses the tanh approximation (PyTorch's approximate='tanh') */
  approximate?: 'none' | 'tanh';
}
/** Gaussian error linear unit, exact or with the tanh approximation (torch.nn.functional.gelu). */
export const gelu = (x: Tensor, options: GeluOptions = {}): Tensor =>
  wrap(native.gelu(x.handle, options.approximate === 'tanh'));
/** Softmax along `dim`, optionally computed in `dtype` (torch.softmax). */
export const softmax = (x: Tensor, dim: number, dtype?: DType): Tensor =>
  wrap(native.softmax(x.handle, dim, dtype ? dtypeCode(dtype) : null));
/** Log-softmax along `dim`, computed stably (torch.log_softmax). */
export const logSoftmax = (x: Tensor, dim: number, dtype?: DType): Tensor =>
  wrap(native.logSoftmax(x.handle, dim, dtype ? dtypeCode(dtype) : null));

// ---- reductions ----
/** A dimension (or dimensions), or options. No dimension reduces over everything. */
export type ReduceArg =
  | number
  | readonly number[]
  | { dim?: number | readonly number[]; keepdim?: boolean; dtype?: DType };
export type DimArg = number | { dim?: number; keepdim?: boolean };
export type VarArg =
  | number
  | readonly number[]
  | { dim?: number | readonly number[]; keepdim?: boolean; correction?: number };
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

function reduceOptions(o: ReduceArg | VarArg | undefined): {
  dim: number | readonly number[] | null;
  keepdim: boolean;
} {
  if (o === undefined) return { dim: null, keepdim: false };
  if (typeof o === 'number' || Array.isArray(o)) return { dim: o as number | number[], keepdim: false };
  const r = o as { dim?: number | readonly number[]; keepdim?: boolean };
  return { dim: r.dim ?? null, keepdim: !!r.keepdim };
}
function dimOptions(o: DimArg | undefined): { dim: number | null; keepdim: boolean } {
  if (o === undefined) return { dim: null, keepdim: false };
  if (typeof o === 'number') return { dim: o, keepdim: false };
  return { dim: o.dim ?? null, keepdim: !!o.keepdim };
}
function dtypeOption(o: ReduceArg | undefined): number | null {
  return o !== undefined && typeof o === 'object' && !Array.isArray(o) && (o as { dtype?: DType }).dtype
    ? dtypeCode((o as { dtype: DType }).dtype)
    : null;
}

/** Sum over all values or along dimensions (torch.sum). */
export function sum(x: Tensor, o?: ReduceArg): Tensor {
  const { dim, keepdim } = reduceOptions(o);
  return wrap(native.sum(x.handle, dim, keepdim, dtypeOption(o)));
}
/** Mean over all values or along dimensions (torch.mean). */
export function mean(x: Tensor, o?: ReduceArg): Tensor {
  const { dim, keepdim } = reduceOptions(o);
  return wrap(native.mean(x.handle, dim, keepdim, dtypeOption(o)));
}
/** Product over all values or along a dimension (torch.prod). */
export function prod(x: Tensor, o?: DimArg): Tensor {
  const { dim, keepdim } = dimOptions(o);
  return wrap(native.prod(x.handle, dim, keepdim));
}
/** The maximum of all values, or {values, indices} along a dimension. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, o: DimArg): ValuesIndices;
export function max(x: Tensor, o?: DimArg): Tensor | ValuesIndices {
  const { dim, keepdim } = dimOptions(o);
  if (dim === null) return wrap(native.max(x.handle));
  const [values, indices] = native.max(x.handle, dim, keepdim);
  return { values: wrap(values), indices: wrap(indices) };
}
/** The minimum of all values, or {values, indices} along a dimension (torch.min). */
export function min(x: Tensor): Tensor;
/** The minimum of all values, or {values, indices} along a dimension (torch.min). */
export function min(x: Tensor, o: DimArg): ValuesIndices;
/** The minimum of all values, or {values, indices} along a dimension (torch.min). */
export function min(x: Tensor, o?: DimArg): Tensor | ValuesIndices {
  const { dim, keepdim } = dimOptions(o);
  if (dim === null) return wrap(native.min(x.handle));
  const [values, indices] = native.min(x.handle, dim, keepdim);
  return { values: wrap(values), indices: wrap(indices) };
}
/** Maximum along dimensions, without indices (torch.amax). */
export function amax(x: Tensor, o?: ReduceArg): Tensor {
  const { dim, keepdim } = reduceOptions(o);
  return wrap(native.amax(x.handle, dim, keepdim));
}
/** Minimum along dimensions, without indices (torch.amin). */
export function amin(x: Tensor, o?: ReduceArg): Tensor {
  const { dim, keepdim } = reduceOptions(o);
  return wrap(native.amin(x.handle, dim, keepdim));
}
/** Index of the maximum (of the flattened tensor when no dim). */
export function argmax(x: Tensor, o?: DimArg): Tensor {
  const { dim, keepdim } = dimOptions(o);
  return wrap(native.argmax(x.handle, dim, keepdim));
}
/** Index of the minimum (of the flattened tensor when no dim) (torch.argmin). */
export function argmin(x: Tensor, o?: DimArg): Tensor {
  const { dim, keepdim } = dimOptions(o);
  return wrap(native.argmin(x.handle, dim, keepdim));
}
function correctionOf(o: VarArg | undefined): number {
  return o !== undefined && typeof o === 'object' && !Array.isArray(o)
    ? ((o as { correction?: number }).correction ?? 1)
    : 1;
}
/** Standard deviation; correction 1 (default) is the unbiased estimator, 0 the population one. */
export function std(x: Tensor, o?: VarArg): Tensor {
  const { dim, keepdim } = reduceOptions(o);
  return wrap(native.std(x.handle, dim, correctionOf(o), keepdim));
}
/** Variance (`var` is a reserved word; Tensor.var() calls this). */
export function variance(x: Tensor, o?: VarArg): Tensor {
  const { dim, keepdim } = reduceOptions(o);
  return wrap(native.var(x.handle, dim, correctionOf(o), keepdim));
}
/** ln Σ eˣ along dimensions, computed stably (torch.logsumexp). */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  return wrap(native.logsumexp(x.handle, dim, keepdim));
}
export interface NormOptions {
  p?: number;
  dim?: number | readonly number[];
  keepdim?: boolean;
}
/** The p-norm over all values or along dimensions (torch.linalg.vector_norm). */
export function norm(x: Tensor, o: NormOptions = {}): Tensor {
  return wrap(native.norm(x.handle, o.p ?? 2, o.dim ?? null, !!o.keepdim));
}
/** Whether every value is true (non-zero), overall or along a dimension (torch.all). */
export function all(x: Tensor, o?: DimArg): Tensor {
  const { dim, keepdim } = dimOptions(o);
  return wrap(native.all(x.handle, dim, keepdim));
}
/** Whether any value is true (non-zero), overall or along a dimension (torch.any). */
export function any(x: Tensor, o?: DimArg): Tensor {
  const { dim, keepdim } = dimOptions(o);
  return wrap(native.any(x.handle, dim, keepdim));
}
/** Cumulative sum along a dimension (torch.cumsum). */
export const cumsum = (x: Tensor, dim: number): Tensor => wrap(native.cumsum(x.handle, dim));
/** Number of non-zero values, overall or along dimensions (torch.count_nonzero). */
export const countNonzero = (x: Tensor, dim?: number | readonly number[]): Tensor =>
  wrap(native.countNonzero(x.handle, dim ?? null));
/** Values sorted along a dimension, with their indices (torch.sort). */
export function sort(x: Tensor, dim = -1, descending = false): ValuesIndices {
  const [values, indices] = native.sort(x.handle, dim, descending);
  return { values: wrap(values), indices: wrap(indices) };
}
/** The k largest (or smallest) values along a dimension, with their indices (torch.topk). */
export function topk(x: Tensor, k: number, dim = -1, largest = true): ValuesIndices {
  const [values, indices] = native.topk(x.handle, k, dim, largest);
  return { values: wrap(values), indices: wrap(indices) };
}
/** Sorted distinct values and how often each occurs. */
export function unique(x: Tensor): { values: Tensor; counts: Tensor } {
  const [values, counts] = native.unique(x.handle);
  return { values: wrap(values), counts: wrap(counts) };
}
export type QuantileInterpolation = 'linear' | 'lower' | 'higher' | 'midpoint' | 'nearest';
/** q-th quantile(s), q in [0, 1] (a number or a 1-d tensor of them); over everything unless a dim is given. */
export function quantile(
  x: Tensor,
  q: number | Tensor,
  o: { dim?: number; keepdim?: boolean; interpolation?: QuantileInterpolation } = {},
): Tensor {
  return wrap(
    native.quantile(
      x.handle,
      typeof q === 'number' ? q : q.handle,
      o.dim ?? null,
      !!o.keepdim,
      o.interpolation ?? 'linear',
    ),
  );
}
/** The lower median of all values, or {values, indices} along a dimension (like torch.median). */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, o: DimArg): ValuesIndices;
export function median(x: Tensor, o?: DimArg): Tensor | ValuesIndices {
  const { dim, keepdim } = dimOptions(o);
  if (dim === null) return wrap(native.median(x.handle));
  const [values, indices] = native.median(x.handle, dim, keepdim);
  return { values: wrap(values), indices: wrap(indices) };
}
/** Histogram with `bins` equal bins over [min, max] (min = max = 0 uses the data's range). */
export const histc = (x: Tensor, bins: number, min = 0, max = 0): Tensor =>
  wrap(native.histc(x.handle, bins, min, max));
/** |a − b| ≤ atol + rtol·|b| everywhere (same broadcasting as the arithmetic ops). */
export const allclose = (a: Tensor, b: Tensor, o: { rtol?: number; atol?: number; equalNan?: boolean } = {}): boolean =>
  native.allclose(a.handle, b.handle, o.rtol ?? 1e-5, o.atol ?? 1e-8, !!o.equalNan);
/** Elementwise |a − b| ≤ atol + rtol·|b| as a bool tensor (torch.isclose). */
export const isclose = (a: Tensor, b: Tensor, o: { rtol?: number; atol?: number; equalNan?: boolean } = {}): Tensor =>
  wrap(native.isclose(a.handle, b.handle, o.rtol ?? 1e-5, o.atol ?? 1e-8, !!o.equalNan));
/** Same shape and exactly the same values. */
export const equal = (a: Tensor, b: Tensor): boolean => native.equal(a.handle, b.handle);
/** Counts of each non-negative integer value, optionally weighted (torch.bincount). */
export const bincount = (x: Tensor, weights?: Tensor, minlength = 0): Tensor =>
  wrap(native.bincount(x.handle, weights?.handle ?? null, minlength));

// ---- matrix products ----
/** Matrix product with broadcasting over batch dimensions (torch.matmul). */
export const matmul = (a: Tensor, b: Tensor): Tensor => wrap(native.matmul(a.handle, b.handle));
/** Product of two 2D matrices (torch.mm). */
export const mm = (a: Tensor, b: Tensor): Tensor => wrap(native.mm(a.handle, b.handle));
/** Batched product of 3D tensors (torch.bmm). */
export const bmm = (a: Tensor, b: Tensor): Tensor => wrap(native.bmm(a.handle, b.handle));
/** Outer product of two vectors (torch.outer). */
export const outer = (a: Tensor, b: Tensor): Tensor => wrap(native.outer(a.handle, b.handle));
/** Dot product of two vectors (torch.dot). */
export const dot = (a: Tensor, b: Tensor): Tensor => wrap(native.dot(a.handle, b.handle));
/** x · wᵀ + b (weight [out, in], like torch.nn.functional.linear) */
export const linear = (x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor =>
  wrap(native.linear(x.handle, weight.handle, bias?.handle ?? null));
/** Einstein summation, e.g. einsum('bij,bjk->bik', [a, b]). */
export const einsum = (equation: string, tensors: readonly Tensor[]): Tensor =>
  wrap(
    native.einsum(
      equation,
      tensors.map((t) => t.handle),
    ),
  );
/** Pairwise p-norm distances between the rows of a (…, P, M) and b (…, R, M). */
export const cdist = (a: Tensor, b: Tensor, p = 2): Tensor => wrap(native.cdist(a.handle, b.handle, p));
/** matmul on libuv's thread pool. */
export const matmulAsync = async (a: Tensor, b: Tensor): Promise<Tensor> =>
  wrap(await native.matmulAsync(a.handle, b.handle));

// ---- shape ----
/** The same values in a new shape; one size may be −1 (torch.reshape). */
export const reshape = (x: Tensor, shape: readonly number[]): Tensor => wrap(native.reshape(x.handle, shape));
/** A view with another shape (fails when the strides do not allow it; reshape copies instead). */
export const view = (x: Tensor, shape: readonly number[]): Tensor => wrap(native.view(x.handle, shape));
/** Dimensions reordered (torch.permute). */
export const permute = (x: Tensor, dims: readonly number[]): Tensor => wrap(native.permute(x.handle, dims));
/** Two dimensions swapped (torch.transpose). */
export const transpose = (x: Tensor, dim0: number, dim1: number): Tensor =>
  wrap(native.transpose(x.handle, dim0, dim1));
/** Dimensions moved to new positions (torch.movedim). */
export const movedim = (
  x: Tensor,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor => wrap(native.movedim(x.handle, source, destination));
/** Size-1 dimensions removed (all, or the given one) (torch.squeeze). */
export const squeeze = (x: Tensor, dim?: number): Tensor => wrap(native.squeeze(x.handle, dim ?? null));
/** A size-1 dimension inserted at `dim` (torch.unsqueeze). */
export const unsqueeze = (x: Tensor, dim: number): Tensor => wrap(native.unsqueeze(x.handle, dim));
/** Broadcast view to a larger shape (-1 keeps a size). */
export const expand = (x: Tensor, shape: readonly number[]): Tensor => wrap(native.expand(x.handle, shape));
/** Dimensions startDim..endDim merged into one (torch.flatten). */
export const flatten = (x: Tensor, startDim = 0, endDim = -1): Tensor =>
  wrap(native.flatten(x.handle, startDim, endDim));
/** The tensor tiled `repeats` times along each dimension (torch.Tensor.repeat). */
export const repeat = (x: Tensor, times: readonly number[]): Tensor => wrap(native.repeat(x.handle, times));
/** The tensor tiled along each dimension (torch.tile). */
export const tile = (x: Tensor, times: readonly number[]): Tensor => wrap(native.tile(x.handle, times));
/** Tensors concatenated along an existing dimension (torch.cat). */
export const cat = (tensors: readonly Tensor[], dim = 0): Tensor =>
  wrap(
    native.cat(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
/** Tensors stacked along a new dimension (torch.stack). */
export const stack = (tensors: readonly Tensor[], dim = 0): Tensor =>
  wrap(
    native.stack(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
/** Splits into pieces of `size` (the last may be smaller), or of the given sizes. */
export const split = (x: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] =>
  native.split(x.handle, sizeOrSizes, dim).map(wrap);
/** Splits into `chunks` nearly equal parts along a dimension (torch.chunk). */
export const chunk = (x: Tensor, chunks: number, dim = 0): Tensor[] => native.chunk(x.handle, chunks, dim).map(wrap);
/** The slices along a dimension, that dimension removed (torch.unbind). */
export const unbind = (x: Tensor, dim = 0): Tensor[] => native.unbind(x.handle, dim).map(wrap);
/** x[start:end:step] along `dim` (a view); negative or null bounds as in Python. */
export const slice = (x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor =>
  wrap(native.slice(x.handle, dim, start ?? null, end ?? null, step));
/** The slice start..start+length along a dimension, sharing memory (torch.narrow). */
export const narrow = (x: Tensor, dim: number, start: number, length: number): Tensor =>
  wrap(native.narrow(x.handle, dim, start, length));
/** x[..., index, ...] at `dim` (removes that dimension) */
export const select = (x: Tensor, dim: number, index: number): Tensor => wrap(native.select(x.handle, dim, index));
/** The entries at `index` along a dimension (torch.index_select). */
export const indexSelect = (x: Tensor, dim: number, index: Tensor): Tensor =>
  wrap(native.indexSelect(x.handle, dim, index.handle));
/** Values picked along a dimension by an index tensor (torch.gather). */
export const gather = (x: Tensor, dim: number, index: Tensor): Tensor =>
  wrap(native.gather(x.handle, dim, index.handle));
/** Out-of-place scatter: a copy of x with values from src written at index along dim. */
export const scatter = (x: Tensor, dim: number, index: Tensor, src: Operand): Tensor =>
  wrap(native.scatter(x.handle, dim, index.handle, h(src)));
/** `x` with `src` added at the positions `index` gives along a dimension (torch.scatter_add). */
export const scatterAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor =>
  wrap(native.scatterAdd(x.handle, dim, index.handle, src.handle));
/** `x` with `source` added at `index` along a dimension (torch.index_add). */
export const indexAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor =>
  wrap(native.indexAdd(x.handle, dim, index.handle, src.handle));
/** The values where `mask` is true, as a 1D tensor (torch.masked_select). */
export const maskedSelect = (x: Tensor, mask: Tensor): Tensor => wrap(native.maskedSelect(x.handle, mask.handle));
/** Indices of the non-zero values, one row per value (torch.nonzero). */
export const nonzero = (x: Tensor): Tensor => wrap(native.nonzero(x.handle));
/** The tensor reversed along the given dimensions (torch.flip). */
export const flip = (x: Tensor, dims: number | readonly number[]): Tensor => wrap(native.flip(x.handle, dims));
/** The tensor rolled (shifted with wrap-around) along dimensions (torch.roll). */
export const roll = (x: Tensor, shifts: number | readonly number[], dims: number | readonly number[]): Tensor =>
  wrap(native.roll(x.handle, shifts, dims));
/** The lower triangle of a matrix (torch.tril). */
export const tril = (x: Tensor, diagonal = 0): Tensor => wrap(native.tril(x.handle, diagonal));
/** The upper triangle of a matrix (torch.triu). */
export const triu = (x: Tensor, diagonal = 0): Tensor => wrap(native.triu(x.handle, diagonal));
/** Coordinate grids from 1D tensors, 'ij' or 'xy' indexing (torch.meshgrid). */
export const meshgrid = (tensors: readonly Tensor[]): Tensor[] =>
  native.meshgrid(tensors.map((t) => t.handle)).map(wrap);

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
/**
 * Pads like torch.nn.functional.pad: `pads` lists (before, after) pairs starting from the LAST
 * dimension. reflect/replicate/circular pad the trailing 1-3 dims of a batched (N, C, ...) input.
 */
export const pad = (x: Tensor, pads: readonly number[], mode: PadMode = 'constant', value = 0): Tensor =>
  wrap(native.pad(x.handle, pads, mode, value));
/** Class indices (int64) → one-hot int64 with a trailing class dimension. */
export const oneHot = (x: Tensor, numClasses = -1): Tensor => wrap(native.oneHot(x.handle, numClasses));

/** Convenience for tests and small scalars: a 0-d tensor. */
export const scalar = (value: number, dtype: DType = 'float32'): Tensor => Tensor.from([value], [], { dtype });
export { variance as var };
