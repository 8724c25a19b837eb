/**
 * Reorientation without resampling: permutes and flips the voxel axes so that the image's
 * orientation code becomes the requested one, and updates spacing, origin and direction so that
 * every voxel keeps exactly its world position. Extra axes (channels, time) are carried along.
 */
import { allocate } from './voxels.js';
import { dtypeOf, indexToWorld, type Image, type Mat3, type Vec3 } from './image.js';
import { orientationCode, parseOrientationCode } from './geometry.js';

/** How new axis t is read from the old image: old axis `from[t]`, reversed when `flip[t]`. */
export interface AxisMapping {
  from: [number, number, number];
  flip: [boolean, boolean, boolean];
}

/** The permutation and flips that take an image of orientation `current` to orientation `target`. */
export function axisMapping(current: string, target: string): AxisMapping {
  const have = parseOrientationCode(current);
  const want = parseOrientationCode(target);
  const from = [0, 0, 0] as [number, number, number];
  const flip = [false, false, false] as [boolean, boolean, boolean];
  for (let t = 0; t < 3; t++) {
    const old = have.findIndex((h) => h.axis === want[t]!.axis);
    from[t] = old;
    flip[t] = have[old]!.sign !== want[t]!.sign;
  }
  return { from, flip };
}

/** Applies an axis permutation/flip to the voxels and geometry. The result shares no memory with the input. */
export function permuteAxes(image: Image, mapping: AxisMapping): Image {
  const { from, flip } = mapping;
  const oldShape = image.shape;
  const oldStrides = [1, oldShape[0]!, oldShape[0]! * oldShape[1]!];
  const shape = [oldShape[from[0]]!, oldShape[from[1]]!, oldShape[from[2]]!, ...oldShape.slice(3)];
  const spatial = shape[0]! * shape[1]! * shape[2]!;
  const blocks = image.data.length / spatial;

  // Old linear offset of new voxel (0,0,0) and the old step for +1 along each new axis.
  let base = 0;
  const step = [0, 0, 0];
  for (let t = 0; t < 3; t++) {
    const stride = oldStrides[from[t]!]!;
    if (flip[t]) {
      base += (shape[t]! - 1) * stride;
      step[t] = -stride;
    } else step[t] = stride;
  }
  const src = image.data;
  const out = allocate(dtypeOf(src), src.length);
  const [ni, nj, nk] = shape as [number, number, number];
  const [si, sj, sk] = step as [number, number, number];
  let o = 0;
  for (let b = 0; b < blocks; b++) {
    const blockBase = b * spatial + base;
    for (let k = 0; k < nk; k++) {
      for (let j = 0; j < nj; j++) {
        let s = blockBase + k * sk + j * sj;
        for (let i = 0; i < ni; i++, s += si) out[o++] = src[s]!;
      }
    }
  }

  const oldCorner = [0, 0, 0];
  for (let t = 0; t < 3; t++) if (flip[t]) oldCorner[from[t]!] = shape[t]! - 1;
  const origin = indexToWorld(image, oldCorner);
  const d = image.direction;
  const direction = new Array<number>(9);
  const spacing = [0, 0, 0] as Vec3;
  for (let t = 0; t < 3; t++) {
    const sign = flip[t] ? -1 : 1;
    for (let r = 0; r < 3; r++) direction[r * 3 + t] = sign * d[r * 3 + from[t]!]! + 0; // + 0 turns -0 into 0
    spacing[t] = image.spacing[from[t]!]!;
  }
  return { data: out, shape, spacing, origin, direction: direction as Mat3, meta: { ...image.meta } };
}

/**
 * Reorients `image` to the orientation `code` ("points towards" letters, e.g. 'RAS', 'LPS'), without
 * resampling. Returns the input itself when it already has that orientation.
 */
export function reorient(image: Image, code: string): Image {
  parseOrientationCode(code);
  const current = orientationCode(image.direction);
  if (current === code.toUpperCase()) return image;
  return permuteAxes(image, axisMapping(current, code));
}
