/**
 * ROC curves pooled over the out-of-fold predictions: per foreground class, histograms (1000 bins
 * over [0, 1]) of the predicted probability of positive and negative voxels inside the ROI. Summed
 * over cases they give the curve at every bin edge without keeping millions of scores.
 */
export const ROC_BINS = 1000;

export interface RocHistogram {
  /** Class label value. */
  label: number;
  positives: number[];
  negatives: number[];
}

/** Adds one case: probabilities [K, N], truth label per voxel, optional ROI. */
export function addToRoc(
  hist: RocHistogram[],
  probabilities: ArrayLike<number>,
  truth: ArrayLike<number>,
  numClasses: number,
  roi?: ArrayLike<number>,
): RocHistogram[] {
  const n = truth.length;
  const out = hist.length
    ? hist
    : Array.from({ length: numClasses - 1 }, (_, k) => ({
        label: k + 1,
        positives: Array<number>(ROC_BINS).fill(0),
        negatives: Array<number>(ROC_BINS).fill(0),
      }));
  for (const h of out) {
    const base = h.label * n;
    for (let v = 0; v < n; v++) {
      if (roi && !roi[v]) continue;
      const bin = Math.min(ROC_BINS - 1, Math.max(0, Math.floor(probabilities[base + v]! * ROC_BINS)));
      if (truth[v] === h.label) h.positives[bin]!++;
      else h.negatives[bin]!++;
    }
  }
  return out;
}

/** Sums histograms of several folds (same classes). */
export function mergeRoc(parts: RocHistogram[][]): RocHistogram[] {
  const out: RocHistogram[] = [];
  for (const part of parts)
    for (const h of part) {
      let into = out.find((o) => o.label === h.label);
      if (!into) {
        into = {
          label: h.label,
          positives: Array<number>(ROC_BINS).fill(0),
          negatives: Array<number>(ROC_BINS).fill(0),
        };
        out.push(into);
      }
      for (let b = 0; b < ROC_BINS; b++) {
        into.positives[b]! += h.positives[b]!;
        into.negatives[b]! += h.negatives[b]!;
      }
    }
  return out;
}

/** The curve (false-positive rate, true-positive rate) from the highest threshold down, and its trapezoidal area. */
export function rocCurve(h: RocHistogram): { fpr: number[]; tpr: number[]; auc: number } {
  const P = h.positives.reduce((a, b) => a + b, 0),
    N = h.negatives.reduce((a, b) => a + b, 0);
  const fpr = [0],
    tpr = [0];
  let tp = 0,
    fp = 0,
    auc = 0;
  for (let b = ROC_BINS - 1; b >= 0; b--) {
    if (h.positives[b] === 0 && h.negatives[b] === 0) continue;
    tp += h.positives[b]!;
    fp += h.negatives[b]!;
    const x = N ? fp / N : 0,
      y = P ? tp / P : 0;
    auc += (x - fpr[fpr.length - 1]!) * (y + tpr[tpr.length - 1]!) * 0.5;
    fpr.push(x);
    tpr.push(y);
  }
  return { fpr, tpr, auc };
}
