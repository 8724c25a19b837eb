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

type Nested = number | boolean | bigint | Nested[];

/**
 * An n-dimensional array in libtorch, with autograd. Tensors own native memory: free it with
 * `dispose()` or create them inside `tidy()`; the garbage collector frees forgotten ones eventually.
 */
export class Tensor {
  #handle: Handle | null;
  #shape: number[] | undefined;

  /** Wraps a native handle (library-internal: use Tensor.from or the creation functions). */
  constructor(handle: Handle) {
    this.#handle = handle;
    track(this);
  }

  /** Copies `data` into a new tensor. `shape` defaults to the data's (nested arrays) or [length]. */
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

  /** The native handle (throws once disposed). */
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
  clone(): Tensor {
    return new Tensor(native.clone(this.handle));
  }
  /** Same data in the given memory layout; no copy when already laid out so. */
  contiguous(format: MemoryFormat = 'contiguous'): Tensor {
    return new Tensor(native.contiguous(this.handle, FORMAT_CODES[format]));
  }
  isContiguous(format: MemoryFormat = 'contiguous'): boolean {
    return native.isContiguous(this.handle, FORMAT_CODES[format]);
  }
  /** Same data, cut from the autograd graph. */
  detach(): Tensor {
    return new Tensor(native.detach(this.handle));
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
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
  add_(other: Operand, alpha?: number): this {
    native.add_(this.handle, h(other), alpha);
    return this;
  }
  sub_(other: Operand, alpha?: number): this {
    native.sub_(this.handle, h(other), alpha);
    return this;
  }
  mul_(other: Operand): this {
    native.mul_(this.handle, h(other));
    return this;
  }
  div_(other: Operand): this {
    native.div_(this.handle, h(other));
    return this;
  }
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
  copy_(src: Tensor): this {
    native.copy_(this.handle, src.handle);
    return this;
  }
  zero_(): this {
    native.zero_(this.handle);
    return this;
  }
  fill_(value: number | boolean): this {
    native.fill_(this.handle, value);
    return this;
  }
  sqrt_(): this {
    native.sqrt_(this.handle);
    return this;
  }
  neg_(): this {
    native.neg_(this.handle);
    return this;
  }
  relu_(): this {
    native.relu_(this.handle);
    return this;
  }
  clamp_(min: number | null = null, max: number | null = null): this {
    native.clamp_(this.handle, min, max);
    return this;
  }
  maskedFill_(mask: Tensor, value: number): this {
    native.maskedFill_(this.handle, mask.handle, value);
    return this;
  }
  uniform_(low = 0, high = 1): this {
    native.uniform_(this.handle, low, high);
    return this;
  }
  normal_(mean = 0, std = 1): this {
    native.normal_(this.handle, mean, std);
    return this;
  }

  // ---- methods mirroring ops.ts ----
  add(o: Operand, alpha?: number): Tensor {
    return ops.add(this, o, alpha);
  }
  sub(o: Operand, alpha?: number): Tensor {
    return ops.sub(this, o, alpha);
  }
  mul(o: Operand): Tensor {
    return ops.mul(this, o);
  }
  div(o: Operand): Tensor {
    return ops.div(this, o);
  }
  pow(o: Operand): Tensor {
    return ops.pow(this, o);
  }
  remainder(o: Operand): Tensor {
    return ops.remainder(this, o);
  }
  maximum(o: Operand): Tensor {
    return ops.maximum(this, o);
  }
  minimum(o: Operand): Tensor {
    return ops.minimum(this, o);
  }
  eq(o: Operand): Tensor {
    return ops.eq(this, o);
  }
  ne(o: Operand): Tensor {
    return ops.ne(this, o);
  }
  lt(o: Operand): Tensor {
    return ops.lt(this, o);
  }
  le(o: Operand): Tensor {
    return ops.le(this, o);
  }
  gt(o: Operand): Tensor {
    return ops.gt(this, o);
  }
  ge(o: Operand): Tensor {
    return ops.ge(this, o);
  }
  logicalNot(): Tensor {
    return ops.logicalNot(this);
  }
  neg(): Tensor {
    return ops.neg(this);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  log(): Tensor {
    return ops.log(this);
  }
  log1p(): Tensor {
    return ops.log1p(this);
  }
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  rsqrt(): Tensor {
    return ops.rsqrt(this);
  }
  abs(): Tensor {
    return ops.abs(this);
  }
  sign(): Tensor {
    return ops.sign(this);
  }
  sin(): Tensor {
    return ops.sin(this);
  }
  cos(): Tensor {
    return ops.cos(this);
  }
  floor(): Tensor {
    return ops.floor(this);
  }
  ceil(): Tensor {
    return ops.ceil(this);
  }
  round(): Tensor {
    return ops.round(this);
  }
  reciprocal(): Tensor {
    return ops.reciprocal(this);
  }
  square(): Tensor {
    return ops.square(this);
  }
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  tanh(): Tensor {
    return ops.tanh(this);
  }
  relu(): Tensor {
    return ops.relu(this);
  }
  leakyRelu(slope?: number): Tensor {
    return ops.leakyRelu(this, slope);
  }
  gelu(options?: ops.GeluOptions): Tensor {
    return ops.gelu(this, options);
  }
  softmax(dim: number): Tensor {
    return ops.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return ops.logSoftmax(this, dim);
  }
  clamp(min?: Operand | null, max?: Operand | null): Tensor {
    return ops.clamp(this, min, max);
  }
  maskedFill(mask: Tensor, value: Operand): Tensor {
    return ops.maskedFill(this, mask, value);
  }

  sum(o?: ops.ReduceArg): Tensor {
    return ops.sum(this, o);
  }
  mean(o?: ops.ReduceArg): Tensor {
    return ops.mean(this, o);
  }
  prod(o?: ops.DimArg): Tensor {
    return ops.prod(this, o);
  }
  max(): Tensor;
  max(o: ops.DimArg): ops.ValuesIndices;
  max(o?: ops.DimArg): Tensor | ops.ValuesIndices {
    return o === undefined ? ops.max(this) : ops.max(this, o);
  }
  min(): Tensor;
  min(o: ops.DimArg): ops.ValuesIndices;
  min(o?: ops.DimArg): Tensor | ops.ValuesIndices {
    return o === undefined ? ops.min(this) : ops.min(this, o);
  }
  amax(o?: ops.ReduceArg): Tensor {
    return ops.amax(this, o);
  }
  amin(o?: ops.ReduceArg): Tensor {
    return ops.amin(this, o);
  }
  argmax(o?: ops.DimArg): Tensor {
    return ops.argmax(this, o);
  }
  argmin(o?: ops.DimArg): Tensor {
    return ops.argmin(this, o);
  }
  std(o?: ops.VarArg): Tensor {
    return ops.std(this, o);
  }
  var(o?: ops.VarArg): Tensor {
    return ops.variance(this, o);
  }
  norm(o?: ops.NormOptions): Tensor {
    return ops.norm(this, o);
  }
  all(o?: ops.DimArg): Tensor {
    return ops.all(this, o);
  }
  any(o?: ops.DimArg): Tensor {
    return ops.any(this, o);
  }
  cumsum(dim: number): Tensor {
    return ops.cumsum(this, dim);
  }
  sort(dim = -1, descending = false): ops.ValuesIndices {
    return ops.sort(this, dim, descending);
  }
  topk(k: number, dim = -1, largest = true): ops.ValuesIndices {
    return ops.topk(this, k, dim, largest);
  }
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor {
    return ops.logsumexp(this, dim, keepdim);
  }

  matmul(o: Tensor): Tensor {
    return ops.matmul(this, o);
  }
  reshape(shape: readonly number[]): Tensor {
    return ops.reshape(this, shape);
  }
  view(shape: readonly number[]): Tensor {
    return ops.view(this, shape);
  }
  permute(dims: readonly number[]): Tensor {
    return ops.permute(this, dims);
  }
  transpose(d0: number, d1: number): Tensor {
    return ops.transpose(this, d0, d1);
  }
  get T(): Tensor {
    return ops.transpose(this, -2, -1);
  }
  squeeze(dim?: number): Tensor {
    return ops.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return ops.unsqueeze(this, dim);
  }
  expand(shape: readonly number[]): Tensor {
    return ops.expand(this, shape);
  }
  expandAs(o: Tensor): Tensor {
    return ops.expand(this, o.shape);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return ops.flatten(this, startDim, endDim);
  }
  repeat(times: readonly number[]): Tensor {
    return ops.repeat(this, times);
  }
  split(sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
    return ops.split(this, sizeOrSizes, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return ops.chunk(this, chunks, dim);
  }
  unbind(dim = 0): Tensor[] {
    return ops.unbind(this, dim);
  }
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return ops.slice(this, dim, start, end, step);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return ops.narrow(this, dim, start, length);
  }
  select(dim: number, index: number): Tensor {
    return ops.select(this, dim, index);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return ops.indexSelect(this, dim, index);
  }
  gather(dim: number, index: Tensor): Tensor {
    return ops.gather(this, dim, index);
  }
  scatter(dim: number, index: Tensor, src: Operand): Tensor {
    return ops.scatter(this, dim, index, src);
  }
  flip(dims: number | readonly number[]): Tensor {
    return ops.flip(this, dims);
  }
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
