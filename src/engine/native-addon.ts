/**
 * The functions the C++ addon exports (`VES_DEF` in native/src/*.cpp), typed from each function's
 * argument parsing in that file. test/engine/native-addon.test.ts checks that this interface and the
 * loaded addon list the same names. An argument the C++ side reads with `IsAbsent` (undefined, null or
 * missing) is `Maybe<T>`; the readers that take "an integer or an array of integers" are `Ints`.
 */
import type { AnyTypedArray } from './dtype.js';
import type { InterpolateMode } from './functional.js';
import type { CpuCacheStats } from './memory.js';
import type { PadMode, QuantileInterpolation } from './ops.js';

/** An opaque native tensor handle (a Node-API external). */
export type Handle = { readonly __vesaliusHandle: unique symbol };
/** An opaque c10d process group (distributed.cpp). */
export type ProcessGroupHandle = { readonly __vesaliusProcessGroup: unique symbol };

/** Absent: the C++ side treats undefined, null and a missing argument alike. */
type Maybe<T> = T | null | undefined;
/** `Ints` in common.cpp: one integer, or an array of them. */
type Ints = number | readonly number[];
/** A dtype code (dtype.ts `dtypeCode`, common.cpp `DTypeOf`). */
type DTypeCode = number;
/** A tensor, or a number/boolean taken as a scalar (math.cpp `Operand`, common.cpp `Scal`). */
type Operand = Handle | number | boolean;
/** A libtorch reduction (loss.cpp): 0 none, 1 mean, 2 sum. */
type ReductionCode = 0 | 1 | 2;
/** tensor.cpp `FormatOf`: 0 contiguous, 1 channels-last, 2 channels-last-3d, 3 preserve. */
type MemoryFormatCode = 0 | 1 | 2 | 3;
/** [values, indices] (or [values, counts] for unique). */
type Pair = [Handle, Handle];

/** What `stats()` reports: this context's live handles, and process-wide allocator figures. */
export interface NativeStats {
  liveTensors: number;
  liveBytes: number;
  /** glibc's mallinfo2 (glibc 2.33 and later only) */
  mallocInUse?: number;
  /** absent when the caching allocator is off (VESALIUS_CPU_CACHE=0) */
  cpuCache?: CpuCacheStats;
}

export interface NativeAddon {
  // ---- tensor.cpp: lifetime, data in/out, metadata, autograd state, settings ----
  fromBuffer(
    data: AnyTypedArray,
    shape: Ints,
    dtype: DTypeCode,
    device?: Maybe<string>,
    requiresGrad?: Maybe<boolean>,
  ): Handle;
  toBuffer(t: Handle): ArrayBuffer;
  dispose(t: Handle): void;
  shareBuffer(t: Handle): ArrayBuffer;
  shape(t: Handle): number[];
  strides(t: Handle): number[];
  dtype(t: Handle): DTypeCode;
  device(t: Handle): string;
  item(t: Handle): number;
  requiresGrad(t: Handle): boolean;
  setRequiresGrad(t: Handle, requiresGrad: boolean): void;
  isLeaf(t: Handle): boolean;
  grad(t: Handle): Handle | null;
  setGrad(t: Handle, grad?: Maybe<Handle>): void;
  retainGrad(t: Handle): void;
  backward(t: Handle, grad?: Maybe<Handle>, retainGraph?: Maybe<boolean>, createGraph?: Maybe<boolean>): void;
  to(t: Handle, device?: Maybe<string>, dtype?: Maybe<DTypeCode>, copy?: Maybe<boolean>): Handle;
  clone(t: Handle): Handle;
  detach(t: Handle): Handle;
  contiguous(t: Handle, format?: Maybe<MemoryFormatCode>): Handle;
  isContiguous(t: Handle, format?: Maybe<MemoryFormatCode>): boolean;
  setGradEnabled(enabled: boolean): void;
  isGradEnabled(): boolean;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  manualSeed(seed: number): void;
  getRngState(): Handle;
  setRngState(state: Handle): void;
  cudaDeviceCount(): number;
  stats(): NativeStats;
  /** Bytes the CPU cache gave back to the operating system. */
  emptyCache(): number;
  setErrorClass(errorClass: new (message: string) => Error): void;
  version(): { torch: string; parallel: string; config: string };
  setAutocast(enabled: boolean, dtype?: Maybe<DTypeCode>): void;
  isAutocast(): boolean;

  // ---- creation.cpp ----
  zeros(shape: Ints, dtype?: Maybe<DTypeCode>, device?: Maybe<string>, requiresGrad?: Maybe<boolean>): Handle;
  ones(shape: Ints, dtype?: Maybe<DTypeCode>, device?: Maybe<string>, requiresGrad?: Maybe<boolean>): Handle;
  empty(shape: Ints, dtype?: Maybe<DTypeCode>, device?: Maybe<string>, requiresGrad?: Maybe<boolean>): Handle;
  rand(shape: Ints, dtype?: Maybe<DTypeCode>, device?: Maybe<string>, requiresGrad?: Maybe<boolean>): Handle;
  randn(shape: Ints, dtype?: Maybe<DTypeCode>, device?: Maybe<string>, requiresGrad?: Maybe<boolean>): Handle;
  full(
    shape: Ints,
    value: number | boolean,
    dtype?: Maybe<DTypeCode>,
    device?: Maybe<string>,
    requiresGrad?: Maybe<boolean>,
  ): Handle;
  /** int64 unless a dtype is given */
  randint(low: number, high: number, shape: Ints, dtype?: Maybe<DTypeCode>, device?: Maybe<string>): Handle;
  arange(start: number, end: number, step: number, dtype?: Maybe<DTypeCode>, device?: Maybe<string>): Handle;
  linspace(start: number, end: number, steps: number, dtype?: Maybe<DTypeCode>, device?: Maybe<string>): Handle;
  eye(n: number, m: number, dtype?: Maybe<DTypeCode>, device?: Maybe<string>): Handle;
  zerosLike(t: Handle, dtype?: Maybe<DTypeCode>): Handle;
  onesLike(t: Handle, dtype?: Maybe<DTypeCode>): Handle;
  fullLike(t: Handle, value: number | boolean, dtype?: Maybe<DTypeCode>): Handle;
  randLike(t: Handle, dtype?: Maybe<DTypeCode>): Handle;
  randnLike(t: Handle, dtype?: Maybe<DTypeCode>): Handle;
  /** in place; returns `t` */
  uniform_(t: Handle, low: number, high: number): Handle;
  /** in place; returns `t` */
  normal_(t: Handle, mean: number, std: number): Handle;
  /** draws with the probabilities in `t`, or with the constant `p` when it is a number */
  bernoulli(t: Handle, p?: Maybe<number>): Handle;
  multinomial(probabilities: Handle, numSamples: number, replacement: boolean): Handle;
  randperm(n: number, device?: Maybe<string>): Handle;

  // ---- math.cpp: elementwise, comparisons, activations, products, in-place updates ----
  add(a: Operand, b: Operand, alpha?: Maybe<number>): Handle;
  sub(a: Operand, b: Operand, alpha?: Maybe<number>): Handle;
  mul(a: Operand, b: Operand): Handle;
  div(a: Operand, b: Operand): Handle;
  floorDiv(a: Operand, b: Operand): Handle;
  pow(a: Operand, b: Operand): Handle;
  remainder(a: Operand, b: Operand): Handle;
  maximum(a: Operand, b: Operand): Handle;
  minimum(a: Operand, b: Operand): Handle;
  atan2(a: Operand, b: Operand): Handle;
  eq(a: Operand, b: Operand): Handle;
  ne(a: Operand, b: Operand): Handle;
  lt(a: Operand, b: Operand): Handle;
  le(a: Operand, b: Operand): Handle;
  gt(a: Operand, b: Operand): Handle;
  ge(a: Operand, b: Operand): Handle;
  logicalAnd(a: Operand, b: Operand): Handle;
  logicalOr(a: Operand, b: Operand): Handle;
  logicalXor(a: Operand, b: Operand): Handle;
  // The products parse numbers too (the same binary macro), but libtorch refuses 0-d operands for them.
  matmul(a: Handle, b: Handle): Handle;
  bmm(a: Handle, b: Handle): Handle;
  mm(a: Handle, b: Handle): Handle;
  outer(a: Handle, b: Handle): Handle;
  dot(a: Handle, b: Handle): Handle;
  neg(x: Handle): Handle;
  exp(x: Handle): Handle;
  expm1(x: Handle): Handle;
  log(x: Handle): Handle;
  log1p(x: Handle): Handle;
  log2(x: Handle): Handle;
  sqrt(x: Handle): Handle;
  rsqrt(x: Handle): Handle;
  abs(x: Handle): Handle;
  sign(x: Handle): Handle;
  sin(x: Handle): Handle;
  cos(x: Handle): Handle;
  tan(x: Handle): Handle;
  floor(x: Handle): Handle;
  ceil(x: Handle): Handle;
  round(x: Handle): Handle;
  trunc(x: Handle): Handle;
  reciprocal(x: Handle): Handle;
  square(x: Handle): Handle;
  sigmoid(x: Handle): Handle;
  tanh(x: Handle): Handle;
  relu(x: Handle): Handle;
  relu6(x: Handle): Handle;
  silu(x: Handle): Handle;
  softplus(x: Handle): Handle;
  mish(x: Handle): Handle;
  logSigmoid(x: Handle): Handle;
  logicalNot(x: Handle): Handle;
  isnan(x: Handle): Handle;
  isfinite(x: Handle): Handle;
  erf(x: Handle): Handle;
  leakyRelu(x: Handle, negativeSlope: number): Handle;
  elu(x: Handle, alpha: number): Handle;
  prelu(x: Handle, weight: Handle): Handle;
  hardtanh(x: Handle, min: number, max: number): Handle;
  gelu(x: Handle, tanhApproximation?: Maybe<boolean>): Handle;
  softmax(x: Handle, dim: number, dtype?: Maybe<DTypeCode>): Handle;
  logSoftmax(x: Handle, dim: number, dtype?: Maybe<DTypeCode>): Handle;
  where(condition: Handle, a: Operand, b: Operand): Handle;
  /** Both bounds are numbers (or absent), or both are tensors (or absent): a mix is refused. */
  clamp(x: Handle, min?: Maybe<number | boolean>, max?: Maybe<number | boolean>): Handle;
  clamp(x: Handle, min: Maybe<Handle>, max?: Maybe<Handle>): Handle;
  linear(x: Handle, weight: Handle, bias?: Maybe<Handle>): Handle;
  einsum(equation: string, tensors: readonly Handle[]): Handle;
  cdist(a: Handle, b: Handle, p: number): Handle;
  maskedFill(x: Handle, mask: Handle, value: Operand): Handle;
  lerp(a: Handle, b: Handle, weight: Operand): Handle;
  // In-place updates return their first argument.
  add_(x: Handle, other: Operand, alpha?: Maybe<number>): Handle;
  sub_(x: Handle, other: Operand, alpha?: Maybe<number>): Handle;
  mul_(x: Handle, other: Operand): Handle;
  div_(x: Handle, other: Operand): Handle;
  pow_(x: Handle, other: Operand): Handle;
  addcmul_(x: Handle, a: Handle, b: Handle, value?: Maybe<number>): Handle;
  addcdiv_(x: Handle, a: Handle, b: Handle, value?: Maybe<number>): Handle;
  lerp_(x: Handle, end: Handle, weight: Operand): Handle;
  copy_(x: Handle, src: Handle): Handle;
  zero_(x: Handle): Handle;
  fill_(x: Handle, value: number | boolean): Handle;
  sqrt_(x: Handle): Handle;
  neg_(x: Handle): Handle;
  relu_(x: Handle): Handle;
  clamp_(x: Handle, min?: Maybe<number | boolean>, max?: Maybe<number | boolean>): Handle;
  maskedFill_(x: Handle, mask: Handle, value: number | boolean): Handle;

  // ---- reduce.cpp: an absent dimension reduces over everything ----
  sum(x: Handle, dims?: Maybe<Ints>, keepdim?: Maybe<boolean>, dtype?: Maybe<DTypeCode>): Handle;
  mean(x: Handle, dims?: Maybe<Ints>, keepdim?: Maybe<boolean>, dtype?: Maybe<DTypeCode>): Handle;
  prod(x: Handle, dim?: Maybe<number>, keepdim?: Maybe<boolean>): Handle;
  max(x: Handle, dim?: null): Handle;
  max(x: Handle, dim: number, keepdim?: Maybe<boolean>): Pair;
  min(x: Handle, dim?: null): Handle;
  min(x: Handle, dim: number, keepdim?: Maybe<boolean>): Pair;
  argmax(x: Handle, dim?: Maybe<number>, keepdim?: Maybe<boolean>): Handle;
  argmin(x: Handle, dim?: Maybe<number>, keepdim?: Maybe<boolean>): Handle;
  amax(x: Handle, dims?: Maybe<Ints>, keepdim?: Maybe<boolean>): Handle;
  amin(x: Handle, dims?: Maybe<Ints>, keepdim?: Maybe<boolean>): Handle;
  /** correction defaults to 1 (the unbiased estimator) */
  std(x: Handle, dims?: Maybe<Ints>, correction?: Maybe<number>, keepdim?: Maybe<boolean>): Handle;
  var(x: Handle, dims?: Maybe<Ints>, correction?: Maybe<number>, keepdim?: Maybe<boolean>): Handle;
  logsumexp(x: Handle, dims: Ints, keepdim?: Maybe<boolean>): Handle;
  norm(x: Handle, p: number, dims?: Maybe<Ints>, keepdim?: Maybe<boolean>): Handle;
  all(x: Handle, dim?: Maybe<number>, keepdim?: Maybe<boolean>): Handle;
  any(x: Handle, dim?: Maybe<number>, keepdim?: Maybe<boolean>): Handle;
  cumsum(x: Handle, dim: number): Handle;
  countNonzero(x: Handle, dims?: Maybe<Ints>): Handle;
  sort(x: Handle, dim: number, descending: boolean): Pair;
  topk(x: Handle, k: number, dim: number, largest: boolean): Pair;
  /** [sorted distinct values, counts] */
  unique(x: Handle): Pair;
  bincount(x: Handle, weights?: Maybe<Handle>, minlength?: Maybe<number>): Handle;
  quantile(
    x: Handle,
    q: Handle | number,
    dim?: Maybe<number>,
    keepdim?: Maybe<boolean>,
    interpolation?: Maybe<QuantileInterpolation>,
  ): Handle;
  median(x: Handle, dim?: null): Handle;
  median(x: Handle, dim: number, keepdim?: Maybe<boolean>): Pair;
  histc(x: Handle, bins: number, min: number, max: number): Handle;
  allclose(a: Handle, b: Handle, rtol: number, atol: number, equalNan: boolean): boolean;
  isclose(a: Handle, b: Handle, rtol: number, atol: number, equalNan: boolean): Handle;
  equal(a: Handle, b: Handle): boolean;

  // ---- shape.cpp ----
  reshape(x: Handle, shape: Ints): Handle;
  view(x: Handle, shape: Ints): Handle;
  permute(x: Handle, dims: Ints): Handle;
  transpose(x: Handle, dim0: number, dim1: number): Handle;
  movedim(x: Handle, source: Ints, destination: Ints): Handle;
  squeeze(x: Handle, dim?: Maybe<number>): Handle;
  unsqueeze(x: Handle, dim: number): Handle;
  expand(x: Handle, shape: Ints): Handle;
  flatten(x: Handle, startDim: number, endDim: number): Handle;
  repeat(x: Handle, times: Ints): Handle;
  tile(x: Handle, times: Ints): Handle;
  cat(tensors: readonly Handle[], dim: number): Handle;
  stack(tensors: readonly Handle[], dim: number): Handle;
  /** a number splits into chunks of that size, an array gives each size */
  split(x: Handle, sizeOrSizes: Ints, dim: number): Handle[];
  chunk(x: Handle, chunks: number, dim: number): Handle[];
  unbind(x: Handle, dim: number): Handle[];
  slice(x: Handle, dim: number, start?: Maybe<number>, end?: Maybe<number>, step?: Maybe<number>): Handle;
  narrow(x: Handle, dim: number, start: number, length: number): Handle;
  select(x: Handle, dim: number, index: number): Handle;
  indexSelect(x: Handle, dim: number, index: Handle): Handle;
  gather(x: Handle, dim: number, index: Handle): Handle;
  scatter(x: Handle, dim: number, index: Handle, src: Operand): Handle;
  scatterAdd(x: Handle, dim: number, index: Handle, src: Handle): Handle;
  indexAdd(x: Handle, dim: number, index: Handle, src: Handle): Handle;
  maskedSelect(x: Handle, mask: Handle): Handle;
  nonzero(x: Handle): Handle;
  flip(x: Handle, dims: Ints): Handle;
  roll(x: Handle, shifts: Ints, dims: Ints): Handle;
  tril(x: Handle, diagonal?: Maybe<number>): Handle;
  triu(x: Handle, diagonal?: Maybe<number>): Handle;
  /** `value` is read for the constant mode only */
  pad(x: Handle, pads: Ints, mode: PadMode, value?: Maybe<number>): Handle;
  oneHot(x: Handle, numClasses?: Maybe<number>): Handle;
  meshgrid(tensors: readonly Handle[]): Handle[];

  // ---- nn.cpp: 1d/2d/3d from the weight's rank or the kernel's length ----
  conv(
    x: Handle,
    weight: Handle,
    bias: Maybe<Handle>,
    stride: Ints,
    padding: Ints | 'same' | 'valid',
    dilation: Ints,
    groups: number,
  ): Handle;
  convTranspose(
    x: Handle,
    weight: Handle,
    bias: Maybe<Handle>,
    stride: Ints,
    padding: Ints,
    outputPadding: Ints,
    groups: number,
    dilation: Ints,
  ): Handle;
  maxPool(x: Handle, kernel: Ints, stride: Ints, padding: Ints, dilation: Ints, ceilMode: boolean): Handle;
  /** 2d/3d only */
  maxPoolWithIndices(x: Handle, kernel: Ints, stride: Ints, padding: Ints, dilation: Ints, ceilMode: boolean): Pair;
  avgPool(
    x: Handle,
    kernel: Ints,
    stride: Ints,
    padding: Ints,
    ceilMode: boolean,
    countIncludePad: boolean,
    divisorOverride?: Maybe<number>,
  ): Handle;
  adaptiveAvgPool(x: Handle, outputSize: Ints): Handle;
  adaptiveMaxPool(x: Handle, outputSize: Ints): Handle;
  batchNorm(
    x: Handle,
    weight: Maybe<Handle>,
    bias: Maybe<Handle>,
    runningMean: Maybe<Handle>,
    runningVar: Maybe<Handle>,
    training: boolean,
    momentum: number,
    eps: number,
  ): Handle;
  instanceNorm(
    x: Handle,
    weight: Maybe<Handle>,
    bias: Maybe<Handle>,
    runningMean: Maybe<Handle>,
    runningVar: Maybe<Handle>,
    useInputStats: boolean,
    momentum: number,
    eps: number,
  ): Handle;
  groupNorm(x: Handle, groups: number, weight: Maybe<Handle>, bias: Maybe<Handle>, eps: number): Handle;
  layerNorm(x: Handle, normalizedShape: Ints, weight: Maybe<Handle>, bias: Maybe<Handle>, eps: number): Handle;
  /** channelwise zeroes whole channels (Dropout2d/3d) */
  dropout(x: Handle, p: number, training: boolean, channelwise?: Maybe<boolean>): Handle;
  /** one size or scale stands for every spatial dimension */
  interpolate(
    x: Handle,
    size: Maybe<Ints>,
    scaleFactors: Maybe<number | readonly number[]>,
    mode: InterpolateMode,
    alignCorners?: Maybe<boolean>,
  ): Handle;
  affineGrid(theta: Handle, size: Ints, alignCorners: boolean): Handle;
  /** mode 0 bilinear, 1 nearest, 2 bicubic; padding 0 zeros, 1 border, 2 reflection */
  gridSample(x: Handle, grid: Handle, mode: 0 | 1 | 2, padding: 0 | 1 | 2, alignCorners: boolean): Handle;
  embedding(weight: Handle, indices: Handle): Handle;
  pixelShuffle(x: Handle, upscale: number): Handle;

  // ---- loss.cpp ----
  crossEntropy(
    logits: Handle,
    target: Handle,
    weight: Maybe<Handle>,
    reduction: ReductionCode,
    ignoreIndex: number,
    labelSmoothing: number,
  ): Handle;
  nllLoss(
    logProbs: Handle,
    target: Handle,
    weight: Maybe<Handle>,
    reduction: ReductionCode,
    ignoreIndex: number,
  ): Handle;
  bceWithLogits(
    logits: Handle,
    target: Handle,
    weight: Maybe<Handle>,
    posWeight: Maybe<Handle>,
    reduction: ReductionCode,
  ): Handle;
  bce(probabilities: Handle, target: Handle, weight: Maybe<Handle>, reduction: ReductionCode): Handle;
  mseLoss(input: Handle, target: Handle, reduction: ReductionCode): Handle;
  l1Loss(input: Handle, target: Handle, reduction: ReductionCode): Handle;
  smoothL1Loss(input: Handle, target: Handle, reduction: ReductionCode, beta: number): Handle;
  huberLoss(input: Handle, target: Handle, reduction: ReductionCode, delta: number): Handle;
  klDiv(input: Handle, target: Handle, reduction: ReductionCode, logTarget: boolean): Handle;

  // ---- async.cpp: on libuv's thread pool; the tensors involved must not be used until it settles ----
  backwardAsync(t: Handle, grad?: Maybe<Handle>, retainGraph?: Maybe<boolean>): Promise<void>;
  convAsync(
    x: Handle,
    weight: Handle,
    bias: Maybe<Handle>,
    stride: Ints,
    padding: Ints,
    dilation: Ints,
    groups: number,
  ): Promise<Handle>;
  matmulAsync(a: Handle, b: Handle): Promise<Handle>;

  // ---- quantized.cpp: libtorch operators by name (int8 kernels), prepacked weights, fused int8 norm ----
  /** Returns a tensor handle, a list of them, a number, a boolean, undefined or an opaque Boxed value. */
  callOp(name: string, overload: Maybe<string>, args: readonly unknown[]): unknown;
  releaseBoxed(boxed: unknown): void;
  isBoxed(value: unknown): boolean;
  quantizedEngine(): { engine: string; supported: string[] };
  quantizedInfo(
    t: Handle,
  ): { dtype: 'quint8' | 'qint8' | 'qint32'; scale?: number; zeroPoint?: number; axis?: number } | null;
  qnormAct(
    x: Handle,
    groups: number,
    weight: Maybe<Handle>,
    bias: Maybe<Handle>,
    eps: number,
    activation: 0 | 1 | 2,
    negativeSlope: number,
    outScale: number,
    outZeroPoint: number,
  ): Handle;
  qcat(xs: Handle[], outScale: number, outZeroPoint: number): Handle;
  qdequantize(x: Handle): Handle;

  // ---- distributed.cpp: c10d (TCPStore + ProcessGroupGloo); collectives on libuv's pool ----
  distInit(
    rank: number,
    worldSize: number,
    host: string,
    port: number,
    timeoutMs: number,
    networkInterface?: Maybe<string>,
  ): Promise<ProcessGroupHandle>;
  allReduceGradients(group: ProcessGroupHandle, params: readonly Handle[], bucketBytes: number): Promise<void>;
  allReduce(group: ProcessGroupHandle, tensors: readonly Handle[], mean?: Maybe<boolean>): Promise<void>;
  broadcast(group: ProcessGroupHandle, tensors: readonly Handle[], root: number): Promise<void>;
  barrier(group: ProcessGroupHandle): Promise<void>;
  distDestroy(group: ProcessGroupHandle): void;
}
