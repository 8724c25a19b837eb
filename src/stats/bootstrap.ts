import { percentileOfSorted } from '../util/percentile.js';
import { Random } from '../util/random.js';

export interface BootstrapOptions {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /** Seed of the resampling (default 0): the same seed and values give the same interval. */
  seed?: number;
}

/**
 * Percentile bootstrap confidence interval of the mean: resample the values with replacement
 * `resamples` times, take the mean of each, and report the (1−level)/2 and (1+level)/2 percentiles
 * of those means. [x, x] for one value; [NaN, NaN] for none.
 *
 * @example
 * ```ts
 * const [low, high] = bootstrapMeanCi([0.81, 0.84, 0.79, 0.88], { resamples: 2000, seed: 0 });
 * ```
 */
export function bootstrapMeanCi(values: ArrayLike<number>, options: BootstrapOptions = {}): [number, number] {
  const n = values.length;
  if (n === 0) return [NaN, NaN];
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const random = new Random(options.seed ?? 0);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[random.int(n)]!;
    means[r] = sum / n;
  }
  means.sort();
  const tail = ((1 - level) / 2) * 100;
  return [percentileOfSorted(means, tail), percentileOfSorted(means, 100 - tail)];
}

/**
 * Percentile bootstrap confidence interval of any statistic of n cases: the statistic of `resamples`
 * resamples of the case indices (with replacement), and the (1−level)/2 and (1+level)/2 percentiles of
 * the finite values among them (a resample where the statistic is undefined, e.g. an AUC drawn without
 * a positive, is left out). [NaN, NaN] when no resample gives a value.
 */
export function bootstrapCi(
  n: number,
  statistic: (indices: Uint32Array) => number | null,
  options: BootstrapOptions = {},
): [number, number] {
  if (n === 0) return [NaN, NaN];
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const random = new Random(options.seed ?? 0);
  const values: number[] = [];
  const indices = new Uint32Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) indices[i] = random.int(n);
    const v = statistic(indices);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (values.length === 0) return [NaN, NaN];
  const sorted = Float64Array.from(values).sort();
  const tail = ((1 - level) / 2) * 100;
  return [percentileOfSorted(sorted, tail), percentileOfSorted(sorted, 100 - tail)];
}
