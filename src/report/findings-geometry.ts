/**
 * Physical size of a connected component, through the image's spacing and direction. Diameters are
 * measured edge to edge on voxel outlines: the convex hull of the corners of the component's voxels
 * (convex hulls commute with the affine index → patient map, so the hull is found in index space and
 * only its vertices are mapped). In each slice the longest chord of the hull is the long axis, the
 * hull's extent perpendicular to it within the slice the short axis (as RECIST measures, on the
 * slice where the long axis is longest); the 3D maximum diameter is the longest chord over all slices.
 */
import { indexToWorld, type Image, type Vec3 } from '../io/image.js';

/** A point in a plane (index space of one slice). */
export type Point = [number, number];

/** Andrew's monotone chain: the convex hull's vertices, counter-clockwise, without collinear points. */
export function convexHull(points: Point[]): Point[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const turn = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && turn(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Point[] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i]!;
    while (upper.length >= 2 && turn(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0) upper.pop();
    upper.push(q);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

const distance = (a: Vec3, b: Vec3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

export interface Diameters {
  /** Longest in-plane chord (mm) over the slices, and the slice (k) it lies in. */
  longAxis: number;
  longAxisSlice: number;
  /** Extent (mm) perpendicular to the long axis, in that slice. */
  shortAxis: number;
  /** Longest chord in 3D (mm). */
  maxDiameter: number;
}

/**
 * Diameters of the voxels `inside` (flat indices of `image`'s [i, j, k] grid). Per row of each slice
 * only the first and last voxel can be hull vertices, so the work is proportional to rows × slices.
 */
export function diameters(
  image: Pick<Image, 'shape' | 'spacing' | 'origin' | 'direction'>,
  inside: ArrayLike<number>,
): Diameters {
  const [ni, nj] = [image.shape[0]!, image.shape[1]!];
  // per slice, per row: the first and last i
  const rows = new Map<number, Map<number, [number, number]>>();
  for (let n = 0; n < inside.length; n++) {
    const v = inside[n]!;
    const i = v % ni;
    const j = Math.floor(v / ni) % nj;
    const k = Math.floor(v / (ni * nj));
    let slice = rows.get(k);
    if (!slice) {
      slice = new Map();
      rows.set(k, slice);
    }
    const range = slice.get(j);
    if (!range) slice.set(j, [i, i]);
    else {
      if (i < range[0]) range[0] = i;
      if (i > range[1]) range[1] = i;
    }
  }
  const row: Vec3 = [image.direction[0], image.direction[3], image.direction[6]];
  const column: Vec3 = [image.direction[1], image.direction[4], image.direction[7]];
  const normal: Vec3 = [
    row[1] * column[2] - row[2] * column[1],
    row[2] * column[0] - row[0] * column[2],
    row[0] * column[1] - row[1] * column[0],
  ];
  let best: Diameters = { longAxis: 0, longAxisSlice: -1, shortAxis: 0, maxDiameter: 0 };
  const all: Vec3[] = [];
  for (const [k, slice] of rows) {
    const corners: Point[] = [];
    for (const [j, [a, b]] of slice)
      corners.push([a - 0.5, j - 0.5], [a - 0.5, j + 0.5], [b + 0.5, j - 0.5], [b + 0.5, j + 0.5]);
    const hull = convexHull(corners).map(([i, j]) => indexToWorld(image, [i, j, k]));
    all.push(...hull);
    let longest = 0;
    let ends: [Vec3, Vec3] = [hull[0]!, hull[0]!];
    for (let x = 0; x < hull.length; x++)
      for (let y = x + 1; y < hull.length; y++) {
        const d = distance(hull[x]!, hull[y]!);
        if (d > longest) {
          longest = d;
          ends = [hull[x]!, hull[y]!];
        }
      }
    if (longest <= best.longAxis) continue;
    // the in-plane direction perpendicular to the long axis: normal × axis
    const axis = [0, 1, 2].map((c) => (ends[1][c]! - ends[0][c]!) / longest) as Vec3;
    const across: Vec3 = [
      normal[1] * axis[2] - normal[2] * axis[1],
      normal[2] * axis[0] - normal[0] * axis[2],
      normal[0] * axis[1] - normal[1] * axis[0],
    ];
    const size = Math.hypot(...across);
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of hull) {
      const t = (p[0] * across[0] + p[1] * across[1] + p[2] * across[2]) / size;
      lo = Math.min(lo, t);
      hi = Math.max(hi, t);
    }
    best = { longAxis: longest, longAxisSlice: k, shortAxis: hi - lo, maxDiameter: 0 };
  }
  // the slices' extent along k adds to the 3D diameter: a slice is a slab one spacing thick
  const halfSlab = (image.shape[2] ?? 1) > 1 ? image.spacing[2] / 2 : 0;
  const points = halfSlab
    ? all.flatMap((p) => [0, 1].map((s) => [0, 1, 2].map((c) => p[c]! + (s ? 1 : -1) * halfSlab * normal[c]!) as Vec3))
    : all;
  let max = 0;
  for (let x = 0; x < points.length; x++)
    for (let y = x + 1; y < points.length; y++) max = Math.max(max, distance(points[x]!, points[y]!));
  best.maxDiameter = max;
  return best;
}
