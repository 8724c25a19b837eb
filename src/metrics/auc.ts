/**
 * Scores split by the binary truth (non-zero = positive), keeping only entries where `roi` is non-zero.
 * Each part is sorted ascending. NaN scores are refused: they have no place in a ranking.
 */
export function splitScores(
  scores: ArrayLike<number>,
  truth: ArrayLike<number | boolean>,
  roi?: ArrayLike<number>,
): { positives: Float64Array; negatives: Float64Array } {
  if (scores.length !== truth.length || (roi && roi.length !== truth.length)) {
    throw new RangeError(`AUC: scores, truth${roi ? ' and ROI' : ''} differ in length`);
  }
  let nPos = 0,
    nNeg = 0;
  for (let v = 0; v < truth.length; v++) {
    if (roi && roi[v] === 0) continue;
    if (Number.isNaN(scores[v])) throw new RangeError(`AUC: score ${v} is NaN`);
    if (truth[v]) nPos++;
    else nNeg++;
  }
  const positives = new Float64Array(nPos),
    negatives = new Float64Array(nNeg);
  let p = 0,
    n = 0;
  for (let v = 0; v < truth.length; v++) {
    if (roi && roi[v] === 0) continue;
    if (truth[v]) positives[p++] = scores[v]!;
    else negatives[n++] = scores[v]!;
  }
  positives.sort();
  negatives.sort();
  return { positives, negatives };
}

/**
 * Area under the ROC curve, exact: the Mann–Whitney probability that a random positive scores
 * above a random negative, ties counting one half — U / (n₊·n₋), identical to the trapezoidal ROC
 * area with tied scores as one threshold (scikit-learn's roc_auc_score). Null when the truth (inside
 * the ROI) has no positive or no negative: the AUC is undefined there.
 */
export function rocAuc(
  scores: ArrayLike<number>,
  truth: ArrayLike<number | boolean>,
  roi?: ArrayLike<number>,
): number | null {
  const { positives, negatives } = splitScores(scores, truth, roi);
  return rocAucSorted(positives, negatives);
}

/** The same from scores already split and sorted ascending. */
export function rocAucSorted(positives: Float64Array, negatives: Float64Array): number | null {
  if (positives.length === 0 || negatives.length === 0) return null;
  // Walk both sorted lists: for each distinct positive score, count negatives below and equal.
  let u = 0;
  let below = 0;
  let p = 0;
  while (p < positives.length) {
    const s = positives[p]!;
    let samePos = 0;
    while (p < positives.length && positives[p] === s) {
      p++;
      samePos++;
    }
    while (below < negatives.length && negatives[below]! < s) below++;
    let equal = 0;
    while (below + equal < negatives.length && negatives[below + equal] === s) equal++;
    u += samePos * (below + 0.5 * equal);
  }
  return u / (positives.length * negatives.length);
}

/**
 * Average precision: Σ (R_t − R_{t−1})·P_t over distinct score thresholds t from high to low — the
 * step-wise area under the precision–recall curve, as scikit-learn's average_precision_score
 * computes it (no interpolation). Null when there is no positive.
 */
export function averagePrecision(
  scores: ArrayLike<number>,
  truth: ArrayLike<number | boolean>,
  roi?: ArrayLike<number>,
): number | null {
  const { positives, negatives } = splitScores(scores, truth, roi);
  if (positives.length === 0) return null;
  let p = positives.length - 1,
    n = negatives.length - 1;
  let tp = 0,
    fp = 0,
    ap = 0,
    lastRecall = 0;
  while (p >= 0 || n >= 0) {
    const s = Math.max(p >= 0 ? positives[p]! : -Infinity, n >= 0 ? negatives[n]! : -Infinity);
    while (p >= 0 && positives[p] === s) {
      p--;
      tp++;
    }
    while (n >= 0 && negatives[n] === s) {
      n--;
      fp++;
    }
    const r = tp / positives.length;
    ap += (r - lastRecall) * (tp / (tp + fp));
    lastRecall = r;
  }
  return ap;
}

/**
 * One-vs-rest ROC AUC averaged over classes (macro), for C-class classification: `probabilities[i][c]`
 * is the score of class c for sample i, `labels[i]` its true class in 0..C−1. Classes absent from
 * `labels` (AUC undefined) are left out of the mean; null when no class has an AUC.
 */
export function rocAucOneVsRest(
  probabilities: ReadonlyArray<ArrayLike<number>>,
  labels: ArrayLike<number>,
): number | null {
  if (probabilities.length !== labels.length) throw new RangeError('AUC: probabilities and labels differ in length');
  const classes = probabilities.length > 0 ? probabilities[0]!.length : 0;
  let sum = 0,
    count = 0;
  for (let c = 0; c < classes; c++) {
    const scores = probabilities.map((row) => row[c]!);
    const truth = Array.from(labels, (l) => (l === c ? 1 : 0));
    const auc = rocAuc(scores, truth);
    if (auc !== null) {
      sum += auc;
      count++;
    }
  }
  return count === 0 ? null : sum / count;
}
