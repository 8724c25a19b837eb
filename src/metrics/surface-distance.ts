import type { Vec3 } from '../io/image.js';
import { squaredDistanceTransform } from './distance-transform.js';
import { emptinessOf, type Emptiness } from './empty-policy.js';
import { physicalDiagonal, type Grid } from './grid.js';
import { percentileOfSorted } from '../util/percentile.js';
import { extractSurface, type Surface } from './surface.js';

/** Surface-distance metrics of one class, in mm (NSD is a fraction). */
export interface SurfaceDistances {
  /** Hausdorff distance: the largest surface-to-surface distance in either direction. */
  hd: number;
  /** max(P95 of pred→gt distances, P95 of gt→pred distances). */
  hd95: number;
  /** Average symmetric surface distance: the mean over the union of both directions' distances. */
  assd: number;
  /** Normalised surface Dice at `tolerance` mm: area-weighted fraction of both surfaces within tolerance of the other. */
  nsd: number;
  emptiness: Emptiness;
}

export interface SurfaceDistanceOptions {
  /** NSD tolerance τ in mm (default 1). */
  tolerance?: number;
  /** The percentile of the "robust" Hausdorff distance (default 95). */
  percentile?: number;
}

/**
 * HD, HD95, ASSD and NSD between the surfaces (see surface.ts) of two binary masks on `grid`.
 * Percentiles interpolate linearly (numpy's default). Empty masks follow EMPTY_MASK_POLICY:
 * both empty → 0 mm and NSD 1; one empty → the image's physical diagonal and NSD 0.
 */
export function surfaceDistances(
  pred: Uint8Array,
  gt: Uint8Array,
  grid: Grid,
  options: SurfaceDistanceOptions = {},
): SurfaceDistances {
  const tolerance = options.tolerance ?? 1;
  const q = options.percentile ?? 95;
  const sp = extractSurface(pred, grid);
  const sg = extractSurface(gt, grid);
  const emptiness = emptinessOf(sp.indices.length, sg.indices.length);
  if (emptiness === 'both-empty') return { hd: 0, hd95: 0, assd: 0, nsd: 1, emptiness };
  if (emptiness !== 'none') {
    const worst = physicalDiagonal(grid);
    return { hd: worst, hd95: worst, assd: worst, nsd: 0, emptiness };
  }
  const predToGt = directedDistances(sp, sg, grid);
  const gtToPred = directedDistances(sg, sp, grid);
  const sortedPG = Float64Array.from(predToGt).sort();
  const sortedGP = Float64Array.from(gtToPred).sort();
  const hd = Math.max(sortedPG[sortedPG.length - 1]!, sortedGP[sortedGP.length - 1]!);
  const hd95 = Math.max(percentileOfSorted(sortedPG, q), percentileOfSorted(sortedGP, q));
  let sum = 0;
  for (const x of predToGt) sum += x;
  for (const x of gtToPred) sum += x;
  const assd = sum / (predToGt.length + gtToPred.length);
  let within = 0;
  for (let e = 0; e < predToGt.length; e++) if (predToGt[e]! <= tolerance) within += sp.areas[e]!;
  for (let e = 0; e < gtToPred.length; e++) if (gtToPred[e]! <= tolerance) within += sg.areas[e]!;
  const nsd = within / (sp.totalArea + sg.totalArea);
  return { hd, hd95, assd, nsd, emptiness };
}

/**
 * For every element of `from`, the distance (mm) to the nearest element of `to` (both non-empty).
 * The distance transform runs on the bounding box of both surfaces only: every site and every query
 * lies inside it, so the cropped transform is exact and far cheaper for small structures.
 */
export function directedDistances(from: Surface, to: Surface, grid: Grid): Float64Array {
  const [n0, n1] = grid.shape;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (const surface of [from, to]) {
    for (const v of surface.indices) {
      const i = v % n0,
        j = Math.floor(v / n0) % n1,
        k = Math.floor(v / (n0 * n1));
      if (i < lo[0]!) lo[0] = i;
      if (i > hi[0]!) hi[0] = i;
      if (j < lo[1]!) lo[1] = j;
      if (j > hi[1]!) hi[1] = j;
      if (k < lo[2]!) lo[2] = k;
      if (k > hi[2]!) hi[2] = k;
    }
  }
  const box: Vec3 = [hi[0]! - lo[0]! + 1, hi[1]! - lo[1]! + 1, hi[2]! - lo[2]! + 1];
  const local = (v: number): number => {
    const i = v % n0,
      j = Math.floor(v / n0) % n1,
      k = Math.floor(v / (n0 * n1));
    return i - lo[0]! + box[0] * (j - lo[1]! + box[1] * (k - lo[2]!));
  };
  const sites = new Uint8Array(box[0] * box[1] * box[2]);
  for (const v of to.indices) sites[local(v)] = 1;
  const squared = squaredDistanceTransform(sites, box, grid.spacing);
  const out = new Float64Array(from.indices.length);
  for (let e = 0; e < out.length; e++) out[e] = Math.sqrt(squared[local(from.indices[e]!)]!);
  return out;
}
