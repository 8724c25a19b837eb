/**
 * Smooth displacement fields for the spatial transform, in voxels, shape (P..., n) with the last
 * axis in tensor axis order. They deform the output patch's coordinates before rotation and scaling
 * (nnU-Net's order), so both fold into the one grid_sample of the spatial transform.
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/index.js';
import { convolveAxis, gaussianKernel1d } from './gaussian.js';
import { signedUniformField } from './noise-fill.js';

export interface ElasticParams {
  /** Seed of the noise (recorded, so the field can be rebuilt). */
  seed: number;
  /** Magnitude: the field is alpha × (Gaussian-smoothed U(−1, 1) noise), as batchgenerators. */
  alpha: number;
  /** Smoothing σ in voxels. */
  sigma: number;
}

/**
 * batchgenerators' elastic field, alpha·G_σ * U(−1, 1) per component, computed on a grid s = ⌊σ/3⌋
 * times coarser (scaled by s^(−n/2) so the variance matches the full-resolution field) and
 * linearly upsampled: the field is smooth on that scale, and full-resolution smoothing of a 96³
 * patch would cost far more than the rest of the augmentation.
 */
export function elasticField(patch: readonly number[], p: ElasticParams, device = 'cpu'): Tensor {
  const n = patch.length;
  if (!(p.sigma > 0)) throw new RangeError(`elastic sigma must be > 0, got ${p.sigma}`);
  const step = Math.max(1, Math.floor(p.sigma / 3));
  const kernel = gaussianKernel1d(p.sigma / step, 3);
  const r = (kernel.length - 1) / 2;
  const coarse = patch.map((s) => Math.ceil((s - 1) / step) + 1);
  const noiseShape = coarse.map((m) => m + 2 * r);
  const count = n * noiseShape.reduce((a, b) => a * b, 1);
  return ve.tidy(() => {
    let f = ve.Tensor.from(signedUniformField(p.seed, count), [n, 1, ...noiseShape], { device });
    for (let axis = 0; axis < n; axis++) f = convolveAxis(f, axis, kernel, 'valid');
    f = f.mul(p.alpha * step ** (-n / 2));
    if (step > 1) {
      const mode = n === 2 ? 'bilinear' : 'trilinear';
      f = ve.interpolate(f, { size: coarse.map((m) => (m - 1) * step + 1), mode, alignCorners: true });
      for (let axis = 0; axis < n; axis++) f = ve.narrow(f, 2 + axis, 0, patch[axis]!);
    }
    return ve.permute(f.reshape([n, ...patch]), [...patch.map((_, i) => i + 1), 0]).contiguous();
  });
}

export interface GridDistortionParams {
  /** Per axis, the relative length of each of its cells (1 = unchanged). */
  factors: number[][];
}

/**
 * Grid distortion (albumentations' GridDistortion, per axis): the patch is cut into equal cells
 * along each axis and cell k is stretched by factors[axis][k]; the cells are then rescaled to
 * span the same extent. The displacement along an axis depends only on that axis' coordinate.
 */
export function gridDistortionField(patch: readonly number[], p: GridDistortionParams, device = 'cpu'): Tensor {
  const n = patch.length;
  return ve.tidy(() => {
    const components = patch.map((size, axis) => {
      const f = p.factors[axis] ?? [];
      const d = new Float32Array(size);
      if (f.length > 0 && size > 1) {
        const cell = (size - 1) / f.length;
        const knots = [0];
        for (const x of f) knots.push(knots[knots.length - 1]! + x * cell);
        const total = knots[knots.length - 1]!;
        for (let o = 0; o < size; o++) {
          const k = Math.min(f.length - 1, Math.floor(o / cell));
          const t = (o - k * cell) / cell;
          const x = ((knots[k]! + t * (knots[k + 1]! - knots[k]!)) * (size - 1)) / total;
          d[o] = x - o;
        }
      }
      const view = patch.map((_, a) => (a === axis ? size : 1));
      return ve.Tensor.from(d, view, { device }).expand([...patch]);
    });
    return ve.stack(components, n).contiguous();
  });
}
