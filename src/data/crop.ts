/**
 * Bounding boxes, crops and pads in voxel space, with the box recorded so that a prediction can be
 * put back where it came from. Arrays are flat, first axis fastest, `shape` = [i, j, k, ...extra];
 * extra axes (channels) are treated as a stack of [i, j, k] volumes, so every function is
 * multi-channel aware. Boxes are half-open: [start, end) per spatial axis.
 */
import type { VoxelArray } from '../io/image.js';
import { ShapeError } from '../util/errors.js';

export interface Box {
  start: [number, number, number];
  end: [number, number, number];
}

/** Where a cropped (or padded) array sits inside the original grid, for putting results back. */
export interface CropRecord {
  /** The original spatial shape [i, j, k]. */
  originalShape: [number, number, number];
  /** The box that was taken, in original voxel coordinates (may reach outside when padding). */
  box: Box;
}

export function spatialShape(shape: readonly number[]): [number, number, number] {
  return [shape[0] ?? 1, shape[1] ?? 1, shape[2] ?? 1];
}

/** Number of [i, j, k] volumes stacked along the extra axes. */
export function channelCount(shape: readonly number[]): number {
  return shape.slice(3).reduce((a, b) => a * b, 1);
}

function check(data: ArrayLike<number>, shape: readonly number[]): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length)
    throw new ShapeError(`shape [${shape.join(', ')}] needs ${n} values, the array has ${data.length}`);
}

/** 1 where any channel is non-zero (nnU-Net's non-zero mask, before its hole filling). */
export function nonZeroMask(data: ArrayLike<number>, shape: readonly number[]): Uint8Array {
  check(data, shape);
  const [ni, nj, nk] = spatialShape(shape);
  const n = ni * nj * nk;
  const mask = new Uint8Array(n);
  const channels = channelCount(shape);
  for (let c = 0; c < channels; c++) {
    const off = c * n;
    for (let v = 0; v < n; v++) if (data[off + v] !== 0) mask[v] = 1;
  }
  return mask;
}

/** The smallest box holding every voxel where `mask` is non-zero (only the first [i, j, k] volume), or undefined. */
export function boundingBox(mask: ArrayLike<number>, shape: readonly number[]): Box | undefined {
  const [ni, nj, nk] = spatialShape(shape);
  const lo: [number, number, number] = [ni, nj, nk];
  const hi: [number, number, number] = [-1, -1, -1];
  let v = 0;
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      for (let i = 0; i < ni; i++, v++) {
        if (mask[v] === 0) continue;
        if (i < lo[0]) lo[0] = i;
        if (i > hi[0]) hi[0] = i;
        if (j < lo[1]) lo[1] = j;
        if (j > hi[1]) hi[1] = j;
        if (k < lo[2]) lo[2] = k;
        if (k > hi[2]) hi[2] = k;
      }
    }
  }
  if (hi[0] < 0) return undefined;
  return { start: lo, end: [hi[0] + 1, hi[1] + 1, hi[2] + 1] };
}

export function boxShape(box: Box): [number, number, number] {
  return [box.end[0] - box.start[0], box.end[1] - box.start[1], box.end[2] - box.start[2]];
}

/**
 * Reads `box` out of `data` for every channel; voxels of the box outside the array get `fill`.
 * The result has the same type as `data` and shape [...boxShape, ...extra].
 */
export function extractBox<T extends VoxelArray>(
  data: T,
  shape: readonly number[],
  box: Box,
  fill = 0,
): { data: T; shape: number[] } {
  check(data, shape);
  const [ni, nj, nk] = spatialShape(shape);
  const [bi, bj, bk] = boxShape(box);
  if (bi < 1 || bj < 1 || bk < 1) throw new ShapeError(`empty box [${box.start}]–[${box.end}]`);
  const channels = channelCount(shape);
  const Ctor = data.constructor as new (n: number) => T;
  const out = new Ctor(bi * bj * bk * channels);
  if (fill !== 0) out.fill(fill);
  const [si, sj, sk] = box.start;
  // the part of the box that lies inside the array
  const i0 = Math.max(0, si),
    i1 = Math.min(ni, si + bi);
  const j0 = Math.max(0, sj),
    j1 = Math.min(nj, sj + bj);
  const k0 = Math.max(0, sk),
    k1 = Math.min(nk, sk + bk);
  if (i0 < i1) {
    for (let c = 0; c < channels; c++) {
      for (let k = k0; k < k1; k++) {
        for (let j = j0; j < j1; j++) {
          const src = i0 + ni * (j + nj * (k + nk * c));
          const dst = i0 - si + bi * (j - sj + bj * (k - sk + bk * c));
          out.set(data.subarray(src, src + (i1 - i0)) as never, dst);
        }
      }
    }
  }
  return { data: out, shape: [bi, bj, bk, ...shape.slice(3)] };
}

/**
 * Writes `source` (shape [...boxShape(box), ...extra]) into `target` at `box`; the parts of the box
 * outside `target` are dropped. The inverse of `extractBox`.
 */
export function insertBox(
  target: VoxelArray,
  targetShape: readonly number[],
  source: ArrayLike<number>,
  box: Box,
): void {
  check(target, targetShape);
  const [ni, nj, nk] = spatialShape(targetShape);
  const [bi, bj, bk] = boxShape(box);
  const channels = channelCount(targetShape);
  if (source.length !== bi * bj * bk * channels)
    throw new ShapeError(`box of ${bi}×${bj}×${bk}×${channels} does not match ${source.length} values`);
  const [si, sj, sk] = box.start;
  const i0 = Math.max(0, si),
    i1 = Math.min(ni, si + bi);
  const j0 = Math.max(0, sj),
    j1 = Math.min(nj, sj + bj);
  const k0 = Math.max(0, sk),
    k1 = Math.min(nk, sk + bk);
  for (let c = 0; c < channels; c++) {
    for (let k = k0; k < k1; k++) {
      for (let j = j0; j < j1; j++) {
        const dst = ni * (j + nj * (k + nk * c));
        const src = bi * (j - sj + bj * (k - sk + bk * c)) - si;
        for (let i = i0; i < i1; i++) target[dst + i] = source[src + i]!;
      }
    }
  }
}

/** Crops to the non-zero region of all channels (nnU-Net's crop_to_nonzero); an all-zero image is kept whole. */
export function cropToNonZero<T extends VoxelArray>(
  data: T,
  shape: readonly number[],
): { data: T; shape: number[]; record: CropRecord } {
  const full = spatialShape(shape);
  const box = boundingBox(nonZeroMask(data, shape), shape) ?? { start: [0, 0, 0], end: full };
  const cropped = extractBox(data, shape, box);
  return { ...cropped, record: { originalShape: full, box } };
}

/**
 * Puts a cropped or padded array back on the original grid: voxels outside the recorded box get
 * `fill` (background for labels), voxels the box reached outside the grid are dropped.
 */
export function restoreCrop<T extends VoxelArray>(
  data: T,
  shape: readonly number[],
  record: CropRecord,
  fill = 0,
): { data: T; shape: number[] } {
  const channels = channelCount(shape);
  const [oi, oj, ok] = record.originalShape;
  const Ctor = data.constructor as new (n: number) => T;
  const out = new Ctor(oi * oj * ok * channels);
  if (fill !== 0) out.fill(fill);
  const outShape = [oi, oj, ok, ...shape.slice(3)];
  const expected = boxShape(record.box);
  if (expected.some((n, d) => n !== (shape[d] ?? 1)))
    throw new ShapeError(`array of shape [${shape.join(', ')}] does not match the recorded box ${expected.join('×')}`);
  insertBox(out, outShape, data, record.box);
  return { data: out, shape: outShape };
}
