/**
 * Typed-array plumbing shared by the readers and writers: constructors per dtype, decoding raw bytes
 * of either byte order into a standalone array, and intensity statistics.
 */
import type { DType, Image, VoxelArray } from './image.js';

type VoxelArrayConstructor = {
  new (length: number): VoxelArray;
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): VoxelArray;
  readonly BYTES_PER_ELEMENT: number;
};

const CONSTRUCTORS: Record<DType, VoxelArrayConstructor> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
};

export function bytesPerVoxel(dtype: DType): number {
  return CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
}

export function allocate(dtype: DType, length: number): VoxelArray {
  return new CONSTRUCTORS[dtype](length);
}

export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Copies `length` voxels of `dtype` starting at `bytes[byteOffset]` into a new array of their own
 * (so that `array.buffer` holds exactly the voxels), swapping bytes when the stored order differs
 * from the host's. The swap is Buffer's native swap16/32/64, not a JS loop.
 */
export function decodeVoxels(
  bytes: Uint8Array,
  byteOffset: number,
  dtype: DType,
  length: number,
  littleEndian: boolean,
): VoxelArray {
  const width = bytesPerVoxel(dtype);
  const byteLength = length * width;
  const copy = Buffer.allocUnsafeSlow(byteLength);
  copy.set(bytes.subarray(byteOffset, byteOffset + byteLength));
  if (width > 1 && littleEndian !== HOST_IS_LITTLE_ENDIAN) swapInPlace(copy, width);
  return new CONSTRUCTORS[dtype](copy.buffer, copy.byteOffset, length);
}

/**
 * Like `decodeVoxels`, but for a buffer the caller owns and will not reuse (freshly inflated or
 * read): when the voxels are aligned for their type, they are byte-swapped in place if needed and
 * returned as a view (no copy; the view's `byteOffset` may then be non-zero).
 */
export function adoptVoxels(
  bytes: Buffer,
  byteOffset: number,
  dtype: DType,
  length: number,
  littleEndian: boolean,
): VoxelArray {
  const width = bytesPerVoxel(dtype);
  if ((bytes.byteOffset + byteOffset) % width !== 0)
    return decodeVoxels(bytes, byteOffset, dtype, length, littleEndian);
  if (width > 1 && littleEndian !== HOST_IS_LITTLE_ENDIAN)
    swapInPlace(bytes.subarray(byteOffset, byteOffset + length * width), width);
  return new CONSTRUCTORS[dtype](bytes.buffer as ArrayBuffer, bytes.byteOffset + byteOffset, length);
}

/** Reverses the byte order of every `width`-byte element of `buf`. */
export function swapInPlace(buf: Buffer, width: number): void {
  if (width === 2) buf.swap16();
  else if (width === 4) buf.swap32();
  else if (width === 8) buf.swap64();
}

/** The voxels' bytes in the requested byte order (a view when it already matches, else a swapped copy). */
export function encodeVoxels(data: VoxelArray, littleEndian: boolean): Buffer {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data.BYTES_PER_ELEMENT === 1 || littleEndian === HOST_IS_LITTLE_ENDIAN) return view;
  const copy = Buffer.from(view);
  swapInPlace(copy, data.BYTES_PER_ELEMENT);
  return copy;
}

/**
 * 64-bit integers, which no `Image` dtype holds: int32 when every value fits (exact), else float64
 * (exact up to 2^53).
 */
export function decode64(
  bytes: Uint8Array,
  offset: number,
  count: number,
  littleEndian: boolean,
  signed: boolean,
): VoxelArray {
  const copy = Buffer.allocUnsafeSlow(count * 8);
  copy.set(bytes.subarray(offset, offset + count * 8));
  if (littleEndian !== HOST_IS_LITTLE_ENDIAN) swapInPlace(copy, 8);
  const wide = signed ? new BigInt64Array(copy.buffer, 0, count) : new BigUint64Array(copy.buffer, 0, count);
  let fitsInt32 = true;
  for (let n = 0; n < count && fitsInt32; n++) {
    const v = wide[n]!;
    if (v > 2147483647n || v < -2147483648n) fitsInt32 = false;
  }
  const out = fitsInt32 ? new Int32Array(count) : new Float64Array(count);
  for (let n = 0; n < count; n++) out[n] = Number(wide[n]!);
  return out;
}

export interface IntensityStats {
  min: number;
  max: number;
  mean: number;
}

/** Minimum, maximum and mean of all voxels (NaNs ignored; all-NaN gives NaN). */
export function intensityStats(image: Pick<Image, 'data'>): IntensityStats {
  const d = image.data;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (let n = 0; n < d.length; n++) {
    const v = d[n]!;
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    count++;
  }
  if (count === 0) return { min: NaN, max: NaN, mean: NaN };
  return { min, max, mean: sum / count };
}
