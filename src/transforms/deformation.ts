/**
 * Smooth displacement fields for the spatial transform, in voxels. They deform the output patch's
 * coordinates before rotation and scaling (nnU-Net's order), so both fold into the one grid_sample
 * of the spatial transform. `deformation()` hands the spatial transform the offsets already in
 * grid units: the linear map K = diag(2/S)·M commutes with the (linear) upsampling of the elastic
 * field, so it is applied on the coarse grid, and grid distortion is a sum of 1D functions.
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/index.js';
import { convolveAxis, gaussianKernel1d } from './gaussian.js';
import { signedUniformField } from './noise-fill.js';
import type { Matrix } from './spatial-math.js';

export interface ElasticParams {
  /** Seed of the noise (recorded, so the field can be rebuilt). */
  seed: number;
  /** Magnitude: the field is alpha × (Gaussian-smoothed U(−1, 1) noise), as batchgenerators. */
  alpha: number;
  /** Smoothing σ in voxels. */
  sigma: number;
}

export interface GridDistortionParams {
  /** Per axis, the relative length of each of its cells (1 = unchanged). */
  factors: number[][];
}

/**
 * batchgenerators' elastic field, alpha·G_σ * U(−1, 1) per component, computed on a grid s = ⌊σ/3⌋
 * times coarser (scaled by s^(−n/2) so the variance matches the full-resolution field); the field
 * is smooth on that scale, and full-resolution smoothing of a 96³ patch would cost far more than
 * the rest of the augmentation. Returns the coarse field (n, 1, m...) and the step s.
 */
function elasticCoarse(patch: readonly number[], p: ElasticParams, device: string): { field: Tensor; step: number } {
  const n = patch.length;
  if (!(p.sigma > 0)) throw new RangeError(`elastic sigma must be > 0, got ${p.sigma}`);
  const step = Math.max(1, Math.floor(p.sigma / 3));
  const kernel = gaussianKernel1d(p.sigma / step, 3);
  const r = (kernel.length - 1) / 2;
  const coarse = patch.map((s) => Math.ceil((s - 1) / step) + 1);
  const noiseShape = coarse.map((m) => m + 2 * r);
  const count = n * noiseShape.reduce((a, b) => a * b, 1);
  const field = ve.tidy(() => {
    let f = ve.Tensor.from(signedUniformField(p.seed, count), [n, 1, ...noiseShape], { device });
    for (let axis = 0; axis < n; axis++) f = convolveAxis(f, axis, kernel, 'valid');
    return f.mul(p.alpha * step ** (-n / 2));
  });
  return { field, step };
}

/** (c, 1, m...) coarse → (c, 1, ...patch): linear upsampling by `step` (coarse point k at voxel k·step). */
function upsample(f: Tensor, patch: readonly number[], step: number): Tensor {
  if (step === 1) return f;
  const n = patch.length;
  const coarse = f.shape.slice(2);
  let up = ve.interpolate(f, {
    size: coarse.map((m) => (m - 1) * step + 1),
    mode: n === 2 ? 'bilinear' : 'trilinear',
    alignCorners: true,
  });
  for (let axis = 0; axis < n; axis++) up = ve.narrow(up, 2 + axis, 0, patch[axis]!);
  return up;
}

/** The elastic displacement (P..., n) in voxels, last axis in tensor axis order. */
export function elasticField(patch: readonly number[], p: ElasticParams, device = 'cpu'): Tensor {
  const n = patch.length;
  return ve.tidy(() => {
    const { field, step } = elasticCoarse(patch, p, device);
    const f = upsample(field, patch, step);
    return ve.permute(f.reshape([n, ...patch]), [...patch.map((_, i) => i + 1), 0]).contiguous();
  });
}

/**
 * Grid distortion (albumentations' GridDistortion, per axis): the patch is cut into equal cells
 * along each axis and cell k is stretched by factors[axis][k]; the cells are then rescaled to span
 * the same extent. Returns, per axis, the displacement along that axis as a function of its coordinate.
 */
export function gridDistortion1d(patch: readonly number[], p: GridDistortionParams): Float32Array[] {
  return patch.map((size, axis) => {
    const f = p.factors[axis] ?? [];
    const d = new Float32Array(size);
    if (f.length === 0 || size < 2) return d;
    const cell = (size - 1) / f.length;
    const knots = [0];
    for (const x of f) knots.push(knots[knots.length - 1]! + x * cell);
    const total = knots[knots.length - 1]!;
    for (let o = 0; o < size; o++) {
      const k = Math.min(f.length - 1, Math.floor(o / cell));
      const t = (o - k * cell) / cell;
      d[o] = ((knots[k]! + t * (knots[k + 1]! - knots[k]!)) * (size - 1)) / total - o;
    }
    return d;
  });
}

/** The grid distortion displacement (P..., n) in voxels, last axis in tensor axis order. */
export function gridDistortionField(patch: readonly number[], p: GridDistortionParams, device = 'cpu'): Tensor {
  const n = patch.length;
  return ve.tidy(() => {
    const components = gridDistortion1d(patch, p).map((d, axis) =>
      ve.Tensor.from(
        d,
        patch.map((s, a) => (a === axis ? s : 1)),
        { device },
      ).expand([...patch]),
    );
    return ve.stack(components, n).contiguous();
  });
}

export interface Deformation {
  /** Largest |displacement| per axis (voxels, tensor order): bounds the source region read. */
  dmax: number[];
  /** The displacement mapped by K (tensor order, n×n) into grid offsets (1, P..., n), grid (x, y, z) order. */
  gridOffsets(k: Matrix): Tensor;
}

/** The patch deformation (elastic + grid distortion), or null when there is none. */
export function deformation(
  patch: readonly number[],
  elastic: ElasticParams | undefined,
  grid: GridDistortionParams | undefined,
  device: string,
): Deformation | null {
  if (!elastic && !grid) return null;
  const n = patch.length;
  const coarse = elastic ? elasticCoarse(patch, elastic, device) : null;
  const lines = grid ? gridDistortion1d(patch, grid) : null;
  const dmax = Array<number>(n).fill(0);
  if (coarse) {
    // linear interpolation never exceeds the coarse values
    const m = ve.tidy(() =>
      ve.amax(ve.abs(coarse.field), { dim: [...Array(n + 1).keys()].map((i) => i + 1) }).toNumbers(),
    );
    m.forEach((v, j) => (dmax[j]! += v));
  }
  if (lines) lines.forEach((d, j) => (dmax[j]! += d.reduce((a, v) => Math.max(a, Math.abs(v)), 0)));
  return {
    dmax,
    gridOffsets(k) {
      // grid component gi is tensor axis n−1−gi: A[gi][j] = K[n−1−gi][j]
      const a = Array.from({ length: n }, (_, gi) => k[n - 1 - gi]!);
      return ve.tidy(() => {
        let out: Tensor | null = null;
        if (coarse) {
          const mixed = ve.matmul(ve.Tensor.from(a.flat(), [n, n], { device }), coarse.field.reshape([n, -1]));
          const up = upsample(mixed.reshape([n, 1, ...coarse.field.shape.slice(2)]), patch, coarse.step);
          out = ve.permute(up.reshape([n, ...patch]), [...patch.map((_, i) => i + 1), 0]).unsqueeze(0);
        }
        if (lines) {
          for (let j = 0; j < n; j++) {
            const d = lines[j]!;
            const term = ve.Tensor.from(
              Float32Array.from({ length: d.length * n }, (_, q) => d[Math.floor(q / n)]! * a[q % n]![j]!),
              [1, ...patch.map((s, ax) => (ax === j ? s : 1)), n],
              { device },
            );
            out = out ? out.add(term) : term.expand([1, ...patch, n]);
          }
        }
        return out!.contiguous();
      });
    },
  };
}
