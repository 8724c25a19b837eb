import type { Vec3 } from '../io/image.js';

/**
 * Exact Euclidean distance transform in millimetres: for every voxel, the distance from its centre
 * to the centre of the nearest non-zero voxel of `features`, with anisotropic `spacing` honoured
 * (Infinity everywhere when there is no feature). Separable lower-envelope-of-parabolas algorithm
 * of Felzenszwalb & Huttenlocher (Theory of Computing 8, 2012), run once per axis: O(n) in the
 * voxel count, exact (not a chamfer approximation).
 */
export function distanceTransform(features: Uint8Array, shape: Vec3, spacing: Vec3): Float64Array {
  const d = squaredDistanceTransform(features, shape, spacing);
  for (let v = 0; v < d.length; v++) d[v] = Math.sqrt(d[v]!);
  return d;
}

/** The same, squared (mm²): what the separable passes compute; a square root away from distances. */
export function squaredDistanceTransform(features: Uint8Array, shape: Vec3, spacing: Vec3): Float64Array {
  const [n0, n1, n2] = shape;
  const total = n0 * n1 * n2;
  if (features.length !== total) {
    throw new RangeError(`distanceTransform: ${features.length} voxels for shape [${shape.join(', ')}]`);
  }
  const d = new Float64Array(total);
  for (let v = 0; v < total; v++) d[v] = features[v] !== 0 ? 0 : Infinity;
  const longest = Math.max(n0, n1, n2);
  const line = new Float64Array(longest);
  const out = new Float64Array(longest);
  const sites = new Int32Array(longest);
  const bounds = new Float64Array(longest + 1);
  const strides = [1, n0, n0 * n1];
  for (let axis = 0; axis < 3; axis++) {
    const n = shape[axis]!;
    if (n === 1) continue;
    const stride = strides[axis]!;
    const w = spacing[axis]!;
    // Starts of all lines along `axis`: every voxel whose coordinate on that axis is 0.
    const [a, b] = [0, 1, 2].filter((x) => x !== axis) as [number, number];
    for (let ib = 0; ib < shape[b]!; ib++) {
      for (let ia = 0; ia < shape[a]!; ia++) {
        const start = ia * strides[a]! + ib * strides[b]!;
        for (let q = 0, v = start; q < n; q++, v += stride) line[q] = d[v]!;
        envelope1d(line, out, n, w, sites, bounds);
        for (let q = 0, v = start; q < n; q++, v += stride) d[v] = out[q]!;
      }
    }
  }
  return d;
}

/**
 * 1D squared distance transform of sampled function f (Infinity = no site) on a line with spacing w:
 * out[q] = min_p (w·(q − p))² + f[p]. Sites with f = Infinity are skipped, so no Infinity − Infinity arises.
 */
function envelope1d(
  f: Float64Array,
  out: Float64Array,
  n: number,
  w: number,
  sites: Int32Array,
  bounds: Float64Array,
): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q]!;
    if (fq === Infinity) continue;
    const xq = q * w;
    if (k < 0) {
      k = 0;
      sites[0] = q;
      bounds[0] = -Infinity;
      bounds[1] = Infinity;
      continue;
    }
    let s: number;
    for (;;) {
      const p = sites[k]!;
      const xp = p * w;
      s = (fq + xq * xq - (f[p]! + xp * xp)) / (2 * (xq - xp));
      if (s <= bounds[k]!) k--;
      else break;
    }
    k++;
    sites[k] = q;
    bounds[k] = s;
    bounds[k + 1] = Infinity;
  }
  if (k < 0) {
    out.fill(Infinity, 0, n);
    return;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    const xq = q * w;
    while (bounds[k + 1]! < xq) k++;
    const p = sites[k]!;
    const dx = xq - p * w;
    out[q] = dx * dx + f[p]!;
  }
}
