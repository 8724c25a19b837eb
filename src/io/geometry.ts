/**
 * Voxel ↔ world transforms and anatomical orientation codes.
 *
 * Orientation letters follow the "points towards" convention of nibabel (`aff2axcodes`) and of
 * DICOM/ITK's LPS naming: the code of an image lists, for i, j and k, the anatomical direction in
 * which that index INCREASES. An image whose direction is the identity in LPS world is 'LPS'; the
 * same data described by a NIfTI affine of diag(1,1,1) (RAS world) is 'RAS'.
 * ITK's older `SpatialOrientation` names (e.g. ITK_COORDINATE_ORIENTATION_RAI for the identity
 * direction) use the opposite, "comes from", letters: convert with `oppositeOrientation`.
 */
import { indexToWorld, type Image, type Mat3, type Vec3 } from './image.js';
import { apply, invert } from './matrix.js';

export { indexToWorld };

/** The geometry of an image without its voxels' values or shape. */
export type Geometry = Pick<Image, 'spacing' | 'origin' | 'direction'>;

/** Continuous voxel index (i, j, k) of a world point (LPS, mm): the inverse of `indexToWorld`. */
export function worldToIndex(img: Geometry, world: readonly number[]): Vec3 {
  const inv = invert(img.direction);
  const local = apply(inv, [world[0]! - img.origin[0], world[1]! - img.origin[1], world[2]! - img.origin[2]]);
  return [local[0] / img.spacing[0], local[1] / img.spacing[1], local[2] / img.spacing[2]];
}

/** For each LPS world axis (x, y, z): the letter its positive direction points towards. */
const POSITIVE = ['L', 'P', 'S'] as const;
const NEGATIVE = ['R', 'A', 'I'] as const;

/** World axis (0 = x/LR, 1 = y/PA, 2 = z/IS) and sign (+1 towards L/P/S) of an orientation letter. */
export function letterAxis(letter: string): { axis: number; sign: 1 | -1 } {
  const up = letter.toUpperCase();
  let axis = POSITIVE.indexOf(up as (typeof POSITIVE)[number]);
  if (axis >= 0) return { axis, sign: 1 };
  axis = NEGATIVE.indexOf(up as (typeof NEGATIVE)[number]);
  if (axis >= 0) return { axis, sign: -1 };
  throw new RangeError(`orientation letter must be one of L R P A S I, got '${letter}'`);
}

/**
 * The three-letter orientation code of a direction matrix (columns = world directions of i, j, k in
 * LPS), "points towards" convention. Each voxel axis takes the world axis it is most aligned with,
 * assigning the strongest alignments first so that an oblique matrix still yields three distinct axes.
 */
export function orientationCode(direction: Mat3): string {
  const pairs: Array<{ voxel: number; world: number; value: number }> = [];
  for (let voxel = 0; voxel < 3; voxel++) {
    for (let world = 0; world < 3; world++) pairs.push({ voxel, world, value: direction[world * 3 + voxel]! });
  }
  pairs.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  const letters: string[] = ['', '', ''];
  const usedWorld = new Set<number>();
  for (const p of pairs) {
    if (letters[p.voxel] !== '' || usedWorld.has(p.world)) continue;
    letters[p.voxel] = p.value >= 0 ? POSITIVE[p.world]! : NEGATIVE[p.world]!;
    usedWorld.add(p.world);
  }
  return letters.join('');
}

/** Checks a code such as 'RAS' or 'lps': three letters naming three different world axes. */
export function parseOrientationCode(code: string): Array<{ axis: number; sign: 1 | -1 }> {
  if (code.length !== 3) throw new RangeError(`orientation code must have 3 letters, got '${code}'`);
  const parsed = [...code].map(letterAxis);
  if (new Set(parsed.map((p) => p.axis)).size !== 3) {
    throw new RangeError(`orientation code '${code}' names a world axis twice`);
  }
  return parsed;
}

/** Converts between the "points towards" letters used here and ITK's "comes from" letters (LPS ↔ RAI). */
export function oppositeOrientation(code: string): string {
  return parseOrientationCode(code)
    .map((p) => (p.sign > 0 ? NEGATIVE[p.axis]! : POSITIVE[p.axis]!))
    .join('');
}
