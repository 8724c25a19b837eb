/** Separable Gaussian smoothing on engine tensors (N, C, ...spatial), one 1D convolution per axis. */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/index.js';

/** Normalised 1D Gaussian, radius round(truncate·σ) (scipy.ndimage's rule); σ = 0 gives [1]. */
export function gaussianKernel1d(sigma: number, truncate = 4): Float32Array {
  if (!(sigma >= 0)) throw new RangeError(`gaussian sigma must be >= 0, got ${sigma}`);
  const radius = Math.floor(truncate * sigma + 0.5);
  const k = new Float32Array(2 * radius + 1);
  if (radius === 0) {
    k[0] = 1;
    return k;
  }
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= total;
  return k;
}

export type SmoothPadding = 'reflect' | 'zeros' | 'valid';

/**
 * Convolves spatial axis `axis` (0 = first spatial axis) of x (N, C, ...spatial) with `kernel`
 * (odd length, centred). 'reflect' mirrors at the border (torch's reflect; replicate when the axis
 * is shorter than the radius), 'zeros' pads with zeros, 'valid' shrinks the axis by 2·radius.
 */
export function convolveAxis(
  x: Tensor,
  axis: number,
  kernel: Float32Array,
  padding: SmoothPadding = 'reflect',
): Tensor {
  if (kernel.length === 1 && kernel[0] === 1) return x;
  const shape = x.shape;
  const n = shape.length - 2;
  if (n < 1 || n > 3)
    throw new RangeError(`convolveAxis: expected (N, C, ...1-3 spatial axes), got [${shape.join(', ')}]`);
  const r = (kernel.length - 1) / 2;
  return ve.tidy(() => {
    let flat = x.reshape([shape[0]! * shape[1]!, 1, ...shape.slice(2)]);
    const pads = Array<number>(2 * n).fill(0);
    pads[2 * (n - 1 - axis)] = r;
    pads[2 * (n - 1 - axis) + 1] = r;
    if (padding === 'reflect') flat = ve.pad(flat, pads, r < shape[2 + axis]! ? 'reflect' : 'replicate');
    const wShape = Array<number>(n).fill(1);
    wShape[axis] = kernel.length;
    const w = ve.Tensor.from(kernel, [1, 1, ...wShape], { device: x.device }).to({ dtype: x.dtype });
    const convPad = Array<number>(n).fill(0);
    if (padding === 'zeros') convPad[axis] = r;
    const conv = n === 1 ? ve.conv1d : n === 2 ? ve.conv2d : ve.conv3d;
    const y = conv(flat, w, null, { padding: convPad });
    return y.reshape([shape[0]!, shape[1]!, ...y.shape.slice(2)]);
  });
}

/** Gaussian smoothing with one σ per spatial axis (voxels). */
export function gaussianSmooth(
  x: Tensor,
  sigmas: readonly number[],
  padding: SmoothPadding = 'reflect',
  truncate = 4,
): Tensor {
  return ve.tidy(() => {
    let y = x;
    sigmas.forEach((s, axis) => {
      y = convolveAxis(y, axis, gaussianKernel1d(s, truncate), padding);
    });
    return y === x ? x.clone() : y;
  });
}
