/** Small row-major 3×3 matrix arithmetic for geometry. */
import type { Mat3, Vec3 } from './image.js';

export function multiply(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out[r * 3 + c] = a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!;
    }
  }
  return out as Mat3;
}

export function apply(m: Mat3, v: readonly number[]): Vec3 {
  return [
    m[0] * v[0]! + m[1] * v[1]! + m[2] * v[2]!,
    m[3] * v[0]! + m[4] * v[1]! + m[5] * v[2]!,
    m[6] * v[0]! + m[7] * v[1]! + m[8] * v[2]!,
  ];
}

export function determinant(m: Mat3): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

export function transpose(m: Mat3): Mat3 {
  return [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];
}

/** Inverse of a non-singular matrix; throws a RangeError for a singular one. */
export function invert(m: Mat3): Mat3 {
  const det = determinant(m);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new RangeError('singular 3x3 matrix');
  const inv = [
    m[4] * m[8] - m[5] * m[7],
    m[2] * m[7] - m[1] * m[8],
    m[1] * m[5] - m[2] * m[4],
    m[5] * m[6] - m[3] * m[8],
    m[0] * m[8] - m[2] * m[6],
    m[2] * m[3] - m[0] * m[5],
    m[3] * m[7] - m[4] * m[6],
    m[1] * m[6] - m[0] * m[7],
    m[0] * m[4] - m[1] * m[3],
  ];
  return inv.map((x) => x / det) as Mat3;
}

export function cross(a: readonly number[], b: readonly number[]): Vec3 {
  return [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
}

export function norm(v: readonly number[]): number {
  return Math.hypot(v[0]!, v[1]!, v[2]!);
}

/**
 * The orthogonal factor of the polar decomposition (the rotation, possibly improper, nearest to `m`
 * in the Frobenius norm), by the Newton iteration X ← (X + X⁻ᵀ)/2.
 */
export function nearestOrthogonal(m: Mat3): Mat3 {
  let x = m;
  for (let iter = 0; iter < 100; iter++) {
    const inverseTransposed = transpose(invert(x));
    const next = x.map((v, n) => 0.5 * (v + inverseTransposed[n]!)) as Mat3;
    const change = next.reduce((s, v, n) => s + Math.abs(v - x[n]!), 0);
    x = next;
    if (change < 1e-15) break;
  }
  return x;
}
