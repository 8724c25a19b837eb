/** Small statistics helpers with numpy's conventions (so plans match nnU-Net's). */

/** numpy's `np.percentile(values, q)` with linear interpolation; `sorted` must be ascending. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (q / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const frac = pos - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * frac;
}

export function percentile(values: ArrayLike<number>, q: number): number {
  return percentileSorted(Float64Array.from(values).sort(), q);
}

export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/** numpy's `np.round`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Per-axis percentile over rows of equal length. */
export function columnPercentile(rows: readonly (readonly number[])[], q: number): number[] {
  const width = rows[0]?.length ?? 0;
  return Array.from({ length: width }, (_, d) => percentile(rows.map((r) => r[d]!), q));
}
