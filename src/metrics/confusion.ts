/** Voxel counts of a binary prediction against a binary ground truth. */
export interface ConfusionCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * Counts true/false positives/negatives of `pred` against `gt` (non-zero = foreground). With `roi`,
 * voxels where `roi` is zero are ignored entirely (DRIVE's field of view): they are in no count.
 */
export function confusionCounts(pred: Uint8Array, gt: Uint8Array, roi?: Uint8Array): ConfusionCounts {
  if (pred.length !== gt.length || (roi && roi.length !== gt.length)) {
    throw new RangeError(
      `confusionCounts: arrays differ in length (${pred.length}, ${gt.length}${roi ? `, ${roi.length}` : ''})`,
    );
  }
  // Histogram of the 4 cases (pred, gt) indexed as 2·p + g.
  const cases = new Float64Array(4);
  if (roi) {
    for (let v = 0; v < gt.length; v++) if (roi[v] !== 0) cases[(pred[v] !== 0 ? 2 : 0) | (gt[v] !== 0 ? 1 : 0)]!++;
  } else {
    for (let v = 0; v < gt.length; v++) cases[(pred[v] !== 0 ? 2 : 0) | (gt[v] !== 0 ? 1 : 0)]!++;
  }
  return { tn: cases[0]!, fn: cases[1]!, fp: cases[2]!, tp: cases[3]! };
}

/**
 * Confusion counts of every class 0..numClasses−1 of a label map against the truth, in one pass.
 * With `roi`, voxels where it is zero are in no count.
 *
 * @param pred - predicted labels (integers in [0, numClasses))
 * @param truth - ground-truth labels, the same length
 * @param numClasses - the number of classes, background included
 * @returns one ConfusionCounts per class, indexed by the class value
 * @throws RangeError when the arrays differ in length or a label is outside [0, numClasses)
 */
export function classConfusions(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  numClasses: number,
  roi?: ArrayLike<number>,
): ConfusionCounts[] {
  if (pred.length !== truth.length || (roi && roi.length !== truth.length)) {
    throw new RangeError(
      `classConfusions: arrays differ in length (${pred.length}, ${truth.length}${roi ? `, ${roi.length}` : ''})`,
    );
  }
  // joint[p * K + t]: voxels predicted p whose truth is t.
  const joint = new Float64Array(numClasses * numClasses);
  let counted = 0;
  for (let v = 0; v < truth.length; v++) {
    if (roi && roi[v] === 0) continue;
    const p = pred[v]!,
      t = truth[v]!;
    if (!(p >= 0 && p < numClasses && t >= 0 && t < numClasses)) {
      throw new RangeError(
        `classConfusions: label ${p < 0 || p >= numClasses ? p : t} at voxel ${v} is outside 0..${numClasses - 1}`,
      );
    }
    joint[p * numClasses + t]!++;
    counted++;
  }
  const out: ConfusionCounts[] = [];
  for (let c = 0; c < numClasses; c++) {
    let predicted = 0,
      actual = 0;
    for (let k = 0; k < numClasses; k++) {
      predicted += joint[c * numClasses + k]!;
      actual += joint[k * numClasses + c]!;
    }
    const tp = joint[c * numClasses + c]!;
    out.push({ tp, fp: predicted - tp, fn: actual - tp, tn: counted - predicted - actual + tp });
  }
  return out;
}
