/**
 * Activation range observers. 'minmax' takes the extremes seen (PyTorch's MinMaxObserver). 'histogram'
 * (the default) collects a 2048-bin histogram over those extremes and picks the range that minimises
 * the expected quantization error, clipping rare outliers when that costs less than the coarser steps
 * they would force on every other value (the idea of PyTorch's HistogramObserver): for uint8 with step
 * Δ = (hi − lo)/255, a value inside the range costs Δ²/12 and one outside costs its distance² to the
 * range. Candidate ends are the histogram's tail quantiles.
 */
import type { ValueRange } from '../infer/int8/qparams.js';

export type Observer = 'minmax' | 'histogram';
export const HISTOGRAM_BINS = 2048;

const TAILS = [0, 1e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2];

/** The histogram's value at cumulative fraction q (bin edges interpolated). */
function quantile(counts: Float64Array, range: ValueRange, q: number): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const width = (range.max - range.min) / counts.length;
  const target = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    if (cumulative + counts[i]! >= target) {
      const within = counts[i]! > 0 ? (target - cumulative) / counts[i]! : 0;
      return range.min + (i + within) * width;
    }
    cumulative += counts[i]!;
  }
  return range.max;
}

/** Expected squared error of quantizing the histogram's values to uint8 over [lo, hi] (0 included). */
export function quantizationError(counts: Float64Array, range: ValueRange, lo: number, hi: number): number {
  const a = Math.min(lo, 0);
  const b = Math.max(hi, 0);
  const step = (b - a) / 255;
  const inside = (step * step) / 12;
  const width = (range.max - range.min) / counts.length;
  let error = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    if (n === 0) continue;
    const c = range.min + (i + 0.5) * width;
    error += n * (c < a ? (a - c) ** 2 : c > b ? (c - b) ** 2 : inside);
  }
  return error;
}

/** The range with the least expected quantization error, among the histogram's tail quantiles. */
export function bestRange(counts: Float64Array, range: ValueRange): ValueRange {
  if (!(range.max > range.min)) return range;
  let best = range;
  let bestError = quantizationError(counts, range, range.min, range.max);
  for (const lowTail of TAILS) {
    const lo = lowTail === 0 ? range.min : quantile(counts, range, lowTail);
    for (const highTail of TAILS) {
      const hi = highTail === 0 ? range.max : quantile(counts, range, 1 - highTail);
      if (!(hi > lo)) continue;
      const e = quantizationError(counts, range, lo, hi);
      if (e < bestError) {
        bestError = e;
        best = { min: lo, max: hi };
      }
    }
  }
  return best;
}
