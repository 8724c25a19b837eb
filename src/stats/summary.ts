import { percentile } from '../util/percentile.js';

export interface Summary {
  count: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  std: number;
  median: number;
  min: number;
  max: number;
}

/** Summary statistics of finite values; NaN fields (count 0) for none. */
export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) return { count: 0, mean: NaN, std: NaN, median: NaN, min: NaN, max: NaN };
  let sum = 0,
    min = Infinity,
    max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  return { count: n, mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, median: percentile(values, 50), min, max };
}
