/**
 * The q-th percentile (0–100) of `values` with linear interpolation between order statistics — numpy's
 * default (`np.percentile(x, q)`, method "linear"), which MONAI's HD95 uses. NaN for no values.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return percentileOfSorted(sorted, q);
}

/** The same on values already sorted ascending. */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = (Math.min(100, Math.max(0, q)) / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(n - 1, lo + 1);
  const t = rank - lo;
  return sorted[lo]! + t * (sorted[hi]! - sorted[lo]!);
}

/** The median (the 50th percentile: the mean of the two middle values for an even count). */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}
