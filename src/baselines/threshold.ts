/**
 * Intensity thresholding: Otsu's level per image (Otsu 1979, computed as scikit-image's
 * threshold_otsu: 256-bin histogram, the bin centre maximising the between-class variance), or one
 * level for all images — fixed, or tuned on the training cases to the best mean Dice. The polarity
 * (foreground above or below the level) is given, or chosen on the training cases.
 */
import type { FeatureImage } from './features.js';

/** The thresholded intensity: one channel, or the mean of the channels. */
export function intensityOf(image: FeatureImage, channel: number | null): Float32Array {
  const n = image.shape[0] * image.shape[1] * image.shape[2];
  if (channel !== null) return image.data.subarray(channel * n, (channel + 1) * n);
  const out = new Float32Array(n);
  for (let c = 0; c < image.channels; c++)
    for (let v = 0; v < n; v++) out[v]! += image.data[c * n + v]! / image.channels;
  return out;
}

/** scikit-image's threshold_otsu (nbins 256) over the values where `mask` is set (all when absent). */
export function otsuLevel(values: ArrayLike<number>, mask?: ArrayLike<number>): number {
  let min = Infinity,
    max = -Infinity;
  for (let v = 0; v < values.length; v++) {
    if (mask && !mask[v]) continue;
    const x = values[v]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (!(max > min)) return min;
  const bins = 256;
  const width = (max - min) / bins;
  const hist = new Float64Array(bins);
  for (let v = 0; v < values.length; v++) {
    if (mask && !mask[v]) continue;
    hist[Math.min(bins - 1, Math.floor((values[v]! - min) / width))]!++;
  }
  const centre = (b: number) => min + (b + 0.5) * width;
  // weight1/mean1: classes up to b; weight2/mean2: from b+1 on (skimage's cumulative sums)
  const total = hist.reduce((a, b) => a + b, 0);
  let w1 = 0,
    s1 = 0;
  let sAll = 0;
  for (let b = 0; b < bins; b++) sAll += hist[b]! * centre(b);
  let best = -1,
    bestB = 0;
  for (let b = 0; b < bins - 1; b++) {
    w1 += hist[b]!;
    s1 += hist[b]! * centre(b);
    const w2 = total - w1;
    if (w1 === 0 || w2 === 0) continue;
    const m1 = s1 / w1,
      m2 = (sAll - s1) / w2;
    const between = w1 * w2 * (m1 - m2) ** 2;
    if (between > best) {
      best = between;
      bestB = b;
    }
  }
  return centre(bestB);
}

/** Two-class probabilities [2, N]: a logistic of the distance to the level, so argmax is exactly the threshold. */
export function thresholdProbabilities(
  values: ArrayLike<number>,
  level: number,
  polarity: 'bright' | 'dark',
  scale: number,
): Float32Array {
  const n = values.length;
  const out = new Float32Array(2 * n);
  const s = scale > 0 ? scale : 1;
  for (let v = 0; v < n; v++) {
    const d = polarity === 'bright' ? values[v]! - level : level - values[v]!;
    const p = d === 0 ? 0.5 : 1 / (1 + Math.exp(-d / s));
    out[n + v] = p;
    out[v] = 1 - p;
  }
  return out;
}

/** One training case of the tuned threshold: intensities, labels, optional ROI. */
export interface ThresholdCase {
  values: ArrayLike<number>;
  label: Uint8Array;
  roi?: Uint8Array;
}

/** Mean Dice over cases of `values > level` ('bright') or `<= level` ('dark') against label 1, inside the ROI. */
export function meanDiceAt(
  cases: readonly ThresholdCase[],
  level: (c: ThresholdCase) => number,
  polarity: 'bright' | 'dark',
): number {
  let sum = 0;
  for (const c of cases) {
    const t = level(c);
    let tp = 0,
      fp = 0,
      fn = 0;
    for (let v = 0; v < c.label.length; v++) {
      if (c.roi && !c.roi[v]) continue;
      const p = polarity === 'bright' ? c.values[v]! > t : c.values[v]! <= t;
      const g = c.label[v] === 1;
      if (p && g) tp++;
      else if (p) fp++;
      else if (g) fn++;
    }
    sum += tp + fp + fn === 0 ? 1 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / cases.length;
}

/**
 * The level (and polarity) with the best mean Dice over the cases: candidates are the 1st…99th
 * percentiles of the pooled intensities and the midpoints between them; each case's Dice at every candidate comes from cumulative
 * per-bin counts, so the search is linear in the voxels.
 */
export function tuneLevel(
  cases: readonly ThresholdCase[],
  polarities: ReadonlyArray<'bright' | 'dark'>,
): { level: number; polarity: 'bright' | 'dark'; dice: number } {
  const pooled: number[] = [];
  for (const c of cases) for (let v = 0; v < c.values.length; v += 7) if (!c.roi || c.roi[v]) pooled.push(c.values[v]!);
  pooled.sort((a, b) => a - b);
  const percentiles = [
    ...new Set(Array.from({ length: 99 }, (_, i) => pooled[Math.floor(((i + 1) / 100) * (pooled.length - 1))]!)),
  ];
  // and the midpoints between them, so a gap between two intensity modes has a candidate in it
  const levels = percentiles.flatMap((p, i) => (i + 1 < percentiles.length ? [p, (p + percentiles[i + 1]!) / 2] : [p]));
  const L = levels.length;
  // per case: foreground/background counts with values <= level[l] (cumulative over l)
  const diceSum = { bright: new Float64Array(L), dark: new Float64Array(L) };
  for (const c of cases) {
    const fgBelow = new Float64Array(L + 1),
      bgBelow = new Float64Array(L + 1);
    let fgAll = 0,
      bgAll = 0;
    for (let v = 0; v < c.label.length; v++) {
      if (c.roi && !c.roi[v]) continue;
      const x = c.values[v]!;
      // first level index with x <= level
      let lo = 0,
        hi = L;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (x <= levels[mid]!) hi = mid;
        else lo = mid + 1;
      }
      if (c.label[v] === 1) {
        fgBelow[lo]!++;
        fgAll++;
      } else {
        bgBelow[lo]!++;
        bgAll++;
      }
    }
    let fgLe = 0,
      bgLe = 0;
    for (let l = 0; l < L; l++) {
      fgLe += fgBelow[l]!;
      bgLe += bgBelow[l]!;
      // bright: predicted = x > level; dark: predicted = x <= level
      const dice = (tp: number, fp: number, fn: number) => (tp + fp + fn === 0 ? 1 : (2 * tp) / (2 * tp + fp + fn));
      diceSum.bright[l]! += dice(fgAll - fgLe, bgAll - bgLe, fgLe);
      diceSum.dark[l]! += dice(fgLe, bgLe, fgAll - fgLe);
    }
  }
  let best = { level: levels[0] ?? 0, polarity: polarities[0]!, dice: -1 };
  for (const p of polarities)
    for (let l = 0; l < L; l++) {
      const d = diceSum[p][l]! / cases.length;
      if (d > best.dice) best = { level: levels[l]!, polarity: p, dice: d };
    }
  return best;
}
