/**
 * What every segmentation metric reports when a structure is absent from the ground truth, from the
 * prediction, or from both. The rule: a missed structure is never dropped from a mean and never
 * scores as if it were perfect. No metric is ever NaN.
 *
 * - Both empty (the structure is absent and none was predicted): the prediction is right. Dice 1,
 *   IoU 1, precision 1, recall 1, HD = HD95 = ASSD = 0 mm, NSD 1, volume differences 0. The row's
 *   `emptiness` column says `both-empty`, so a user can exclude such rows knowingly.
 * - One empty (a missed structure, or a false detection of an absent one): Dice 0, IoU 0, NSD 0;
 *   HD = HD95 = ASSD = the physical diagonal of the image, √Σ(n·spacing)² over its axes (a worst
 *   case larger than any real distance in the image); precision 0 when nothing is predicted and
 *   recall 0 when nothing is in the ground truth (the undefined 0/0 counts as a failure). The
 *   relative volume difference is left empty (null) when the ground truth is empty, because no
 *   finite percentage is a fair worst case; the absolute difference in mm³ still counts it. The
 *   `emptiness` column says `gt-empty` or `pred-empty`.
 * - A ground-truth case with no prediction file at all is a missed case: every class of it is
 *   scored as if the prediction were empty, with `missingPrediction` true, never skipped.
 */
export const EMPTY_MASK_POLICY =
  'both empty: Dice 1, IoU 1, precision 1, recall 1, HD/HD95/ASSD 0 mm, NSD 1, volume differences 0, flagged emptiness=both-empty ' +
  '(exclude such rows knowingly if wanted); one empty: Dice 0, IoU 0, NSD 0, HD/HD95/ASSD = the image physical diagonal ' +
  'sqrt(sum((n*spacing)^2)) in mm as the worst case (never NaN, never 0), precision 0 if nothing predicted, recall 0 if nothing in ' +
  'the ground truth, relative volume difference null when the ground truth is empty, flagged emptiness=gt-empty or pred-empty; a ' +
  'ground-truth case without a prediction file is scored as an empty prediction (flagged missingPrediction=true), never dropped.';

/** Which of the two masks of one class is empty. */
export type Emptiness = 'none' | 'both-empty' | 'gt-empty' | 'pred-empty';

/** Which of the two masks of one class is empty, from their foreground voxel counts. */
export function emptinessOf(predCount: number, gtCount: number): Emptiness {
  if (predCount === 0 && gtCount === 0) return 'both-empty';
  if (gtCount === 0) return 'gt-empty';
  if (predCount === 0) return 'pred-empty';
  return 'none';
}
