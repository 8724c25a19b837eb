/**
 * Separable Gaussian derivative filters on Float32Array volumes (i fastest, then j, then k), with
 * scipy.ndimage's 'reflect' border (d c b a | a b c d) and its kernels: radius round(4σ), the Gaussian
 * normalised to sum 1, its first derivative −x/σ²·g and second (x²/σ⁴ − 1/σ²)·g (applied as
 * convolutions, as scipy.ndimage.gaussian_filter does).
 */

/** Gaussian (order 0), first (1) or second (2) derivative kernel for σ in voxels. */
export function gaussianDerivativeKernel(sigma: number, order: 0 | 1 | 2): Float32Array {
  const radius = Math.max(1, Math.floor(4 * sigma + 0.5));
  const g = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let x = -radius; x <= radius; x++) total += g[x + radius] = Math.exp((-0.5 * x * x) / (sigma * sigma));
  const k = new Float32Array(g.length);
  const s2 = sigma * sigma;
  for (let x = -radius; x <= radius; x++) {
    const v = g[x + radius]! / total;
    // a correlation kernel: the derivative at the centre weighs the sample at offset x by g'(−x) = (x/σ²)·g
    k[x + radius] = order === 0 ? v : order === 1 ? (x / s2) * v : ((x * x) / (s2 * s2) - 1 / s2) * v;
  }
  return k;
}

function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

/**
 * Correlates `src` (shape [ni, nj, nk]) with `kernel` along `axis` (0 = i, 1 = j, 2 = k), as
 * scipy.ndimage.correlate1d: out[x] = Σ_t kernel[t + r]·src[x + t].
 */
export function filterAxis(
  src: Float32Array,
  shape: readonly [number, number, number],
  axis: 0 | 1 | 2,
  kernel: Float32Array,
): Float32Array {
  const [ni, nj, nk] = shape;
  const n = shape[axis];
  const stride = axis === 0 ? 1 : axis === 1 ? ni : ni * nj;
  const out = new Float32Array(src.length);
  const r = (kernel.length - 1) / 2;
  const line = new Float32Array(n + 2 * r);
  const lines = src.length / n;
  for (let l = 0; l < lines; l++) {
    // the first voxel of line l
    let base: number;
    if (axis === 0) base = l * ni;
    else if (axis === 1) base = (l % ni) + Math.floor(l / ni) * ni * nj;
    else base = l;
    for (let x = -r; x < n + r; x++) line[x + r] = src[base + reflectIndex(x, n) * stride]!;
    for (let x = 0; x < n; x++) {
      let acc = 0;
      for (let t = 0; t < kernel.length; t++) acc += kernel[t]! * line[x + t]!;
      out[base + x * stride] = acc;
    }
  }
  void nk;
  return out;
}

/** Derivative orders along (i, j, k) → filtered image; σ per axis in voxels. */
export function gaussianDerivatives(
  src: Float32Array,
  shape: readonly [number, number, number],
  sigmas: readonly number[],
  orders: ReadonlyArray<readonly number[]>,
): Map<string, Float32Array> {
  const dims = sigmas.length;
  const kernels = sigmas.map((s) => [0, 1, 2].map((o) => gaussianDerivativeKernel(s, o as 0 | 1 | 2)));
  const cache = new Map<string, Float32Array>();
  const filtered = (prefix: readonly number[]): Float32Array => {
    if (prefix.length === 0) return src;
    const key = prefix.join(',');
    let hit = cache.get(key);
    if (!hit) {
      const axis = prefix.length - 1;
      hit = filterAxis(filtered(prefix.slice(0, -1)), shape, axis as 0 | 1 | 2, kernels[axis]![prefix[axis]!]!);
      cache.set(key, hit);
    }
    return hit;
  };
  const out = new Map<string, Float32Array>();
  for (const o of orders) {
    if (o.length !== dims) throw new RangeError(`derivative orders [${o.join(', ')}] for ${dims} axes`);
    out.set(o.join(','), filtered(o));
  }
  return out;
}
