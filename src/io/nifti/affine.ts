/**
 * NIfTI affines (RAS world) and their translation to the LPS geometry of an `Image`.
 *
 * Affine choice follows nibabel's `get_best_affine`: the sform when sform_code != 0, else the qform
 * when qform_code != 0, else the Analyze "base" affine from pixdim (SPM's origin for Analyze files).
 */
import type { Mat3, Vec3 } from '../image.js';
import { cross, determinant, nearestOrthogonal, norm } from '../matrix.js';
import type { NiftiHeader } from './header.js';

/** A 3×4 affine, row-major: world = A[:, :3] · index + A[:, 3]. */
export type Affine = [number, number, number, number, number, number, number, number, number, number, number, number];

export type AffineSource = 'sform' | 'qform' | 'base';

export function bestAffine(h: NiftiHeader): { affine: Affine; source: AffineSource } {
  if (h.version !== 0 && h.sformCode !== 0) return { affine: h.srow.slice() as Affine, source: 'sform' };
  if (h.version !== 0 && h.qformCode !== 0) return { affine: qformAffine(h), source: 'qform' };
  return { affine: baseAffine(h), source: 'base' };
}

/** Rotation matrix of the unit quaternion (a, b, c, d), normalised as nibabel's quat2mat does. */
export function quaternionToMatrix(a: number, b: number, c: number, d: number): Mat3 {
  const n = a * a + b * b + c * c + d * d;
  if (n < 1e-300) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const s = 2 / n;
  return [
    1 - s * (c * c + d * d),
    s * (b * c - a * d),
    s * (b * d + a * c),
    s * (b * c + a * d),
    1 - s * (b * b + d * d),
    s * (c * d - a * b),
    s * (b * d - a * c),
    s * (c * d + a * b),
    1 - s * (b * b + c * c),
  ];
}

/** The qform affine: R(quaternion) · diag(pixdim1, pixdim2, qfac · pixdim3) plus qoffset. */
export function qformAffine(h: NiftiHeader): Affine {
  const [b, c, d] = h.quatern;
  const w2 = 1 - (b * b + c * c + d * d);
  // Round-off can push |bcd| just above 1: then a = 0 and the matrix is renormalised (as nibabel/nifti_clib).
  const a = w2 > 0 ? Math.sqrt(w2) : 0;
  const r = quaternionToMatrix(a, b, c, d);
  const qfac = h.pixdim[0]! < 0 ? -1 : 1;
  const zoom = [Math.abs(h.pixdim[1]!), Math.abs(h.pixdim[2]!), qfac * Math.abs(h.pixdim[3]!)];
  return [
    r[0] * zoom[0]!,
    r[1] * zoom[1]!,
    r[2] * zoom[2]!,
    h.qoffset[0],
    r[3] * zoom[0]!,
    r[4] * zoom[1]!,
    r[5] * zoom[2]!,
    h.qoffset[1],
    r[6] * zoom[0]!,
    r[7] * zoom[1]!,
    r[8] * zoom[2]!,
    h.qoffset[2],
  ];
}

/**
 * nibabel's fallback: x flipped (radiological Analyze convention), centred on the volume, or on SPM's
 * 1-based origin when an Analyze header sets a plausible one.
 */
export function baseAffine(h: NiftiHeader): Affine {
  const shape = [0, 1, 2].map((a) => h.dims[a] ?? 1);
  const zooms = [0, 1, 2].map((a) => (a < h.dims.length ? h.pixdim[a + 1]! : 1));
  zooms[0] = -zooms[0]!;
  let origin = shape.map((n) => (n - 1) / 2);
  const spm = h.analyzeOrigin;
  if (h.version === 0 && spm.some((o) => o !== 0) && spm.every((o, a) => o > -shape[a]! && o < 2 * shape[a]!)) {
    origin = spm.map((o) => o - 1);
  }
  return [
    zooms[0]!,
    0,
    0,
    -origin[0]! * zooms[0]!,
    0,
    zooms[1]!,
    0,
    -origin[1]! * zooms[1]!,
    0,
    0,
    zooms[2]!,
    -origin[2]! * zooms[2]!,
  ];
}

export interface LpsGeometry {
  spacing: Vec3;
  origin: Vec3;
  direction: Mat3;
}

/**
 * LPS geometry of a RAS affine: LPS = diag(-1,-1,1) · RAS. Spacing is each column's length and the
 * direction its unit vector, so the affine is reproduced exactly (shears included). A zero column
 * (degenerate affine) gets spacing 1 along a direction completing a right-handed frame.
 */
export function affineToGeometry(affine: Affine): LpsGeometry {
  const lps = affine.map((v, n) => (n < 8 ? -v + 0 : v)); // + 0 turns -0 into 0
  const cols = [0, 1, 2].map((c) => [lps[c]!, lps[4 + c]!, lps[8 + c]!]);
  const spacing = cols.map(norm) as Vec3;
  const units = cols.map((col, c) => (spacing[c]! > 0 ? col.map((x) => x / spacing[c]!) : null));
  for (let c = 0; c < 3; c++) {
    if (units[c]) continue;
    spacing[c] = 1;
    const others = units.filter((u, n) => n !== c && u) as number[][];
    let u: number[];
    if (others.length === 2) u = c === 1 ? cross(others[1]!, others[0]!) : cross(others[0]!, others[1]!);
    else {
      u = [0, 0, 0];
      u[c] = c === 2 ? 1 : -1;
    }
    const len = norm(u) || 1;
    units[c] = u.map((x) => x / len);
  }
  const [u0, u1, u2] = units as number[][];
  return {
    spacing,
    origin: [lps[3]!, lps[7]!, lps[11]!],
    direction: [u0![0]!, u1![0]!, u2![0]!, u0![1]!, u1![1]!, u2![1]!, u0![2]!, u1![2]!, u2![2]!],
  };
}

/** RAS affine of an LPS geometry (the inverse of `affineToGeometry`). */
export function geometryToAffine(g: LpsGeometry): Affine {
  const out = new Array<number>(12);
  for (let r = 0; r < 3; r++) {
    const sign = r < 2 ? -1 : 1;
    for (let c = 0; c < 3; c++) out[r * 4 + c] = sign * g.direction[r * 3 + c]! * g.spacing[c]!;
    out[r * 4 + 3] = sign * g.origin[r]!;
  }
  return out as Affine;
}

export interface Quaternion {
  b: number;
  c: number;
  d: number;
  qfac: 1 | -1;
}

/**
 * The qform quaternion of a RAS direction matrix (unit columns). A left-handed matrix gets qfac -1
 * (its third column negated); a non-orthogonal one is replaced by its nearest orthogonal matrix,
 * since a qform can only hold a rotation.
 */
export function directionToQuaternion(rasDirection: Mat3): Quaternion {
  let r = nearestOrthogonal(rasDirection);
  let qfac: 1 | -1 = 1;
  if (determinant(r) < 0) {
    qfac = -1;
    r = [r[0], r[1], -r[2], r[3], r[4], -r[5], r[6], r[7], -r[8]];
  }
  // Shepperd's method: pick the largest of 4a², 4b², 4c², 4d² for stability.
  const trace = r[0] + r[4] + r[8];
  let a: number, b: number, c: number, d: number;
  if (trace > 0) {
    const s = 2 * Math.sqrt(1 + trace);
    a = s / 4;
    b = (r[7] - r[5]) / s;
    c = (r[2] - r[6]) / s;
    d = (r[3] - r[1]) / s;
  } else if (r[0] > r[4] && r[0] > r[8]) {
    const s = 2 * Math.sqrt(1 + r[0] - r[4] - r[8]);
    a = (r[7] - r[5]) / s;
    b = s / 4;
    c = (r[1] + r[3]) / s;
    d = (r[2] + r[6]) / s;
  } else if (r[4] > r[8]) {
    const s = 2 * Math.sqrt(1 + r[4] - r[0] - r[8]);
    a = (r[2] - r[6]) / s;
    b = (r[1] + r[3]) / s;
    c = s / 4;
    d = (r[5] + r[7]) / s;
  } else {
    const s = 2 * Math.sqrt(1 + r[8] - r[0] - r[4]);
    a = (r[3] - r[1]) / s;
    b = (r[2] + r[6]) / s;
    c = (r[5] + r[7]) / s;
    d = s / 4;
  }
  // The header stores only b, c, d and recovers a = sqrt(1 - b² - c² - d²) >= 0.
  if (a < 0) {
    b = -b;
    c = -c;
    d = -d;
  }
  return { b, c, d, qfac };
}
