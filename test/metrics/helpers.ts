import type { Vec3 } from '../../src/io/image.js';

/** A mask on `shape` with 1 inside the half-open box [lo, hi) on each axis. */
export function boxMask(shape: Vec3, lo: Vec3, hi: Vec3, into?: Uint8Array): Uint8Array {
  const m = into ?? new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let k = lo[2]; k < hi[2]; k++)
    for (let j = lo[1]; j < hi[1]; j++)
      for (let i = lo[0]; i < hi[0]; i++) {
        m[i + shape[0] * (j + shape[1] * k)] = 1;
      }
  return m;
}

/** A mask with 1 where the voxel centre (in index units) is within `radius` of `centre`. */
export function ballMask(shape: Vec3, centre: Vec3, radius: number): Uint8Array {
  const m = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let k = 0; k < shape[2]; k++)
    for (let j = 0; j < shape[1]; j++)
      for (let i = 0; i < shape[0]; i++) {
        if ((i - centre[0]) ** 2 + (j - centre[1]) ** 2 + (k - centre[2]) ** 2 <= radius * radius)
          m[i + shape[0] * (j + shape[1] * k)] = 1;
      }
  return m;
}

export function close(actual: number, expected: number, tolerance = 1e-9, message?: string): void {
  if (!(Math.abs(actual - expected) <= tolerance))
    throw new Error(`${message ?? 'value'}: ${actual} is not ${expected} (±${tolerance})`);
}
