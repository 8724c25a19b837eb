/**
 * Matrix helpers for the spatial transform, all in tensor axis order (0 = D in 3D, H in 2D).
 * A patch voxel o maps to source voxel x = centre + M·(o − (P−1)/2 + d(o)), M = R·Sh·diag(scales),
 * d an optional displacement field (voxels).
 */

export type Matrix = number[][];

const snap = (v: number): number => (Math.abs(v) < 1e-12 ? 0 : v);

/** Rotation by `angle` in the plane of axes (i, j), i < j: x_i' = c·x_i − s·x_j, x_j' = s·x_i + c·x_j. */
export function planeRotation(n: number, i: number, j: number, angle: number): Matrix {
  const m = identity(n);
  const c = snap(Math.cos(angle));
  const s = snap(Math.sin(angle));
  m[i]![i] = c;
  m[i]![j] = -s;
  m[j]![i] = s;
  m[j]![j] = c;
  return m;
}

export function identity(n: number): Matrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

export function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

/** The (i, j) planes of n axes, i < j; rotation "about axis k" in 3D uses the plane of the other two. */
export function planes(n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push([i, j]);
  return out;
}

/**
 * Rotation matrix: 2D one angle in the (0, 1) plane; 3D one angle about each axis, applied as
 * R = R₀·R₁·R₂ where Rₖ turns the plane of the two other axes.
 */
export function rotationMatrix(angles: readonly number[], n: number): Matrix {
  if (n === 2) return planeRotation(2, 0, 1, angles[0] ?? 0);
  if (n !== 3) throw new RangeError(`rotation needs 2 or 3 spatial axes, got ${n}`);
  let r = identity(3);
  for (let k = 0; k < 3; k++) {
    const [i, j] = [0, 1, 2].filter((a) => a !== k) as [number, number];
    r = matmul(r, planeRotation(3, i, j, angles[k] ?? 0));
  }
  return r;
}

/**
 * Shear: the unit lower-triangular matrix with tan(angle) at (j, i) for the planes (i, j), i < j, in
 * `planes` order — 2D one angle, the last axis (W) shifted in proportion to H (torchvision's shear
 * along x); 3D one per plane.
 */
export function shearMatrix(angles: readonly number[], n: number): Matrix {
  const m = identity(n);
  planes(n).forEach(([i, j], k) => {
    m[j]![i] = snap(Math.tan(angles[k] ?? 0));
  });
  return m;
}

/** The linear part of the spatial transform: rotation · shear · diag(scales). */
export function linearPart(
  angles: readonly number[],
  scales: readonly number[],
  n: number,
  shears: readonly number[] = [],
): Matrix {
  const r = shears.length ? matmul(rotationMatrix(angles, n), shearMatrix(shears, n)) : rotationMatrix(angles, n);
  return r.map((row) => row.map((v, j) => v * (scales[j] ?? 1)));
}

export const isIdentity = (m: Matrix): boolean => m.every((row, i) => row.every((v, j) => v === (i === j ? 1 : 0)));

/**
 * The affine_grid theta (grid order: x = last tensor axis) mapping the output patch of size P
 * onto a source of size S whose voxel coordinates are shifted so that `centre` is the patch centre,
 * for align_corners = false: g = diag(2/S)·(c + M·diag(P/2)·v) + 1/S − 1.
 */
export function gridTheta(
  m: Matrix,
  centre: readonly number[],
  patch: readonly number[],
  source: readonly number[],
): number[] {
  const n = patch.length;
  const theta: number[] = [];
  for (let gi = 0; gi < n; gi++) {
    const ti = n - 1 - gi;
    const s = source[ti]!;
    for (let gj = 0; gj < n; gj++) {
      const tj = n - 1 - gj;
      theta.push((2 / s) * m[ti]![tj]! * (patch[tj]! / 2));
    }
    theta.push((2 / s) * centre[ti]! + 1 / s - 1);
  }
  return theta;
}
