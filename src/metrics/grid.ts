import type { Image, Vec3 } from '../io/image.js';
import { ShapeError } from '../util/errors.js';

/** The spatial lattice a mask lives on: three axis sizes (fastest first) and the voxel spacing in mm. */
export interface Grid {
  shape: Vec3;
  spacing: Vec3;
}

/** The grid of a label map or mask image; images with channel/time axes beyond k are refused. */
export function gridOf(image: Pick<Image, 'shape' | 'spacing'>, what = 'image'): Grid {
  const extra = image.shape.slice(3);
  if (extra.some((n) => n !== 1)) {
    throw new ShapeError(`${what}: expected a single-channel label map, got shape [${image.shape.join(', ')}]`);
  }
  const [ni = 1, nj = 1, nk = 1] = image.shape;
  return { shape: [ni, nj, nk], spacing: [...image.spacing] as Vec3 };
}

/**
 * Axes that carry extent: those with more than one voxel. A 2D image (k = 1) has two, so its
 * "surface" is a contour and its k spacing plays no part in distances or surface areas.
 */
export function activeAxes(grid: Grid): number[] {
  const axes = [0, 1, 2].filter((a) => grid.shape[a]! > 1);
  return axes.length > 0 ? axes : [0];
}

/** Volume of one voxel in mm³ (the product of all three spacings, as ITK reports it). */
export function voxelVolume(grid: Grid): number {
  return grid.spacing[0] * grid.spacing[1] * grid.spacing[2];
}

/**
 * The physical diagonal of the image's field of view, √Σ (n_a·s_a)² over the active axes: strictly larger
 * than any distance between two voxel centres of the image, so it is the worst case for distance metrics.
 */
export function physicalDiagonal(grid: Grid): number {
  let sum = 0;
  for (const a of activeAxes(grid)) sum += (grid.shape[a]! * grid.spacing[a]!) ** 2;
  return Math.sqrt(sum);
}
