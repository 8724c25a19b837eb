import type { Image } from '../io/image.js';
import { ShapeError } from '../util/errors.js';

/**
 * Throws a ShapeError naming `what` when `other` does not lie on the same voxel grid as `reference`:
 * the spatial shape must be equal, spacing and origin agree within `tolerance` mm (relative to the
 * spacing for spacing), direction cosines within `tolerance`. Extra axes (channels) are not compared.
 */
export function assertSameGrid(reference: Image, other: Image, what: string, tolerance = 1e-3): void {
  const a = reference.shape.slice(0, 3),
    b = other.shape.slice(0, 3);
  if (a.some((n, i) => n !== b[i])) {
    throw new ShapeError(`${what}: shape [${b.join(', ')}] differs from the ground truth's [${a.join(', ')}]`);
  }
  const close = (x: readonly number[], y: readonly number[], scale: (i: number) => number) =>
    x.every((v, i) => Math.abs(v - y[i]!) <= tolerance * scale(i));
  const fmt = (x: readonly number[]) => `[${x.map((v) => +v.toFixed(6)).join(', ')}]`;
  if (!close(reference.spacing, other.spacing, (i) => Math.max(1, reference.spacing[i]!))) {
    throw new ShapeError(
      `${what}: spacing ${fmt(other.spacing)} differs from the ground truth's ${fmt(reference.spacing)}`,
    );
  }
  if (!close(reference.origin, other.origin, () => Math.max(1, ...reference.spacing))) {
    throw new ShapeError(
      `${what}: origin ${fmt(other.origin)} differs from the ground truth's ${fmt(reference.origin)}`,
    );
  }
  if (!close(reference.direction, other.direction, () => 1)) {
    throw new ShapeError(
      `${what}: direction ${fmt(other.direction)} differs from the ground truth's ${fmt(reference.direction)}`,
    );
  }
}
