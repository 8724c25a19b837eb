/**
 * Puts a label image on a reference series' grid: as is when its voxel centres are the series' voxel
 * centres, by an exact permutation/flip of axes when they are the same points indexed another way
 * (a NIfTI converted from the series, in RAS or LAS order), by nearest-neighbour resampling only when
 * asked. Anything else is an error: a SEG must not silently move a label.
 */
import { ShapeError } from '../../../util/errors.js';
import { orientationCode } from '../../geometry.js';
import { indexToWorld, type Image } from '../../image.js';
import { axisMapping, permuteAxes } from '../../reorient.js';
import { type Grid, resampleOnto } from '../../resample.js';

/** Voxel centres closer than this fraction of the smallest spacing are the same voxel. */
const TOLERANCE = 0.05;

const fmt = (v: readonly number[]) => `[${v.map((x) => Number(x.toFixed(3))).join(', ')}]`;

/** Largest distance (mm) between corresponding corner voxel centres of two grids of the same shape. */
export function cornerDistance(a: Grid, b: Grid): number {
  const [ni, nj, nk] = [a.shape[0]! - 1, a.shape[1]! - 1, a.shape[2]! - 1];
  let worst = 0;
  for (const i of [0, ni]) {
    for (const j of [0, nj]) {
      for (const k of [0, nk]) {
        const p = indexToWorld(a, [i, j, k]);
        const q = indexToWorld(b, [i, j, k]);
        worst = Math.max(worst, Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]));
      }
    }
  }
  return worst;
}

function sameGrid(a: Grid, b: Grid): boolean {
  if ([0, 1, 2].some((d) => (a.shape[d] ?? 1) !== (b.shape[d] ?? 1))) return false;
  const tolerance = TOLERANCE * Math.min(...b.spacing.slice(0, 3).filter((_s, d) => (b.shape[d] ?? 1) > 1 || d < 2));
  return cornerDistance(a, b) <= tolerance;
}

function describe(g: Grid): string {
  return `shape ${fmt(g.shape.slice(0, 3))}, spacing ${fmt(g.spacing)}, origin ${fmt(g.origin)}, orientation ${orientationCode(g.direction)}`;
}

/**
 * The label on `grid` (the reference's voxel order and exact geometry). With `resample`, a label on
 * another grid is resampled (nearest neighbour, outside = 0); without it that is a ShapeError.
 */
export function fitToGrid(label: Image, grid: Grid, options: { resample?: boolean; what?: string } = {}): Image {
  const exact = (image: Image): Image => ({
    ...image,
    spacing: [...grid.spacing],
    origin: [...grid.origin],
    direction: [...grid.direction],
  });
  if (sameGrid(label, grid)) return exact(label);
  const mapping = axisMapping(orientationCode(label.direction), orientationCode(grid.direction));
  const permuted = permuteAxes(label, mapping);
  if (sameGrid(permuted, grid)) return exact(permuted);
  if (options.resample) return resampleOnto(label, grid, { interpolation: 'nearest', fill: 0 });
  throw new ShapeError(
    `${options.what ?? 'label'} does not lie on the reference series' grid (label: ${describe(label)}; series: ${describe(grid)}): resample it onto the series (--resample) or predict on the series itself`,
  );
}
