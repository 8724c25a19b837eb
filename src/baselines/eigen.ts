/** Eigenvalues of symmetric 2×2 and 3×3 matrices (Hessians), closed form, sorted ascending. */

/** [λ1 ≤ λ2] of [[a, b], [b, c]]. */
export function eigenSym2(a: number, b: number, c: number): [number, number] {
  const m = (a + c) / 2;
  const d = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  return [m - d, m + d];
}

/**
 * [λ1 ≤ λ2 ≤ λ3] of [[a, d, e], [d, b, f], [e, f, c]] by the trigonometric method (Smith 1961):
 * exact for repeated eigenvalues, no iteration.
 */
export function eigenSym3(a: number, b: number, c: number, d: number, e: number, f: number): [number, number, number] {
  const p1 = d * d + e * e + f * f;
  if (p1 === 0) {
    const v = [a, b, c].sort((x, y) => x - y);
    return [v[0]!, v[1]!, v[2]!];
  }
  const q = (a + b + c) / 3;
  const p2 = (a - q) ** 2 + (b - q) ** 2 + (c - q) ** 2 + 2 * p1;
  const p = Math.sqrt(p2 / 6);
  const ba = (a - q) / p,
    bb = (b - q) / p,
    bc = (c - q) / p,
    bd = d / p,
    be = e / p,
    bf = f / p;
  const det = ba * (bb * bc - bf * bf) - bd * (bd * bc - bf * be) + be * (bd * bf - bb * be);
  const r = det / 2;
  const phi = r <= -1 ? Math.PI / 3 : r >= 1 ? 0 : Math.acos(r) / 3;
  const l3 = q + 2 * p * Math.cos(phi);
  const l1 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  return [l1, 3 * q - l1 - l3, l3];
}
