/**
 * Quantized tensors and libtorch's int8 kernels (native/src/quantized.cpp). A quantized tensor is a
 * Tensor like any other (dispose it, or create it inside tidy) whose values are integers with a scale
 * and zero point: real = scale · (q − zeroPoint). Activations are quint8 per tensor (asymmetric);
 * weights qint8 per output channel (symmetric), as PyTorch's static quantization does. The int8
 * kernels run on libtorch's oneDNN quantized engine (FBGEMM where a libtorch has it; never QNNPACK
 * on x86, where it is slower than fp32).
 *
 * Most element-wise tensor methods do not apply to quantized tensors; use dequantize() first.
 */
import { native } from './native.js';
import { Tensor } from './tensor.js';

export type QuantizedDType = 'quint8' | 'qint8';

/** A quantized tensor's parameters: per tensor (scale, zeroPoint) or per channel (axis). */
export interface QuantizedInfo {
  dtype: QuantizedDType | 'qint32';
  scale?: number;
  zeroPoint?: number;
  axis?: number;
}

/** Weights prepacked for an int8 kernel (opaque; free them with release()). */
export class PackedWeights {
  #boxed: unknown;
  /** Wraps a native prepacked object; made by `prepackConv` and `prepackLinear`, not by callers. */
  constructor(
    boxed: unknown,
    readonly kind: 'conv' | 'convTranspose' | 'linear',
    readonly dims: number,
  ) {
    this.#boxed = boxed;
  }

  /** The native object (throws after release()). */
  get boxed(): unknown {
    if (this.#boxed === null) throw new Error('prepacked weights used after release()');
    return this.#boxed;
  }

  /** Frees the native weights (idempotent). */
  release(): void {
    if (this.#boxed !== null) native.releaseBoxed(this.#boxed);
    this.#boxed = null;
  }
}

function unwrap(value: unknown): unknown {
  if (value instanceof Tensor) return value.handle;
  if (value instanceof PackedWeights) return value.boxed;
  if (Array.isArray(value)) return value.map(unwrap);
  return value;
}

/**
 * Calls a libtorch operator by name ("quantized::cat", "aten::dequantize") with its schema's
 * arguments; tensors in and out are Tensors. For operators without a wrapper here.
 */
export function callOp(name: string, overload: string, args: readonly unknown[]): unknown {
  const out = native.callOp(name, overload, args.map(unwrap));
  if (Array.isArray(out)) return out.map((h) => (isHandle(h) ? new Tensor(h) : h));
  return isHandle(out) ? new Tensor(out as never) : out;
}

/** Operators return tensor handles, numbers, booleans, undefined, or opaque prepacked weights. */
function isHandle(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !native.isBoxed(v);
}

const tensorOp = (name: string, overload: string, args: readonly unknown[]) => callOp(name, overload, args) as Tensor;

/** The quantized engine in use and those this libtorch supports. */
export function quantizedEngine(): { engine: string; supported: string[] } {
  return native.quantizedEngine();
}

/** real → round(real / scale) + zeroPoint, saturated to the dtype's range. */
export const quantizePerTensor = (x: Tensor, scale: number, zeroPoint: number, dtype: QuantizedDType = 'quint8') =>
  tensorOp('aten::quantize_per_tensor', '', [x, scale, zeroPoint, dtype]);

/** Per-channel quantization along `axis` (scales float64/float32, zero points int64). */
export const quantizePerChannel = (
  x: Tensor,
  scales: Tensor,
  zeroPoints: Tensor,
  axis: number,
  dtype: QuantizedDType = 'qint8',
) => tensorOp('aten::quantize_per_channel', '', [x, scales, zeroPoints, axis, dtype]);

/** The real values of a quantized tensor, as float32. */
export const dequantize = (x: Tensor) => new Tensor(native.qdequantize(x.handle));

/** The stored integers (uint8 / int8). */
export const intRepr = (x: Tensor) => tensorOp('aten::int_repr', '', [x]);

/** Scale and zero point of a quantized tensor; null for an ordinary one. */
export function quantizedInfo(x: Tensor): QuantizedInfo | null {
  return native.quantizedInfo(x.handle);
}

/** Whether `x` is a quantized tensor. */
export const isQuantized = (x: Tensor): boolean => quantizedInfo(x) !== null;

export interface QConvOptions {
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
  /** Transposed convolution (then outputPadding applies). */
  transposed?: boolean;
  outputPadding?: number[];
}

/** Prepacks quantized weights (qint8, zero point 0) and a float bias for quantized convolution. */
export function prepackConv(weight: Tensor, bias: Tensor | null, o: QConvOptions): PackedWeights {
  const dims = weight.ndim - 2;
  if (dims !== 2 && dims !== 3)
    throw new RangeError(`quantized convolution is 2D or 3D, got a ${weight.ndim}-D weight`);
  const boxed = o.transposed
    ? callOp(`quantized::conv_transpose${dims}d_prepack`, '', [
        weight,
        bias,
        o.stride,
        o.padding,
        o.outputPadding ?? o.padding.map(() => 0),
        o.dilation,
        o.groups,
      ])
    : callOp(`quantized::conv${dims}d_prepack`, '', [weight, bias, o.stride, o.padding, o.dilation, o.groups]);
  return new PackedWeights(boxed, o.transposed ? 'convTranspose' : 'conv', dims);
}

/** Quantized convolution (optionally fused with ReLU): quint8 in, quint8 out with the given parameters. */
export function qconv(x: Tensor, packed: PackedWeights, scale: number, zeroPoint: number, relu = false): Tensor {
  if (packed.kind === 'convTranspose') {
    if (relu) throw new RangeError('quantized transposed convolution has no fused ReLU');
    return tensorOp(`quantized::conv_transpose${packed.dims}d`, '', [x, packed, scale, zeroPoint]);
  }
  return tensorOp(`quantized::conv${packed.dims}d${relu ? '_relu' : ''}`, 'new', [x, packed, scale, zeroPoint]);
}

/** Prepacks a qint8 weight [out, in] (and float bias) for `qlinear`. */
export function prepackLinear(weight: Tensor, bias: Tensor | null): PackedWeights {
  return new PackedWeights(callOp('quantized::linear_prepack', '', [weight, bias]), 'linear', 0);
}

/** Quantized linear layer (optionally fused with ReLU): quint8 in, quint8 out with the given parameters. */
export function qlinear(x: Tensor, packed: PackedWeights, scale: number, zeroPoint: number, relu = false): Tensor {
  return tensorOp(`quantized::linear${relu ? '_relu' : ''}`, '', [x, packed, scale, zeroPoint]);
}

export type NormActivation = 'none' | 'relu' | 'leakyrelu';

/**
 * Group normalisation of a quint8 tensor (instance norm: groups = channels) with its affine and an
 * activation, straight to quint8 with the given output parameters (one pass for the statistics, one
 * vectorised affine step per element).
 */
export function qnormAct(
  x: Tensor,
  groups: number,
  weight: Tensor | null,
  bias: Tensor | null,
  o: { eps: number; activation?: NormActivation; negativeSlope?: number; scale: number; zeroPoint: number },
): Tensor {
  const act = o.activation === 'relu' ? 1 : o.activation === 'leakyrelu' ? 2 : 0;
  return new Tensor(
    native.qnormAct(
      x.handle,
      groups,
      weight?.handle ?? null,
      bias?.handle ?? null,
      o.eps,
      act,
      o.negativeSlope ?? 0.01,
      o.scale,
      o.zeroPoint,
    ),
  );
}

/**
 * Concatenation of quint8 tensors (N, C_i, ...) along the channels, requantized to the given output
 * parameters: a channels-last quint8 tensor (4-D or 5-D inputs).
 */
export function qcat(xs: readonly Tensor[], scale: number, zeroPoint: number): Tensor {
  return new Tensor(
    native.qcat(
      xs.map((x) => x.handle),
      scale,
      zeroPoint,
    ),
  );
}
