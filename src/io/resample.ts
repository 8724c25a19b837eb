/**
 * Resampling in world space: each output voxel centre is mapped to the input's continuous index
 * through both images' geometry, then interpolated (nearest for labels, trilinear for intensities).
 * Extra axes (channels, time) are resampled one block at a time with the same mapping.
 *
 * Out-of-field rule (ITK's): a continuous index is inside when -0.5 <= index < n - 0.5 on every
 * axis; trilinear interpolation clamps its neighbours to the edge voxels. Outside points get `fill`.
 */
import { dtypeOf, voxelCount, type Image, type Mat3, type Vec3 } from './image.js';
import { apply, invert, multiply } from './matrix.js';
import { allocate } from './voxels.js';
import { ShapeError } from '../util/errors.js';

export type Interpolation = 'nearest' | 'linear';

/** The geometry of a target grid: `Image` minus the voxels. */
export type Grid = Pick<Image, 'shape' | 'spacing' | 'origin' | 'direction'>;

export interface ResampleOptions {
  interpolation?: Interpolation;
  /** Value for output voxels outside the input's field of view (default 0). */
  fill?: number;
}

/**
 * Resamples `image` onto `grid` (only its first three axes are used; the input's extra axes are kept).
 * Nearest keeps the dtype; linear gives float32 (float64 for float64 input).
 */
export function resampleOnto(image: Image, grid: Grid, options: ResampleOptions = {}): Image {
  const interpolation = options.interpolation ?? 'linear';
  const fill = options.fill ?? 0;
  const outShape = [grid.shape[0] ?? 1, grid.shape[1] ?? 1, grid.shape[2] ?? 1];
  if (outShape.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new ShapeError(`resample target shape must be positive integers, got [${grid.shape.join(', ')}]`);
  }
  // index_in = M · index_out + b, with M = (D_in S_in)^-1 · D_out S_out.
  const toInput = invert(scaledDirection(image.direction, image.spacing));
  const m = multiply(toInput, scaledDirection(grid.direction, grid.spacing));
  const b = apply(toInput, [
    grid.origin[0] - image.origin[0],
    grid.origin[1] - image.origin[1],
    grid.origin[2] - image.origin[2],
  ]);

  const [ni, nj, nk] = image.shape as [number, number, number];
  const inSpatial = ni * nj * nk;
  const extra = image.shape.slice(3);
  const blocks = voxelCount(extra);
  const [oi, oj, ok] = outShape as [number, number, number];
  const outSpatial = oi * oj * ok;
  const inType = dtypeOf(image.data);
  const outType = interpolation === 'nearest' ? inType : inType === 'float64' ? 'float64' : 'float32';
  const out = allocate(outType, outSpatial * blocks);
  const src = image.data;
  const hi = [ni - 0.5, nj - 0.5, nk - 0.5];

  let o = 0;
  for (let k = 0; k < ok; k++) {
    for (let j = 0; j < oj; j++) {
      let x = m[1] * j + m[2] * k + b[0];
      let y = m[4] * j + m[5] * k + b[1];
      let z = m[7] * j + m[8] * k + b[2];
      for (let i = 0; i < oi; i++, o++, x += m[0], y += m[3], z += m[6]) {
        if (!(x >= -0.5 && x < hi[0]! && y >= -0.5 && y < hi[1]! && z >= -0.5 && z < hi[2]!)) {
          for (let blk = 0; blk < blocks; blk++) out[o + blk * outSpatial] = fill;
          continue;
        }
        if (interpolation === 'nearest') {
          const s = clampRound(x, ni) + ni * (clampRound(y, nj) + nj * clampRound(z, nk));
          for (let blk = 0; blk < blocks; blk++) out[o + blk * outSpatial] = src[s + blk * inSpatial]!;
          continue;
        }
        const x0 = Math.floor(x),
          y0 = Math.floor(y),
          z0 = Math.floor(z);
        const fx = x - x0,
          fy = y - y0,
          fz = z - z0;
        const xa = clamp(x0, ni),
          xb = clamp(x0 + 1, ni);
        const ya = clamp(y0, nj) * ni,
          yb = clamp(y0 + 1, nj) * ni;
        const za = clamp(z0, nk) * ni * nj,
          zb = clamp(z0 + 1, nk) * ni * nj;
        for (let blk = 0; blk < blocks; blk++) {
          const off = blk * inSpatial;
          const c00 = src[off + xa + ya + za]! * (1 - fx) + src[off + xb + ya + za]! * fx;
          const c10 = src[off + xa + yb + za]! * (1 - fx) + src[off + xb + yb + za]! * fx;
          const c01 = src[off + xa + ya + zb]! * (1 - fx) + src[off + xb + ya + zb]! * fx;
          const c11 = src[off + xa + yb + zb]! * (1 - fx) + src[off + xb + yb + zb]! * fx;
          const c0 = c00 * (1 - fy) + c10 * fy;
          const c1 = c01 * (1 - fy) + c11 * fy;
          out[o + blk * outSpatial] = c0 * (1 - fz) + c1 * fz;
        }
      }
    }
  }
  return {
    data: out,
    shape: [oi, oj, ok, ...extra],
    spacing: [...grid.spacing] as Vec3,
    origin: [...grid.origin] as Vec3,
    direction: [...grid.direction] as Mat3,
    meta: { ...image.meta },
  };
}

/**
 * Resamples to a new voxel spacing over the same field: same origin (centre of the first voxel) and
 * direction, shape max(1, round(n · spacing / target)) per axis.
 */
export function resampleToSpacing(image: Image, spacing: readonly number[], options: ResampleOptions = {}): Image {
  if (spacing.length !== 3 || spacing.some((s) => !(s > 0) || !Number.isFinite(s))) {
    throw new ShapeError(`target spacing must be three positive numbers, got [${spacing.join(', ')}]`);
  }
  const shape = [0, 1, 2].map((a) => Math.max(1, Math.round((image.shape[a]! * image.spacing[a]!) / spacing[a]!)));
  return resampleOnto(
    image,
    { shape, spacing: [...spacing] as Vec3, origin: image.origin, direction: image.direction },
    options,
  );
}

function scaledDirection(direction: Mat3, spacing: Vec3): Mat3 {
  return direction.map((v, n) => v * spacing[n % 3]!) as Mat3;
}

function clamp(v: number, n: number): number {
  return v < 0 ? 0 : v >= n ? n - 1 : v;
}

function clampRound(v: number, n: number): number {
  return clamp(Math.round(v), n);
}
