import {
  type AnyTypedArray,
  type DType,
  dtypeCode,
  dtypeFromCode,
  dtypeOfTypedArray,
  isDType,
  type TypedArray,
  typedArrayFor,
} from './dtype.js';
import { EngineError } from './errors.js';
import { track } from './memory.js';
import { type Handle, native } from './native.js';
import * as ops from './ops.js';

export type Operand = Tensor | number;
export type MemoryFormat = 'contiguous' | 'channelsLast' | 'channelsLast3d' | 'preserve';
const FORMAT_CODES = { contiguous: 0, channelsLast: 1, channelsLast3d: 2, preserve: 3 } as const satisfies Record<
  MemoryFormat,
  number
>;

export interface FromOptions {
  dtype?: DType;
  device?: string;
  requiresGrad?: boolean;
}

/** Nested arrays of numbers, booleans or bigints, as `Tensor.from` takes them (`[[1, 2], [3, 4]]`). */
export type Nested = number | boolean | bigint | Nested[];

/**
 * An n-dimensional array in libtorch, with autograd. Tensors own native memory: free it with
 * `dispose()` or create them inside `tidy()`; the garbage collector frees forgotten ones eventually.
 */
export class Tensor {
  #handle: Handle | null;
  #shape: number[] | undefined;

  /**
   * Wraps a native handle (library-internal: use Tensor.from or the creation functions).
   * @internal
   */
  constructor(handle: Handle) {
    this.#handle = handle;
    track(this);
  }

  /**
   * Copies `data` into a new tensor (torch.tensor).
   * @param data a typed array, or nested arrays of numbers/booleans/bigints
   * @param shape defaults to the nested arrays' shape, or [length] for a typed array
   * @param options dtype (default: float32 for numbers, the typed array's own type otherwise), device, requiresGrad
   * @returns a tensor that owns native memory: `dispose()` it or create it inside `tidy()`
   * @throws RangeError when the shape does not match the number of values
   *
   * @example
   * ```ts
   * const x = Tensor.from([[1, 2], [3, 4]]);                       // float32, shape [2, 2]
   * const y = Tensor.from(new Uint8Array(16), [1, 1, 4, 4]);         // uint8
   * const w = Tensor.from([0.5, -1], [2], { dtype: 'float64', requiresGrad: true });
   * ```
   */
  static from(data: AnyTypedArray | Nested[], shape?: readonly number[], options: FromOptions = {}): Tensor {
    let values: AnyTypedArray;
    let inferred: number[];
    let dtype: DType;
    if (ArrayBuffer.isView(data)) {
      values = data;
      inferred = [data.length];
      const natural = dtypeOfTypedArray(data);
      if (natural === undefined) {
        if (data instanceof Uint16Array && (options.dtype === 'float16' || options.dtype === 'bfloat16'))
          dtype = options.dtype;
        else throw new TypeError(`Tensor.from: cannot infer a dtype from ${data.constructor.name}; pass { dtype }`);
      } else dtype = natural;
    } else {
      inferred = nestedShape(data);
      const flat = flatten(data as Nested[]);
      if (flat.length > 0 && typeof flat[0] === 'bigint') {
        values = BigInt64Array.from(flat as bigint[]);
        dtype = 'int64';
      } else if (flat.length > 0 && typeof flat[0] === 'boolean') {
        values = Uint8Array.from(flat as boolean[], (b) => (b ? 1 : 0));
        dtype = 'bool';
      } else {
        const target = options.dtype ?? 'float32';
        if (target === 'float64' || target === 'int64' || target === 'float16' || target === 'bfloat16') {
          values = Float64Array.from(flat as number[]);
          dtype = 'float64';
        } else if (target === 'int32') {
          values = Int32Array.from(flat as number[]);
          dtype = 'int32';
        } else if (target === 'uint8' || target === 'bool') {
          values = Uint8Array.from(flat as number[], (v) => (target === 'bool' ? (v ? 1 : 0) : v));
          dtype = target;
        } else {
          values = Float32Array.from(flat as number[]);
          dtype = 'float32';
        }
      }
    }
    const dims = shape ? [...shape] : inferred;
    const wanted = options.dtype ?? dtype;
    const exactType = wanted === dtype;
    let h = native.fromBuffer(
      values,
      dims,
      dtypeCode(dtype),
      exactType ? options.device : undefined,
      exactType && !!options.requiresGrad,
    );
    if (!exactType) {
      const raw = h;
      h = native.to(raw, options.device ?? null, dtypeCode(wanted), false);
      native.dispose(raw);
      if (options.requiresGrad) native.setRequiresGrad(h, true);
    }
    return new Tensor(h);
  }

  /**
   * The native handle (throws once disposed).
   * @internal
   */
  get handle(): Handle {
    const h = this.#handle;
    if (h === null) throw new EngineError('tensor used after dispose()');
    return h;
  }

  get isDisposed(): boolean {
    return this.#handle === null;
  }

  /** Frees the native tensor now. Safe to call twice. */
  dispose(): void {
    if (this.#handle !== null) {
      native.dispose(this.#handle);
      this.#handle = null;
    }
  }

  /** `using t = ...` disposes the tensor at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  get shape(): number[] {
    if (this.#shape === undefined) this.#shape = native.shape(this.handle);
    return [...this.#shape];
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  /** size along one dimension (negative counts from the end) */
  size(dim: number): number {
    const s = this.shape;
    const d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length) throw new RangeError(`dimension ${dim} out of range for a ${s.length}-d tensor`);
    return s[d]!;
  }
  get strides(): number[] {
    return native.strides(this.handle);
  }
  get dtype(): DType {
    return dtypeFromCode(native.dtype(this.handle));
  }
  get device(): string {
    return native.device(this.handle);
  }

  // ---- data out ----
  /** A copy of the values in row-major order (float16/bfloat16 as raw bits in a Uint16Array). */
  toArray(): TypedArray {
    return typedArrayFor(this.dtype, native.toBuffer(this.handle));
  }
  /**
   * A typed array over the tensor's own memory, without copying (CPU tensors laid out contiguously;
   * call contiguous() first otherwise). It sees later in-place changes, writes to it change the
   * tensor, and it keeps the memory alive after dispose() until it is garbage-collected.
   */
  toArrayShared(): TypedArray {
    return typedArrayFor(this.dtype, native.shareBuffer(this.handle));
  }
  /** The values as JavaScript numbers (int64 converted, 16-bit floats decoded). */
  toNumbers(): number[] {
    const d = this.dtype;
    if (d === 'float16' || d === 'bfloat16') {
      const f = native.to(this.handle, null, dtypeCode('float32'), false);
      try {
        return Array.from(new Float32Array(native.toBuffer(f)));
      } finally {
        native.dispose(f);
      }
    }
    const a = this.toArray();
    return a instanceof BigInt64Array ? Array.from(a, Number) : Array.from(a as Float64Array);
  }
  /** The single value of a one-element tensor. */
  item(): number {
    return native.item(this.handle);
  }
  /** A short description: shape, dtype and device. */
  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device})`;
  }

  // ---- conversion ----
  /** Converts to a device ('cpu', 'cuda:0') or a dtype; returns this tensor's data unchanged (a new handle) when nothing changes. */
  to(target: string | { device?: string; dtype?: DType; copy?: boolean }): Tensor {
    if (typeof target === 'string') {
      if (isDType(target)) return new Tensor(native.to(this.handle, null, dtypeCode(target), false));
      return new Tensor(native.to(this.handle, target, null, false));
    }
    return new Tensor(
      native.to(this.handle, target.device ?? null, target.dtype ? dtypeCode(target.dtype) : null, !!target.copy),
    );
  }
  /** A copy with its own memory, still in the autograd graph (torch.Tensor.clone). */
  clone(): Tensor {
    return new Tensor(native.clone(this.handle));
  }
  /** Same data in the given memory layout; no copy when already laid out so. */
  contiguous(format: MemoryFormat = 'contiguous'): Tensor {
    return new Tensor(native.contiguous(this.handle, FORMAT_CODES[format]));
  }
  /** Whether the values are laid out contiguously in C order (torch.Tensor.is_contiguous). */
  isContiguous(format: MemoryFormat = 'contiguous'): boolean {
    return native.isContiguous(this.handle, FORMAT_CODES[format]);
  }
  /** Same data, cut from the autograd graph. */
  detach(): Tensor {
    return new Tensor(native.detach(this.handle));
  }
  /** This tensor as float32 (torch.Tensor.float). */
  float(): Tensor {
    return this.to('float32');
  }
  /** This tensor as float64 (torch.Tensor.double). */
  double(): Tensor {
    return this.to('float64');
  }
  /** This tensor as int64 (torch.Tensor.long). */
  long(): Tensor {
    return this.to('int64');
  }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return native.requiresGrad(this.handle);
  }
  set requiresGrad(v: boolean) {
    native.setRequiresGrad(this.handle, v);
  }
  /** Sets whether autograd records operations on this tensor; returns it (torch.Tensor.requires_grad_). */
  requiresGrad_(v = true): this {
    native.setRequiresGrad(this.handle, v);
    return this;
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.handle);
  }
  /** The accumulated gradient (a new handle on it each time; dispose it or read it inside tidy), or null. */
  get grad(): Tensor | null {
    const g = native.grad(this.handle);
    return g === null ? null : new Tensor(g);
  }
  set grad(g: Tensor | null) {
    native.setGrad(this.handle, g === null ? null : g.handle);
  }
  /** Keeps .grad for a non-leaf tensor. */
  retainGrad(): this {
    native.retainGrad(this.handle);
    return this;
  }
  /** Backpropagates from this tensor; gradients accumulate into the leaves' .grad until zeroGrad(). */
  backward(grad?: Tensor, options: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    native.backward(this.handle, grad?.handle ?? null, options.retainGraph ?? null, !!options.createGraph);
  }
  /** backward() on libuv's thread pool: the event loop keeps running. Do not touch the graph's tensors until it resolves. */
  async backwardAsync(grad?: Tensor, options: { retainGraph?: boolean } = {}): Promise<void> {
    await native.backwardAsync(this.handle, grad?.handle ?? null, options.retainGraph ?? null);
  }
  /** Drops the accumulated gradient (.grad becomes null, like PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    native.setGrad(this.handle, null);
  }

  // ---- in-place updates (no autograd tracking of leaves that require grad: use under noGrad) ----
  /** In place: this += alpha·other (torch.Tensor.add_); for optimizers and initialisers under `noGrad`. */
  add_(other: Operand, alpha?: number): this {
    native.add_(this.handle, h(other), alpha);
    return this;
  }
  /** In place: this −= alpha·other (torch.Tensor.sub_). */
  sub_(other: Operand, alpha?: number): this {
    native.sub_(this.handle, h(other), alpha);
    return this;
  }
  /** In place: this ·= other (torch.Tensor.mul_). */
  mul_(other: Operand): this {
    native.mul_(this.handle, h(other));
    return this;
  }
  /** In place: this /= other (torch.Tensor.div_). */
  div_(other: Operand): this {
    native.div_(this.handle, h(other));
    return this;
  }
  /** In place: this = this^exponent (torch.Tensor.pow_). */
  pow_(other: Operand): this {
    native.pow_(this.handle, h(other));
    return this;
  }
  /** this += value * a * b */
  addcmul_(a: Tensor, b: Tensor, value = 1): this {
    native.addcmul_(this.handle, a.handle, b.handle, value);
    return this;
  }
  /** this += value * a / b */
  addcdiv_(a: Tensor, b: Tensor, value = 1): this {
    native.addcdiv_(this.handle, a.handle, b.handle, value);
    return this;
  }
  /** this += weight * (end - this) */
  lerp_(end: Tensor, weight: Operand): this {
    native.lerp_(this.handle, end.handle, h(weight));
    return this;
  }
  /** In place: the values of `src` copied in, broadcasting and converting (torch.Tensor.copy_). */
  copy_(src: Tensor): this {
    native.copy_(this.handle, src.handle);
    return this;
  }
  /** In place: every value set to 0 (torch.Tensor.zero_). */
  zero_(): this {
    native.zero_(this.handle);
    return this;
  }
  /** In place: every value set to `value` (torch.Tensor.fill_). */
  fill_(value: number | boolean): this {
    native.fill_(this.handle, value);
    return this;
  }
  /** In place square root (torch.Tensor.sqrt_). */
  sqrt_(): this {
    native.sqrt_(this.handle);
    return this;
  }
  /** In place negation (torch.Tensor.neg_). */
  neg_(): this {
    native.neg_(this.handle);
    return this;
  }
  /** In place max(x, 0) (torch.Tensor.relu_). */
  relu_(): this {
    native.relu_(this.handle);
    return this;
  }
  /** In place clamp to [min, max] (torch.Tensor.clamp_). */
  clamp_(min: number | null = null, max: number | null = null): this {
    native.clamp_(this.handle, min, max);
    return this;
  }
  /** In place: `value` where `mask` is true (torch.Tensor.masked_fill_). */
  maskedFill_(mask: Tensor, value: number): this {
    native.maskedFill_(this.handle, mask.handle, value);
    return this;
  }
  /** In place: values drawn uniformly from [low, high) (torch.Tensor.uniform_). */
  uniform_(low = 0, high = 1): this {
    native.uniform_(this.handle, low, high);
    return this;
  }
  /** In place: values drawn from N(mean, std²) (torch.Tensor.normal_). */
  normal_(mean = 0, std = 1): this {
    native.normal_(this.handle, mean, std);
    return this;
  }

  // ---- methods mirroring ops.ts ----
  /** Elementwise `a + alpha·b`, broadcasting (torch.add). */
  add(o: Operand, alpha?: number): Tensor {
    return ops.add(this, o, alpha);
  }
  /** Elementwise `a − alpha·b`, broadcasting (torch.sub). */
  sub(o: Operand, alpha?: number): Tensor {
    return ops.sub(this, o, alpha);
  }
  /** Elementwise product, broadcasting (torch.mul). */
  mul(o: Operand): Tensor {
    return ops.mul(this, o);
  }
  /** Elementwise true division, broadcasting (torch.div). */
  div(o: Operand): Tensor {
    return ops.div(this, o);
  }
  /** Elementwise power `a^b` (torch.pow). */
  pow(o: Operand): Tensor {
    return ops.pow(this, o);
  }
  /** Elementwise remainder with the sign of the divisor, as Python's % (torch.remainder). */
  remainder(o: Operand): Tensor {
    return ops.remainder(this, o);
  }
  /** Elementwise maximum of two tensors (torch.maximum). */
  maximum(o: Operand): Tensor {
    return ops.maximum(this, o);
  }
  /** Elementwise minimum of two tensors (torch.minimum). */
  minimum(o: Operand): Tensor {
    return ops.minimum(this, o);
  }
  /** Elementwise `a == b` as a bool tensor (torch.eq). */
  eq(o: Operand): Tensor {
    return ops.eq(this, o);
  }
  /** Elementwise `a != b` as a bool tensor (torch.ne). */
  ne(o: Operand): Tensor {
    return ops.ne(this, o);
  }
  /** Elementwise `a < b` as a bool tensor (torch.lt). */
  lt(o: Operand): Tensor {
    return ops.lt(this, o);
  }
  /** Elementwise `a <= b` as a bool tensor (torch.le). */
  le(o: Operand): Tensor {
    return ops.le(this, o);
  }
  /** Elementwise `a > b` as a bool tensor (torch.gt). */
  gt(o: Operand): Tensor {
    return ops.gt(this, o);
  }
  /** Elementwise `a >= b` as a bool tensor (torch.ge). */
  ge(o: Operand): Tensor {
    return ops.ge(this, o);
  }
  /** Elementwise logical not (torch.logical_not). */
  logicalNot(): Tensor {
    return ops.logicalNot(this);
  }
  /** Elementwise negation (torch.neg). */
  neg(): Tensor {
    return ops.neg(this);
  }
  /** Elementwise eˣ (torch.exp). */
  exp(): Tensor {
    return ops.exp(this);
  }
  /** Elementwise natural logarithm (torch.log). */
  log(): Tensor {
    return ops.log(this);
  }
  /** Elementwise ln(1 + x), accurate near 0 (torch.log1p). */
  log1p(): Tensor {
    return ops.log1p(this);
  }
  /** Elementwise square root (torch.sqrt). */
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  /** Elementwise 1/√x (torch.rsqrt). */
  rsqrt(): Tensor {
    return ops.rsqrt(this);
  }
  /** Elementwise absolute value (torch.abs). */
  abs(): Tensor {
    return ops.abs(this);
  }
  /** Elementwise sign: −1, 0 or 1 (torch.sign). */
  sign(): Tensor {
    return ops.sign(this);
  }
  /** Elementwise sine (torch.sin). */
  sin(): Tensor {
    return ops.sin(this);
  }
  /** Elementwise cosine (torch.cos). */
  cos(): Tensor {
    return ops.cos(this);
  }
  /** Elementwise rounding down (torch.floor). */
  floor(): Tensor {
    return ops.floor(this);
  }
  /** Elementwise rounding up (torch.ceil). */
  ceil(): Tensor {
    return ops.ceil(this);
  }
  /** Elementwise rounding to the nearest integer, halves to even (torch.round). */
  round(): Tensor {
    return ops.round(this);
  }
  /** Elementwise 1/x (torch.reciprocal). */
  reciprocal(): Tensor {
    return ops.reciprocal(this);
  }
  /** Elementwise x² (torch.square). */
  square(): Tensor {
    return ops.square(this);
  }
  /** Elementwise logistic sigmoid 1/(1 + e⁻ˣ) (torch.sigmoid). */
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  /** Elementwise hyperbolic tangent (torch.tanh). */
  tanh(): Tensor {
    return ops.tanh(this);
  }
  /** Elementwise max(x, 0) (torch.relu). */
  relu(): Tensor {
    return ops.relu(this);
  }
  /** Elementwise x, or negativeSlope·x below 0 (torch.nn.functional.leaky_relu). */
  leakyRelu(slope?: number): Tensor {
    return ops.leakyRelu(this, slope);
  }
  /** Gaussian error linear unit, exact or with the tanh approximation (torch.nn.functional.gelu). */
  gelu(options?: ops.GeluOptions): Tensor {
    return ops.gelu(this, options);
  }
  /** Softmax along `dim`, optionally computed in `dtype` (torch.softmax). */
  softmax(dim: number): Tensor {
    return ops.softmax(this, dim);
  }
  /** Log-softmax along `dim`, computed stably (torch.log_softmax). */
  logSoftmax(dim: number): Tensor {
    return ops.logSoftmax(this, dim);
  }
  /** Values limited to [min, max]; null leaves that side open (torch.clamp). */
  clamp(min?: Operand | null, max?: Operand | null): Tensor {
    return ops.clamp(this, min, max);
  }
  /** `x` with `value` where `mask` is true (torch.masked_fill). */
  maskedFill(mask: Tensor, value: Operand): Tensor {
    return ops.maskedFill(this, mask, value);
  }

  /** Sum over all values or along dimensions (torch.sum). */
  sum(o?: ops.ReduceArg): Tensor {
    return ops.sum(this, o);
  }
  /** Mean over all values or along dimensions (torch.mean). */
  mean(o?: ops.ReduceArg): Tensor {
    return ops.mean(this, o);
  }
  /** Product over all values or along a dimension (torch.prod). */
  prod(o?: ops.DimArg): Tensor {
    return ops.prod(this, o);
  }
  /** The maximum of all values, or {values, indices} along a dimension (torch.max). */
  max(): Tensor;
  /** The maximum of all values, or {values, indices} along a dimension (torch.max). */
  max(o: ops.DimArg): ops.ValuesIndices;
  /** The maximum of all values, or {values, indices} along a dimension (torch.max). */
  max(o?: ops.DimArg): Tensor | ops.ValuesIndices {
    return o === undefined ? ops.max(this) : ops.max(this, o);
  }
  /** The minimum of all values, or {values, indices} along a dimension (torch.min). */
  min(): Tensor;
  /** The minimum of all values, or {values, indices} along a dimension (torch.min). */
  min(o: ops.DimArg): ops.ValuesIndices;
  /** The minimum of all values, or {values, indices} along a dimension (torch.min). */
  min(o?: ops.DimArg): Tensor | ops.ValuesIndices {
    return o === undefined ? ops.min(this) : ops.min(this, o);
  }
  /** Maximum along dimensions, without indices (torch.amax). */
  amax(o?: ops.ReduceArg): Tensor {
    return ops.amax(this, o);
  }
  /** Minimum along dimensions, without indices (torch.amin). */
  amin(o?: ops.ReduceArg): Tensor {
    return ops.amin(this, o);
  }
  /** Index of the maximum (of the flattened tensor when no dim) (torch.argmax). */
  argmax(o?: ops.DimArg): Tensor {
    return ops.argmax(this, o);
  }
  /** Index of the minimum (of the flattened tensor when no dim) (torch.argmin). */
  argmin(o?: ops.DimArg): Tensor {
    return ops.argmin(this, o);
  }
  /** Standard deviation; correction 1 (default) is the unbiased estimator (torch.std). */
  std(o?: ops.VarArg): Tensor {
    return ops.std(this, o);
  }
  /** Variance; correction 1 (default) is the unbiased estimator (torch.var). */
  var(o?: ops.VarArg): Tensor {
    return ops.variance(this, o);
  }
  /** The p-norm over all values or along dimensions (torch.linalg.vector_norm). */
  norm(o?: ops.NormOptions): Tensor {
    return ops.norm(this, o);
  }
  /** Whether every value is true (non-zero), overall or along a dimension (torch.all). */
  all(o?: ops.DimArg): Tensor {
    return ops.all(this, o);
  }
  /** Whether any value is true (non-zero), overall or along a dimension (torch.any). */
  any(o?: ops.DimArg): Tensor {
    return ops.any(this, o);
  }
  /** Cumulative sum along a dimension (torch.cumsum). */
  cumsum(dim: number): Tensor {
    return ops.cumsum(this, dim);
  }
  /** Values sorted along a dimension, with their indices (torch.sort). */
  sort(dim = -1, descending = false): ops.ValuesIndices {
    return ops.sort(this, dim, descending);
  }
  /** The k largest (or smallest) values along a dimension, with their indices (torch.topk). */
  topk(k: number, dim = -1, largest = true): ops.ValuesIndices {
    return ops.topk(this, k, dim, largest);
  }
  /** ln Σ eˣ along dimensions, computed stably (torch.logsumexp). */
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor {
    return ops.logsumexp(this, dim, keepdim);
  }

  /** Matrix product with broadcasting over batch dimensions (torch.matmul). */
  matmul(o: Tensor): Tensor {
    return ops.matmul(this, o);
  }
  /** The same values in a new shape; one size may be −1 (torch.reshape). */
  reshape(shape: readonly number[]): Tensor {
    return ops.reshape(this, shape);
  }
  /** The same memory in a new shape; the tensor must be contiguous (torch.Tensor.view). */
  view(shape: readonly number[]): Tensor {
    return ops.view(this, shape);
  }
  /** Dimensions reordered (torch.permute). */
  permute(dims: readonly number[]): Tensor {
    return ops.permute(this, dims);
  }
  /** Two dimensions swapped (torch.transpose). */
  transpose(d0: number, d1: number): Tensor {
    return ops.transpose(this, d0, d1);
  }
  get T(): Tensor {
    return ops.transpose(this, -2, -1);
  }
  /** Size-1 dimensions removed (all, or the given one) (torch.squeeze). */
  squeeze(dim?: number): Tensor {
    return ops.squeeze(this, dim);
  }
  /** A size-1 dimension inserted at `dim` (torch.unsqueeze). */
  unsqueeze(dim: number): Tensor {
    return ops.unsqueeze(this, dim);
  }
  /** A broadcast view with size-1 dimensions repeated, without copying (torch.Tensor.expand). */
  expand(shape: readonly number[]): Tensor {
    return ops.expand(this, shape);
  }
  /** A broadcast view to the shape of `other` (torch.Tensor.expand_as). */
  expandAs(o: Tensor): Tensor {
    return ops.expand(this, o.shape);
  }
  /** Dimensions startDim..endDim merged into one (torch.flatten). */
  flatten(startDim = 0, endDim = -1): Tensor {
    return ops.flatten(this, startDim, endDim);
  }
  /** The tensor tiled `repeats` times along each dimension (torch.Tensor.repeat). */
  repeat(times: readonly number[]): Tensor {
    return ops.repeat(this, times);
  }
  /** Splits into parts of `size` (or the given sizes) along a dimension (torch.split). */
  split(sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
    return ops.split(this, sizeOrSizes, dim);
  }
  /** Splits into `chunks` nearly equal parts along a dimension (torch.chunk). */
  chunk(chunks: number, dim = 0): Tensor[] {
    return ops.chunk(this, chunks, dim);
  }
  /** The slices along a dimension, that dimension removed (torch.unbind). */
  unbind(dim = 0): Tensor[] {
    return ops.unbind(this, dim);
  }
  /** The range start..end (step) along a dimension, sharing memory (Python's x[start:end:step]). */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return ops.slice(this, dim, start, end, step);
  }
  /** The slice start..start+length along a dimension, sharing memory (torch.narrow). */
  narrow(dim: number, start: number, length: number): Tensor {
    return ops.narrow(this, dim, start, length);
  }
  /** The slice at `index` along a dimension, that dimension removed (torch.select). */
  select(dim: number, index: number): Tensor {
    return ops.select(this, dim, index);
  }
  /** The entries at `index` along a dimension (torch.index_select). */
  indexSelect(dim: number, index: Tensor): Tensor {
    return ops.indexSelect(this, dim, index);
  }
  /** Values picked along a dimension by an index tensor (torch.gather). */
  gather(dim: number, index: Tensor): Tensor {
    return ops.gather(this, dim, index);
  }
  /** A copy with `src` written at the positions `index` gives along a dimension (torch.scatter). */
  scatter(dim: number, index: Tensor, src: Operand): Tensor {
    return ops.scatter(this, dim, index, src);
  }
  /** The tensor reversed along the given dimensions (torch.flip). */
  flip(dims: number | readonly number[]): Tensor {
    return ops.flip(this, dims);
  }
  /** The tensor rolled (shifted with wrap-around) along dimensions (torch.roll). */
  roll(shifts: number | readonly number[], dims: number | readonly number[]): Tensor {
    return ops.roll(this, shifts, dims);
  }
}

/** The native argument for a tensor or a number. */
export function h(x: Operand): Handle | number {
  return typeof x === 'number' ? x : x.handle;
}

/** Wraps a native handle in a Tensor (which then owns it). */
export function wrap(handle: Handle): Tensor {
  return new Tensor(handle);
}

function nestedShape(data: Nested[]): number[] {
  const shape: number[] = [];
  let level: Nested = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0] as Nested;
  }
  const total = shape.reduce((a, b) => a * b, 1);
  const flatLength = flatten(data).length;
  if (flatLength !== total)
    throw new TypeError(
      `Tensor.from: nested arrays are ragged (shape [${shape.join(', ')}] needs ${total} values, got ${flatLength})`,
    );
  return shape;
}

function flatten(data: Nested[]): (number | boolean | bigint)[] {
  const out: (number | boolean | bigint)[] = [];
  const visit = (v: Nested): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else out.push(v);
  };
  visit(data);
  return out;
}
