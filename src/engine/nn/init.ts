/**
 * Weight initialisers with torch.nn.init's formulas. All work in place under noGrad, draw from
 * libtorch's generator (seed with manualSeed) and return the tensor.
 */
import { noGrad } from '../autograd.js';
import { Tensor } from '../tensor.js';

export type Nonlinearity = 'linear' | 'conv' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** torch.nn.init.calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
  }
}

/**
 * fan_in / fan_out as torch computes them: dim 1 and dim 0 times the receptive field. For a
 * transposed convolution (weight [in, out/groups, k...]) this makes fan_in = out/groups · k, as in torch.
 */
export function calculateFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new RangeError(`fan in/out need at least 2 dimensions, got shape [${shape.join(', ')}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

export interface KaimingOptions {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' }: KaimingOptions): number {
  const fans = calculateFans(t.shape);
  const fan = mode === 'fan_in' ? fans.fanIn : fans.fanOut;
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/** U(−b, b) with b = gain·√(3/fan). PyTorch's default conv/linear weight init is a = √5 (b = 1/√fan_in). */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform_(t, -bound, bound);
}

/** N(0, std²) with std = gain/√fan. */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, options));
}

/**
 * PyTorch's default initialisation of convolution and linear layers (their `reset_parameters`):
 * weight kaiming-uniform with a = √5, bias uniform in ±1/√fan_in (0 when fan_in is 0).
 */
export function defaultLayerInit_(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = calculateFans(weight.shape);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}

/** U(−a, a) with a = gain·√(6/(fan_in + fan_out)) (torch.nn.init.xavier_uniform_). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFans(t.shape);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}

/** N(0, std²) with std = gain·√(2/(fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFans(t.shape);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** In place, without autograd: values drawn from U(lo, hi) (torch.nn.init.uniform_). */
export function uniform_(t: Tensor, lo = 0, hi = 1): Tensor {
  noGrad(() => t.uniform_(lo, hi));
  return t;
}

/** In place, without autograd: values drawn from N(mean, std²) (torch.nn.init.normal_). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  noGrad(() => t.normal_(mean, std));
  return t;
}

/** In place, without autograd: every value set to `value` (torch.nn.init.constant_). */
export function constant_(t: Tensor, value: number): Tensor {
  noGrad(() => t.fill_(value));
  return t;
}

/** In place, without autograd: zeros (torch.nn.init.zeros_). */
export function zeros_(t: Tensor): Tensor {
  noGrad(() => t.zero_());
  return t;
}

/** In place, without autograd: ones (torch.nn.init.ones_). */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/**
 * N(mean, std²) truncated to [a, b] (torch.nn.init.trunc_normal_, absolute bounds), by the
 * inverse-CDF method: uniform in [Φ(α), Φ(β)] mapped through Φ⁻¹ (Φ⁻¹(u) = √2·erfinv(2u − 1)).
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  const cdf = (x: number) => (1 + erf((x - mean) / std / Math.SQRT2)) / 2;
  const lo = cdf(a);
  const hi = cdf(b);
  noGrad(() => {
    t.uniform_(2 * lo - 1, 2 * hi - 1);
    const values = t.toArray() as Float32Array | Float64Array;
    const out = new (values.constructor as Float64ArrayConstructor)(values.length);
    for (let i = 0; i < values.length; i++) {
      out[i] = Math.min(b, Math.max(a, mean + std * Math.SQRT2 * erfinv(values[i]!)));
    }
    const src = tensorLike(t, out);
    t.copy_(src);
    src.dispose();
  });
  return t;
}

function tensorLike(t: Tensor, data: Float32Array | Float64Array): Tensor {
  return Tensor.from(data, t.shape, { dtype: t.dtype });
}

/** Error function to double precision: Taylor series near 0, continued fraction for erfc in the tails. */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let sum = x;
    let term = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + ...)))), evaluated bottom-up.
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/** Inverse error function: a rational first guess refined by Newton steps on erf. */
function erfinv(y: number): number {
  if (y <= -1) return -Infinity;
  if (y >= 1) return Infinity;
  const w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    const v = w - 2.5;
    let p = 2.81022636e-8;
    for (const c of [
      3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727,
      1.50140941,
    ])
      p = c + p * v;
    x = p * y;
  } else {
    const v = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    for (const c of [
      0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406,
      2.83297682,
    ])
      p = c + p * v;
    x = p * y;
  }
  for (let i = 0; i < 2; i++) {
    const err = erf(x) - y;
    x -= err / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
  }
  return x;
}
