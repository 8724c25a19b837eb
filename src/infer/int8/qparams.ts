/**
 * Quantization parameters, as PyTorch's static quantization chooses them: activations quint8 affine
 * over the calibrated range widened to include 0 (so zero padding is exact), weights qint8 symmetric
 * per output channel (zero point 0, as oneDNN requires), transposed convolutions' weights per tensor
 * (libtorch's oneDNN path does not take per-channel weights there).
 */
import * as ve from '../../engine/index.js';
import { quantizePerChannel, quantizePerTensor } from '../../engine/quantized.js';
import type { Tensor } from '../../engine/tensor.js';

export interface ValueRange {
  min: number;
  max: number;
}

export interface ActivationParams {
  scale: number;
  zeroPoint: number;
}

const EPS = 1e-8;

/** quint8 parameters covering [min, max] ∪ {0}. */
export function activationParams(range: ValueRange): ActivationParams {
  const lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  const scale = Math.max((hi - lo) / 255, EPS);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zeroPoint };
}

/** qint8 symmetric per channel along `axis` (scale = max|w| / 127 per channel). */
export function quantizeWeightPerChannel(w: Tensor, axis: number): Tensor {
  return ve.tidy(() => {
    const dims = [...Array(w.ndim).keys()].filter((d) => d !== axis);
    const scales = ve.amax(ve.abs(w), { dim: dims }).div(127).clamp(EPS).to('float64');
    const zeros = ve.zeros([w.shape[axis]!], { dtype: 'int64' });
    return ve.keep(quantizePerChannel(w.contiguous(), scales, zeros, axis, 'qint8'));
  });
}

/** qint8 symmetric per tensor. */
export function quantizeWeightPerTensor(w: Tensor): Tensor {
  const maxAbs = ve.tidy(() => ve.abs(w).max().item() as number);
  return quantizePerTensor(w.contiguous(), Math.max(maxAbs / 127, EPS), 0, 'qint8');
}
