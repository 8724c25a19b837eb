/**
 * Boxes between voxel and patient coordinates, through the image geometry (origin, spacing,
 * direction; LPS, mm). A voxel box edge at continuous coordinate e lies half a voxel before the
 * centre of voxel e: world = origin + direction · spacing ⊙ (e − ½). Patient-space boxes are always
 * 3D and axis-aligned in LPS: [x1, y1, z1, x2, y2, z2] mm; a 2D box on a slice has z1 = z2, the
 * slice's position. Each conversion takes the tight box of the 2^d transformed corners, so with an
 * oblique direction a round trip gives a (slightly) larger box; with axis-aligned directions (any
 * flips and permutations) it is exact.
 */
import type { Image } from '../io/image.js';
import { indexToWorld, worldToIndex } from '../io/geometry.js';
import { type BoxDims, boxCount } from './boxes.js';

export type Geometry = Pick<Image, 'spacing' | 'origin' | 'direction'>;

function* cornerChoices(dims: number): Generator<number[]> {
  for (let m = 0; m < 1 << dims; m++) yield Array.from({ length: dims }, (_, a) => (m >> a) & 1);
}

/** Voxel boxes (corners layout) → patient boxes [x1, y1, z1, x2, y2, z2] in mm (LPS). */
export function boxesToWorld(boxes: ArrayLike<number>, dims: BoxDims, geometry: Geometry): Float64Array {
  const n = boxCount(boxes, dims);
  const out = new Float64Array(n * 6);
  for (let b = 0; b < n; b++) {
    const lo = [Infinity, Infinity, Infinity],
      hi = [-Infinity, -Infinity, -Infinity];
    for (const choice of cornerChoices(dims)) {
      const index = [0, 0, 0];
      for (let a = 0; a < dims; a++) index[a] = boxes[b * 2 * dims + choice[a]! * dims + a]! - 0.5;
      const p = indexToWorld(geometry, index);
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a]!, p[a]!);
        hi[a] = Math.max(hi[a]!, p[a]!);
      }
    }
    out.set([...lo, ...hi], b * 6);
  }
  return out;
}

/**
 * Patient boxes [x1, y1, z1, x2, y2, z2] (mm, LPS) → voxel boxes of `dims` (corners layout): the
 * tight voxel box of the 8 world corners; a 2D result keeps i and j.
 */
export function boxesFromWorld(world: ArrayLike<number>, dims: BoxDims, geometry: Geometry): Float64Array {
  const n = boxCount(world, 3);
  const out = new Float64Array(n * 2 * dims);
  for (let b = 0; b < n; b++) {
    const lo = [Infinity, Infinity, Infinity],
      hi = [-Infinity, -Infinity, -Infinity];
    for (const choice of cornerChoices(3)) {
      const p = choice.map((c, a) => world[b * 6 + c * 3 + a]!);
      const index = worldToIndex(geometry, p);
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a]!, index[a]! + 0.5);
        hi[a] = Math.max(hi[a]!, index[a]! + 0.5);
      }
    }
    for (let a = 0; a < dims; a++) {
      out[b * 2 * dims + a] = lo[a]!;
      out[b * 2 * dims + dims + a] = hi[a]!;
    }
  }
  return out;
}

/**
 * A world sphere (centre in mm, LPS; diameter in mm) as a voxel box: the tight box of the cube that
 * encloses the sphere (LUNA16's nodule annotations).
 */
export function sphereToVoxelBox(centre: readonly number[], diameter: number, geometry: Geometry): Float64Array {
  const r = diameter / 2;
  return boxesFromWorld(
    [centre[0]! - r, centre[1]! - r, centre[2]! - r, centre[0]! + r, centre[1]! + r, centre[2]! + r],
    3,
    geometry,
  );
}

/** Centre of a voxel box in patient coordinates (mm, LPS). */
export function worldCentre(boxes: ArrayLike<number>, dims: BoxDims, b: number, geometry: Geometry): number[] {
  const index = [0, 0, 0];
  for (let a = 0; a < dims; a++) index[a] = (boxes[b * 2 * dims + a]! + boxes[b * 2 * dims + dims + a]!) / 2 - 0.5;
  return indexToWorld(geometry, index);
}
