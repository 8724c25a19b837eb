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
