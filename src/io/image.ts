/**
 * An image: voxels plus their physical geometry, in LPS world coordinates (the DICOM/ITK convention).
 *
 * - `shape` lists the fastest-varying axis first: [i, j, k, ...extra]. Spatial axes are always three
 *   (a 2D image has k = 1); channels and time are extra axes after k.
 * - `data[i + ni*(j + nj*(k + nk*extra...))]` is the voxel (i, j, k, ...).
 * - `direction` is a 3×3 matrix stored row-major; its columns are the unit world directions of i, j, k.
 * - world(i, j, k) = origin + direction · (spacing ⊙ [i, j, k])   (millimetres, LPS).
 */
export type VoxelArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

export type DType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

export type Vec3 = [number, number, number];
/** Row-major 3×3 matrix. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export interface Image {
  data: VoxelArray;
  shape: number[];
  spacing: Vec3;
  origin: Vec3;
  direction: Mat3;
  /** Technical, patient-free metadata: modality, series description, source format ... */
  meta: Record<string, string | number | boolean>;
}

export const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** The dtype name of a voxel array ('uint8', 'float32' ...). */
export function dtypeOf(data: VoxelArray): DType {
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

/** Number of voxels across all axes. */
export function voxelCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Builds an image, checking that data and shape agree. Geometry defaults to unit spacing at the
 * origin with the identity direction (LPS); a shape shorter than three axes gets k = 1.
 * @param data the voxels, i fastest: `data[i + ni·(j + nj·k)]`
 * @param shape `[i, j, k, ...extra]` (channels or time after k)
 * @param geometry spacing, origin and direction (LPS, mm) and metadata
 * @throws RangeError when the shape is not positive integers or does not match `data.length`
 *
 * @example
 * ```ts
 * const image = createImage(new Float32Array(4 * 3 * 2), [4, 3, 2], { spacing: [0.5, 0.5, 2] });
 * ```
 */
export function createImage(
  data: VoxelArray,
  shape: readonly number[],
  geometry: Partial<Pick<Image, 'spacing' | 'origin' | 'direction' | 'meta'>> = {},
): Image {
  const full = shape.slice();
  while (full.length < 3) full.push(1);
  if (full.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new RangeError(`image shape must be positive integers, got [${shape.join(', ')}]`);
  }
  if (voxelCount(full) !== data.length) {
    throw new RangeError(`image shape [${full.join(', ')}] needs ${voxelCount(full)} voxels, data has ${data.length}`);
  }
  return {
    data,
    shape: full,
    spacing: geometry.spacing ?? [1, 1, 1],
    origin: geometry.origin ?? [0, 0, 0],
    direction: geometry.direction ?? [...IDENTITY],
    meta: geometry.meta ?? {},
  };
}

/** World (LPS, mm) position of a continuous voxel index. */
export function indexToWorld(img: Pick<Image, 'spacing' | 'origin' | 'direction'>, index: readonly number[]): Vec3 {
  const d = img.direction;
  const s = [index[0]! * img.spacing[0], index[1]! * img.spacing[1], index[2]! * img.spacing[2]];
  return [
    img.origin[0] + d[0] * s[0]! + d[1] * s[1]! + d[2] * s[2]!,
    img.origin[1] + d[3] * s[0]! + d[4] * s[1]! + d[5] * s[2]!,
    img.origin[2] + d[6] * s[0]! + d[7] * s[1]! + d[8] * s[2]!,
  ];
}
