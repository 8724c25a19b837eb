/** Axis bookkeeping shared by readers whose files may store channels before the spatial axes. */
import { dtypeOf, type VoxelArray } from './image.js';
import { allocate } from './voxels.js';

/**
 * Transposes an N-D array stored fastest-axis-first: output axis n is input axis `order[n]`.
 * Returns the input untouched when `order` is the identity.
 */
export function permuteData(data: VoxelArray, shape: readonly number[], order: readonly number[]): VoxelArray {
  if (order.every((a, n) => a === n)) return data;
  const strides: number[] = [];
  let s = 1;
  for (const n of shape) {
    strides.push(s);
    s *= n;
  }
  const outShape = order.map((a) => shape[a]!);
  const outStrides = order.map((a) => strides[a]!);
  const out = allocate(dtypeOf(data), data.length);
  const counter = new Array<number>(outShape.length).fill(0);
  const n0 = outShape[0]!;
  const s0 = outStrides[0]!;
  let src = 0;
  for (let o = 0; o < data.length; ) {
    for (let i = 0; i < n0; i++, o++) out[o] = data[src + i * s0]!;
    // Advance the odometer over axes 1..N-1.
    let axis = 1;
    for (; axis < outShape.length; axis++) {
      counter[axis]!++;
      src += outStrides[axis]!;
      if (counter[axis]! < outShape[axis]!) break;
      src -= counter[axis]! * outStrides[axis]!;
      counter[axis] = 0;
    }
    if (axis === outShape.length) break;
  }
  return out;
}

/**
 * Interleaved channels (channel fastest, as rasters and MetaImage store them) → the `Image`
 * layout, where channels are the last axis.
 */
export function channelsLast(data: VoxelArray, spatial: readonly number[], channels: number): VoxelArray {
  if (channels === 1) return data;
  const shape = [channels, ...spatial];
  return permuteData(data, shape, [...spatial.map((_, n) => n + 1), 0]);
}

/** The inverse of `channelsLast`: the last axis becomes the fastest (interleaved) one. */
export function channelsFirst(data: VoxelArray, shape: readonly number[]): VoxelArray {
  const last = shape.length - 1;
  return permuteData(data, shape, [last, ...shape.slice(0, last).map((_, n) => n)]);
}
