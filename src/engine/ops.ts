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
export const add = (a: Operand, b: Operand, alpha?: number): Tensor => wrap(native.add(h(a), h(b), alpha));
export const sub = (a: Operand, b: Operand, alpha?: number): Tensor => wrap(native.sub(h(a), h(b), alpha));
export const mul = (a: Operand, b: Operand): Tensor => wrap(native.mul(h(a), h(b)));
export const div = (a: Operand, b: Operand): Tensor => wrap(native.div(h(a), h(b)));
export const floorDivide = (a: Operand, b: Operand): Tensor => wrap(native.floorDiv(h(a), h(b)));
export const pow = (a: Operand, b: Operand): Tensor => wrap(native.pow(h(a), h(b)));
export const remainder = (a: Operand, b: Operand): Tensor => wrap(native.remainder(h(a), h(b)));
export const maximum = (a: Operand, b: Operand): Tensor => wrap(native.maximum(h(a), h(b)));
export const minimum = (a: Operand, b: Operand): Tensor => wrap(native.minimum(h(a), h(b)));
export const atan2 = (a: Operand, b: Operand): Tensor => wrap(native.atan2(h(a), h(b)));

// ---- comparisons and logic (bool results) ----
export const eq = (a: Operand, b: Operand): Tensor => wrap(native.eq(h(a), h(b)));
export const ne = (a: Operand, b: Operand): Tensor => wrap(native.ne(h(a), h(b)));
export const lt = (a: Operand, b: Operand): Tensor => wrap(native.lt(h(a), h(b)));
export const le = (a: Operand, b: Operand): Tensor => wrap(native.le(h(a), h(b)));
export const gt = (a: Operand, b: Operand): Tensor => wrap(native.gt(h(a), h(b)));
export const ge = (a: Operand, b: Operand): Tensor => wrap(native.ge(h(a), h(b)));
export const logicalAnd = (a: Operand, b: Operand): Tensor => wrap(native.logicalAnd(h(a), h(b)));
export const logicalOr = (a: Operand, b: Operand): Tensor => wrap(native.logicalOr(h(a), h(b)));
export const logicalXor = (a: Operand, b: Operand): Tensor => wrap(native.logicalXor(h(a), h(b)));
export const logicalNot = (x: Tensor): Tensor => wrap(native.logicalNot(x.handle));
export const isnan = (x: Tensor): Tensor => wrap(native.isnan(x.handle));
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
export const maskedFill = (x: Tensor, mask: Tensor, value: Operand): Tensor =>
  wrap(native.maskedFill(x.handle, mask.handle, h(value)));
/** a + weight * (b - a) */
export const lerp = (a: Tensor, b: Tensor, weight: Operand): Tensor => wrap(native.lerp(a.handle, b.handle, h(weight)));

// ---- unary math ----
export const neg = (x: Tensor): Tensor => wrap(native.neg(x.handle));
export const exp = (x: Tensor): Tensor => wrap(native.exp(x.handle));
export const expm1 = (x: Tensor): Tensor => wrap(native.expm1(x.handle));
export const log = (x: Tensor): Tensor => wrap(native.log(x.handle));
export const log1p = (x: Tensor): Tensor => wrap(native.log1p(x.handle));
export const log2 = (x: Tensor): Tensor => wrap(native.log2(x.handle));
export const sqrt = (x: Tensor): Tensor => wrap(native.sqrt(x.handle));
export const rsqrt = (x: Tensor): Tensor => wrap(native.rsqrt(x.handle));
export const abs = (x: Tensor): Tensor => wrap(native.abs(x.handle));
export const sign = (x: Tensor): Tensor => wrap(native.sign(x.handle));
export const sin = (x: Tensor): Tensor => wrap(native.sin(x.handle));
export const cos = (x: Tensor): Tensor => wrap(native.cos(x.handle));
export const tan = (x: Tensor): Tensor => wrap(native.tan(x.handle));
export const floor = (x: Tensor): Tensor => wrap(native.floor(x.handle));
export const ceil = (x: Tensor): Tensor => wrap(native.ceil(x.handle));
export const round = (x: Tensor): Tensor => wrap(native.round(x.handle));
export const trunc = (x: Tensor): Tensor => wrap(native.trunc(x.handle));
export const reciprocal = (x: Tensor): Tensor => wrap(native.reciprocal(x.handle));
export const square = (x: Tensor): Tensor => wrap(native.square(x.handle));
export const erf = (x: Tensor): Tensor => wrap(native.erf(x.handle));

// ---- activations ----
export const sigmoid = (x: Tensor): Tensor => wrap(native.sigmoid(x.handle));
export const tanh = (x: Tensor): Tensor => wrap(native.tanh(x.handle));
export const relu = (x: Tensor): Tensor => wrap(native.relu(x.handle));
export const relu6 = (x: Tensor): Tensor => wrap(native.relu6(x.handle));
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => wrap(native.leakyRelu(x.handle, negativeSlope));
export const elu = (x: Tensor, alpha = 1): Tensor => wrap(native.elu(x.handle, alpha));
export const prelu = (x: Tensor, weight: Tensor): Tensor => wrap(native.prelu(x.handle, weight.handle));
export const hardtanh = (x: Tensor, min = -1, max = 1): Tensor => wrap(native.hardtanh(x.handle, min, max));
export const silu = (x: Tensor): Tensor => wrap(native.silu(x.handle));
export const softplus = (x: Tensor): Tensor => wrap(native.softplus(x.handle));
export const mish = (x: Tensor): Tensor => wrap(native.mish(x.handle));
export const logSigmoid = (x: Tensor): Tensor => wrap(native.logSigmoid(x.handle));
export interface GeluOptions {
  /** 'tanh' uses the tanh approximation (PyTorch's approximate='tanh') */
  approximate?: 'none' | 'tanh';
}
export const gelu = (x: Tensor, options: GeluOptions = {}): Tensor =>
  wrap(native.gelu(x.handle, options.approximate === 'tanh'));
export const softmax = (x: Tensor, dim: number, dtype?: DType): Tensor =>
  wrap(native.softmax(x.handle, dim, dtype ? dtypeCode(dtype) : null));
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

export function sum(x: Tensor, o?: ReduceArg): Tensor {
  const { dim, keepdim } = reduceOptions(o);
  return wrap(native.sum(x.handle, dim, keepdim, dtypeOption(o)));
}
export function mean(x: Tensor, o?: ReduceArg): Tensor {
  const { dim, keepdim } = reduceOptions(o);
  return wrap(native.mean(x.handle, dim, keepdim, dtypeOption(o)));
}
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
export function min(x: Tensor): Tensor;
export function min(x: Tensor, o: DimArg): ValuesIndices;
export function min(x: Tensor, o?: DimArg): Tensor | ValuesIndices {
  const { dim, keepdim } = dimOptions(o);
  if (dim === null) return wrap(native.min(x.handle));
  const [values, indices] = native.min(x.handle, dim, keepdim);
  return { values: wrap(values), indices: wrap(indices) };
}
export function amax(x: Tensor, o?: ReduceArg): Tensor {
  const { dim, keepdim } = reduceOptions(o);
  return wrap(native.amax(x.handle, dim, keepdim));
}
export function amin(x: Tensor, o?: ReduceArg): Tensor {
  const { dim, keepdim } = reduceOptions(o);
  return wrap(native.amin(x.handle, dim, keepdim));
}
/** Index of the maximum (of the flattened tensor when no dim). */
export function argmax(x: Tensor, o?: DimArg): Tensor {
  const { dim, keepdim } = dimOptions(o);
  return wrap(native.argmax(x.handle, dim, keepdim));
}
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
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  return wrap(native.logsumexp(x.handle, dim, keepdim));
}
export interface NormOptions {
  p?: number;
  dim?: number | readonly number[];
  keepdim?: boolean;
}
export function norm(x: Tensor, o: NormOptions = {}): Tensor {
  return wrap(native.norm(x.handle, o.p ?? 2, o.dim ?? null, !!o.keepdim));
}
export function all(x: Tensor, o?: DimArg): Tensor {
  const { dim, keepdim } = dimOptions(o);
  return wrap(native.all(x.handle, dim, keepdim));
}
export function any(x: Tensor, o?: DimArg): Tensor {
  const { dim, keepdim } = dimOptions(o);
  return wrap(native.any(x.handle, dim, keepdim));
}
export const cumsum = (x: Tensor, dim: number): Tensor => wrap(native.cumsum(x.handle, dim));
export const countNonzero = (x: Tensor, dim?: number | readonly number[]): Tensor =>
  wrap(native.countNonzero(x.handle, dim ?? null));
export function sort(x: Tensor, dim = -1, descending = false): ValuesIndices {
  const [values, indices] = native.sort(x.handle, dim, descending);
  return { values: wrap(values), indices: wrap(indices) };
}
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
export const isclose = (a: Tensor, b: Tensor, o: { rtol?: number; atol?: number; equalNan?: boolean } = {}): Tensor =>
  wrap(native.isclose(a.handle, b.handle, o.rtol ?? 1e-5, o.atol ?? 1e-8, !!o.equalNan));
/** Same shape and exactly the same values. */
export const equal = (a: Tensor, b: Tensor): boolean => native.equal(a.handle, b.handle);
export const bincount = (x: Tensor, weights?: Tensor, minlength = 0): Tensor =>
  wrap(native.bincount(x.handle, weights?.handle ?? null, minlength));

// ---- matrix products ----
export const matmul = (a: Tensor, b: Tensor): Tensor => wrap(native.matmul(a.handle, b.handle));
export const mm = (a: Tensor, b: Tensor): Tensor => wrap(native.mm(a.handle, b.handle));
export const bmm = (a: Tensor, b: Tensor): Tensor => wrap(native.bmm(a.handle, b.handle));
export const outer = (a: Tensor, b: Tensor): Tensor => wrap(native.outer(a.handle, b.handle));
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
export const reshape = (x: Tensor, shape: readonly number[]): Tensor => wrap(native.reshape(x.handle, shape));
/** A view with another shape (fails when the strides do not allow it; reshape copies instead). */
export const view = (x: Tensor, shape: readonly number[]): Tensor => wrap(native.view(x.handle, shape));
export const permute = (x: Tensor, dims: readonly number[]): Tensor => wrap(native.permute(x.handle, dims));
export const transpose = (x: Tensor, dim0: number, dim1: number): Tensor =>
  wrap(native.transpose(x.handle, dim0, dim1));
export const movedim = (
  x: Tensor,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor => wrap(native.movedim(x.handle, source, destination));
export const squeeze = (x: Tensor, dim?: number): Tensor => wrap(native.squeeze(x.handle, dim ?? null));
export const unsqueeze = (x: Tensor, dim: number): Tensor => wrap(native.unsqueeze(x.handle, dim));
/** Broadcast view to a larger shape (-1 keeps a size). */
export const expand = (x: Tensor, shape: readonly number[]): Tensor => wrap(native.expand(x.handle, shape));
export const flatten = (x: Tensor, startDim = 0, endDim = -1): Tensor =>
  wrap(native.flatten(x.handle, startDim, endDim));
export const repeat = (x: Tensor, times: readonly number[]): Tensor => wrap(native.repeat(x.handle, times));
export const tile = (x: Tensor, times: readonly number[]): Tensor => wrap(native.tile(x.handle, times));
export const cat = (tensors: readonly Tensor[], dim = 0): Tensor =>
  wrap(
    native.cat(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
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
export const chunk = (x: Tensor, chunks: number, dim = 0): Tensor[] => native.chunk(x.handle, chunks, dim).map(wrap);
export const unbind = (x: Tensor, dim = 0): Tensor[] => native.unbind(x.handle, dim).map(wrap);
/** x[start:end:step] along `dim` (a view); negative or null bounds as in Python. */
export const slice = (x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor =>
  wrap(native.slice(x.handle, dim, start ?? null, end ?? null, step));
export const narrow = (x: Tensor, dim: number, start: number, length: number): Tensor =>
  wrap(native.narrow(x.handle, dim, start, length));
/** x[..., index, ...] at `dim` (removes that dimension) */
export const select = (x: Tensor, dim: number, index: number): Tensor => wrap(native.select(x.handle, dim, index));
export const indexSelect = (x: Tensor, dim: number, index: Tensor): Tensor =>
  wrap(native.indexSelect(x.handle, dim, index.handle));
export const gather = (x: Tensor, dim: number, index: Tensor): Tensor =>
  wrap(native.gather(x.handle, dim, index.handle));
/** Out-of-place scatter: a copy of x with values from src written at index along dim. */
export const scatter = (x: Tensor, dim: number, index: Tensor, src: Operand): Tensor =>
  wrap(native.scatter(x.handle, dim, index.handle, h(src)));
export const scatterAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor =>
  wrap(native.scatterAdd(x.handle, dim, index.handle, src.handle));
export const indexAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor =>
  wrap(native.indexAdd(x.handle, dim, index.handle, src.handle));
export const maskedSelect = (x: Tensor, mask: Tensor): Tensor => wrap(native.maskedSelect(x.handle, mask.handle));
export const nonzero = (x: Tensor): Tensor => wrap(native.nonzero(x.handle));
export const flip = (x: Tensor, dims: number | readonly number[]): Tensor => wrap(native.flip(x.handle, dims));
export const roll = (x: Tensor, shifts: number | readonly number[], dims: number | readonly number[]): Tensor =>
  wrap(native.roll(x.handle, shifts, dims));
export const tril = (x: Tensor, diagonal = 0): Tensor => wrap(native.tril(x.handle, diagonal));
export const triu = (x: Tensor, diagonal = 0): Tensor => wrap(native.triu(x.handle, diagonal));
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
