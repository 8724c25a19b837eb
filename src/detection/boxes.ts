/**
 * Axis-aligned boxes in 2D and 3D. One internal layout, everywhere: a flat Float64Array of rows
 * [x1, y1, (z1,) x2, y2, (z2)] — the minimum corner then the maximum corner (torchvision's `xyxy`,
 * MONAI's `xyzxyz`) — in continuous voxel coordinates of an image, x along i, y along j, z along k,
 * where voxel i covers [i, i + 1) (the COCO / torchvision pixel convention: a box around one pixel
 * has width 1). Patient (LPS, mm) coordinates go through the image geometry (box-geometry.ts).
 *
 * Other layouts are named modes and converted explicitly at the edges (readers, writers):
 *  - 'corners'      x1 y1 (z1) x2 y2 (z2)        (xyxy / xyzxyz)
 *  - 'corner_size'  x1 y1 (z1) w h (d)           (COCO's xywh, xyzwhd)
 *  - 'centre_size'  cx cy (cz) w h (d)           (cxcywh, cccwhd)
 *  - 'per_axis'     x1 x2 y1 y2 (z1 z2)          (xxyy, xxyyzz)
 *  - 'xyxyzz'       x1 y1 x2 y2 z1 z2            (MONAI's xyxyzz, nnDetection's order) — 3D only
 */
import { OptionError, ShapeError } from '../util/errors.js';

export type BoxDims = 2 | 3;
export type BoxMode = 'corners' | 'corner_size' | 'centre_size' | 'per_axis' | 'xyxyzz';
export const BOX_MODES: readonly BoxMode[] = ['corners', 'corner_size', 'centre_size', 'per_axis', 'xyxyzz'];

/** Boxes with their classes (0-based indices into the dataset's class names) and, for predictions, scores. */
export interface BoxSet {
  dims: BoxDims;
  /** n rows of 2·dims numbers in the corners layout. */
  boxes: Float64Array;
  labels: Int32Array;
  /** Confidence of each box (predictions only). */
  scores?: Float32Array;
}

/** Numbers per box (4 in 2D, 6 in 3D). */
export const boxWidth = (dims: BoxDims): number => 2 * dims;

export function boxCount(boxes: ArrayLike<number>, dims: BoxDims): number {
  const w = boxWidth(dims);
  if (boxes.length % w !== 0) throw new ShapeError(`${boxes.length} numbers do not make ${dims}D boxes of ${w}`);
  return boxes.length / w;
}

/** An empty set of boxes of the given dimension. */
export function emptyBoxSet(dims: BoxDims, withScores = false): BoxSet {
  return {
    dims,
    boxes: new Float64Array(0),
    labels: new Int32Array(0),
    ...(withScores ? { scores: new Float32Array(0) } : {}),
  };
}

/** Converts boxes between layouts; the result is a new array. */
export function convertBoxMode(
  boxes: ArrayLike<number>,
  dims: BoxDims,
  from: BoxMode,
  to: BoxMode = 'corners',
): Float64Array {
  for (const [name, mode] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!BOX_MODES.includes(mode))
      throw new OptionError(`box mode (${name})`, `unknown '${mode}' (known: ${BOX_MODES.join(', ')})`);
    if (mode === 'xyxyzz' && dims !== 3) throw new OptionError(`box mode (${name})`, "'xyxyzz' is a 3D layout");
  }
  const n = boxCount(boxes, dims);
  const w = boxWidth(dims);
  const corners = new Float64Array(n * w);
  for (let b = 0; b < n; b++) {
    const o = b * w;
    for (let a = 0; a < dims; a++) {
      let lo: number, hi: number;
      switch (from) {
        case 'corners':
          lo = boxes[o + a]!;
          hi = boxes[o + dims + a]!;
          break;
        case 'corner_size':
          lo = boxes[o + a]!;
          hi = lo + boxes[o + dims + a]!;
          break;
        case 'centre_size':
          lo = boxes[o + a]! - boxes[o + dims + a]! / 2;
          hi = boxes[o + a]! + boxes[o + dims + a]! / 2;
          break;
        case 'per_axis':
          lo = boxes[o + 2 * a]!;
          hi = boxes[o + 2 * a + 1]!;
          break;
        case 'xyxyzz':
          lo = a < 2 ? boxes[o + a]! : boxes[o + 4]!;
          hi = a < 2 ? boxes[o + 2 + a]! : boxes[o + 5]!;
          break;
      }
      corners[o + a] = lo;
      corners[o + dims + a] = hi;
    }
  }
  if (to === 'corners') return corners;
  const out = new Float64Array(n * w);
  for (let b = 0; b < n; b++) {
    const o = b * w;
    for (let a = 0; a < dims; a++) {
      const lo = corners[o + a]!,
        hi = corners[o + dims + a]!;
      switch (to) {
        case 'corner_size':
          out[o + a] = lo;
          out[o + dims + a] = hi - lo;
          break;
        case 'centre_size':
          out[o + a] = (lo + hi) / 2;
          out[o + dims + a] = hi - lo;
          break;
        case 'per_axis':
          out[o + 2 * a] = lo;
          out[o + 2 * a + 1] = hi;
          break;
        case 'xyxyzz':
          if (a < 2) {
            out[o + a] = lo;
            out[o + 2 + a] = hi;
          } else {
            out[o + 4] = lo;
            out[o + 5] = hi;
          }
          break;
      }
    }
  }
  return out;
}

/** Area (2D) or volume (3D) of each box, in voxels; 0 for an empty or inverted box. */
export function boxSizes(boxes: ArrayLike<number>, dims: BoxDims): Float64Array {
  const n = boxCount(boxes, dims);
  const out = new Float64Array(n);
  for (let b = 0; b < n; b++) {
    let v = 1;
    for (let a = 0; a < dims; a++) v *= Math.max(0, boxes[b * 2 * dims + dims + a]! - boxes[b * 2 * dims + a]!);
    out[b] = v;
  }
  return out;
}

/** Centre of box b. */
export function boxCentre(boxes: ArrayLike<number>, dims: BoxDims, b: number): number[] {
  const o = b * 2 * dims;
  return Array.from({ length: dims }, (_, a) => (boxes[o + a]! + boxes[o + dims + a]!) / 2);
}

/** Clips boxes to an image of `size` voxels per axis ([x, y(, z)] = [ni, nj(, nk)]); returns a new array. */
export function clipBoxes(boxes: ArrayLike<number>, dims: BoxDims, size: readonly number[]): Float64Array {
  const out = Float64Array.from(boxes);
  const n = boxCount(boxes, dims);
  for (let b = 0; b < n; b++) {
    for (let a = 0; a < dims; a++) {
      const o = b * 2 * dims;
      out[o + a] = Math.min(Math.max(out[o + a]!, 0), size[a]!);
      out[o + dims + a] = Math.min(Math.max(out[o + dims + a]!, 0), size[a]!);
    }
  }
  return out;
}

/** Keeps the boxes (and their labels / scores) at the given indices, in that order. */
export function selectBoxes(set: BoxSet, indices: ArrayLike<number>): BoxSet {
  const w = boxWidth(set.dims);
  const boxes = new Float64Array(indices.length * w);
  const labels = new Int32Array(indices.length);
  const scores = set.scores ? new Float32Array(indices.length) : undefined;
  for (let i = 0; i < indices.length; i++) {
    const b = indices[i]!;
    boxes.set(set.boxes.subarray(b * w, b * w + w), i * w);
    labels[i] = set.labels[b]!;
    if (scores) scores[i] = set.scores![b]!;
  }
  return { dims: set.dims, boxes, labels, ...(scores ? { scores } : {}) };
}

/** Concatenates box sets of one dimension. */
export function concatBoxSets(sets: readonly BoxSet[], dims: BoxDims): BoxSet {
  const w = boxWidth(dims);
  const total = sets.reduce((s, x) => s + x.labels.length, 0);
  const withScores = sets.length > 0 && sets.every((s) => s.scores);
  const out: BoxSet = {
    dims,
    boxes: new Float64Array(total * w),
    labels: new Int32Array(total),
    ...(withScores ? { scores: new Float32Array(total) } : {}),
  };
  let at = 0;
  for (const s of sets) {
    if (s.dims !== dims) throw new ShapeError(`cannot join ${s.dims}D boxes with ${dims}D boxes`);
    out.boxes.set(s.boxes, at * w);
    out.labels.set(s.labels, at);
    if (withScores) out.scores!.set(s.scores!, at);
    at += s.labels.length;
  }
  return out;
}
