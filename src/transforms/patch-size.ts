/**
 * The patch loaded before spatial augmentation is larger than the network's patch, so that after
 * rotation and scaling the final centre crop has no empty corners (nnU-Net v2:
 * configure_rotation_dummyDA_mirroring_and_inital_patch_size + batchgenerators' get_patch_size).
 * Axis order is the image's (i, j[, k]); angles in degrees.
 */

const DEG = Math.PI / 180;

/**
 * nnU-Net's default rotation range for a patch: 2D ±180° (±15° when one side is > 1.5× the other);
 * 3D ±30° (±180° about the coarse axis only when the patch is > 3× longer in-plane: nnU-Net's
 * "dummy 2D" case, reported here as ±180°).
 */
export function defaultRotationDegrees(patchSize: readonly number[]): [number, number] {
  const max = Math.max(...patchSize),
    min = Math.min(...patchSize);
  if (patchSize.length === 2) return max / min > 1.5 ? [-15, 15] : [-180, 180];
  return max / min > 3 ? [-180, 180] : [-30, 30];
}

type Mat = number[][];
const mul = (a: Mat, b: Mat): Mat => a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, k) => s + x * b[k]![j]!, 0)));
const rowTimes = (v: readonly number[], m: Mat): number[] =>
  m[0]!.map((_, j) => v.reduce((s, x, k) => s + x * m[k]![j]!, 0));

function rotateCoords3d(coords: readonly number[], ax: number, ay: number, az: number): number[] {
  let r: Mat = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  r = mul(r, [
    [1, 0, 0],
    [0, Math.cos(ax), -Math.sin(ax)],
    [0, Math.sin(ax), Math.cos(ax)],
  ]);
  r = mul(r, [
    [Math.cos(ay), 0, Math.sin(ay)],
    [0, 1, 0],
    [-Math.sin(ay), 0, Math.cos(ay)],
  ]);
  r = mul(r, [
    [Math.cos(az), -Math.sin(az), 0],
    [Math.sin(az), Math.cos(az), 0],
    [0, 0, 1],
  ]);
  return rowTimes(coords, r);
}

function rotateCoords2d(coords: readonly number[], a: number): number[] {
  return rowTimes(coords, [
    [Math.cos(a), -Math.sin(a)],
    [Math.sin(a), Math.cos(a)],
  ]);
}

/**
 * batchgenerators' get_patch_size: the patch grown to hold the final patch rotated by the largest
 * angle (capped at 90°) about each axis, divided by the smallest scale (nnU-Net passes 0.85–1.25
 * here), truncated to integers.
 */
export function augmentationPatchSize(
  finalPatch: readonly number[],
  rotationDeg: readonly [number, number] = defaultRotationDegrees(finalPatch),
  scaleRange: readonly [number, number] = [0.85, 1.25],
): number[] {
  const angle = Math.min(90 * DEG, Math.max(Math.abs(rotationDeg[0]), Math.abs(rotationDeg[1])) * DEG);
  // nnU-Net works in (z, y, x) order: reverse, compute as it does, reverse back.
  const patch = [...finalPatch].reverse();
  let shape = [...patch];
  const grow = (rotated: number[]) => (shape = shape.map((s, d) => Math.max(s, Math.abs(rotated[d]!))));
  if (patch.length === 3) {
    grow(rotateCoords3d(patch, angle, 0, 0));
    grow(rotateCoords3d(patch, 0, angle, 0));
    grow(rotateCoords3d(patch, 0, 0, angle));
  } else if (patch.length === 2) {
    grow(rotateCoords2d(patch, angle));
  }
  return shape.map((s) => Math.trunc(s / Math.min(...scaleRange))).reverse();
}
