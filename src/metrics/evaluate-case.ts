import type { Image } from '../io/image.js';
import { OptionError } from '../util/errors.js';
import { rocAucSorted, averagePrecision, splitScores } from './auc.js';
import { classesFromLabels, type ClassSpec } from './classes.js';
import { confusionCounts } from './confusion.js';
import { emptinessOf, type Emptiness } from './empty-policy.js';
import { assertSameGrid } from './geometry-check.js';
import { gridOf, voxelVolume, type Grid } from './grid.js';
import { countNonzero, labelMask, labelsPresent, nonzeroMask, restrictToRoi } from './mask.js';
import { dice, iou, precision, recall, specificity } from './overlap.js';
import { surfaceDistances } from './surface-distance.js';
import { volumeDifference } from './volume.js';

/** Every metric of one class of one case. Distances in mm, volumes in mm³. Never NaN (see EMPTY_MASK_POLICY). */
export interface ClassRecord {
  class: string;
  labels: number[];
  emptiness: Emptiness;
  dice: number;
  iou: number;
  precision: number;
  recall: number;
  specificity: number;
  predVolumeMm3: number;
  gtVolumeMm3: number;
  volumeDifferenceMm3: number;
  absoluteVolumeDifferenceMm3: number;
  relativeVolumeDifferencePercent: number | null;
  hd: number;
  hd95: number;
  assd: number;
  nsd: number;
  /** ROC AUC from the probability map inside the ROI; null without one, or when the truth has one class only. */
  auc: number | null;
  averagePrecision: number | null;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface EvaluateOptions {
  /** Labels evaluated one by one. Default (without `regions`): every non-zero label in the truth or the prediction. */
  labels?: number[];
  /** Named merged regions, e.g. [{name: 'WT', labels: [1, 2, 3, 4]}]; evaluated after `labels`. */
  regions?: ClassSpec[];
  /** Treat both maps as binary, non-zero = foreground (labels stored as 0/255): one class named "1". */
  binary?: boolean;
  /** Region of interest (non-zero inside): voxels outside are ignored by every metric; surfaces are those of the masks cut to the ROI. */
  roi?: Image;
  /**
   * Probability map for AUC on the ground-truth grid: one channel (used when exactly one class is
   * evaluated), or an extra axis of C channels where channel l is label l's probability (a region
   * takes the sum of its labels' channels).
   */
  probability?: Image;
  /** NSD tolerance in mm (default 1). */
  tolerance?: number;
  /** Case name used in error messages. */
  caseId?: string;
}

/** The classes evaluated for one case (labels, then regions). */
export function classesFor(pred: Image, gt: Image, options: EvaluateOptions): ClassSpec[] {
  const regions = options.regions ?? [];
  if (options.binary) return [...(options.labels ?? [1]).map((l) => ({ name: String(l), labels: [l] })), ...regions];
  if (options.labels) return [...classesFromLabels(options.labels), ...regions];
  if (regions.length > 0) return regions;
  return classesFromLabels([...labelsPresent(gt.data), ...labelsPresent(pred.data)]);
}

/**
 * Per-class metrics of one predicted label map against its ground truth. Geometry must match
 * (shape, spacing, origin, direction), else a ShapeError names the case.
 *
 * @param pred the predicted label map
 * @param gt the ground truth on the same grid
 * @param options which labels or regions, binary masks, an ROI, a probability map for AUC, the NSD tolerance
 * @returns one record per class: overlap, volumes, HD/HD95/ASSD/NSD in mm, never NaN (`EMPTY_MASK_POLICY`)
 * @throws ShapeError naming the case when the grids differ; OptionError naming `probability` for a map
 *   that does not fit
 *
 * @example
 * ```ts
 * import { readImage, LABEL_MAP } from 'vesalius/io';
 * import { evaluateCase } from 'vesalius/metrics';
 * const records = evaluateCase(await readImage('pred.nii.gz', LABEL_MAP), await readImage('gt.nii.gz', LABEL_MAP), {
 *   regions: [{ name: 'WT', labels: [1, 2, 3, 4] }],
 * });
 * console.log(records[0]!.dice, records[0]!.hd95);
 * ```
 */
export function evaluateCase(pred: Image, gt: Image, options: EvaluateOptions = {}): ClassRecord[] {
  const name = options.caseId ? `case ${options.caseId}` : 'case';
  const grid = gridOf(gt, `${name}: ground truth`);
  gridOf(pred, `${name}: prediction`);
  assertSameGrid(gt, pred, `${name}: prediction`);
  if (options.roi) {
    gridOf(options.roi, `${name}: ROI`);
    assertSameGrid(gt, options.roi, `${name}: ROI`);
  }
  if (options.probability) assertSameGrid(gt, options.probability, `${name}: probability map`);
  const roi = options.roi ? nonzeroMask(options.roi.data) : undefined;
  const predMap = options.binary ? nonzeroMask(pred.data) : pred.data;
  const gtMap = options.binary ? nonzeroMask(gt.data) : gt.data;
  const classes = classesFor(pred, gt, options);
  return classes.map((spec) => {
    const p = restrictToRoi(labelMask(predMap, spec.labels), roi);
    const g = restrictToRoi(labelMask(gtMap, spec.labels), roi);
    const record = evaluateMasks(p, g, grid, spec, options.tolerance ?? 1, roi);
    if (options.probability) {
      const scores = probabilityFor(options.probability, spec, classes.length, name);
      const { positives, negatives } = splitScores(scores, g, roi);
      record.auc = rocAucSorted(positives, negatives);
      record.averagePrecision = averagePrecision(scores, g, roi);
    }
    return record;
  });
}

/** All metrics of one binary prediction mask against one binary truth mask (both already cut to the ROI). */
export function evaluateMasks(
  pred: Uint8Array,
  gt: Uint8Array,
  grid: Grid,
  spec: ClassSpec,
  tolerance: number,
  roi?: Uint8Array,
): ClassRecord {
  const counts = confusionCounts(pred, gt, roi);
  const predVoxels = countNonzero(pred),
    gtVoxels = countNonzero(gt);
  const unit = voxelVolume(grid);
  const volume = volumeDifference(predVoxels, gtVoxels, unit);
  const distances = surfaceDistances(pred, gt, grid, { tolerance });
  return {
    class: spec.name,
    labels: spec.labels,
    emptiness: emptinessOf(predVoxels, gtVoxels),
    dice: dice(counts),
    iou: iou(counts),
    precision: precision(counts),
    recall: recall(counts),
    specificity: specificity(counts),
    predVolumeMm3: predVoxels * unit,
    gtVolumeMm3: gtVoxels * unit,
    volumeDifferenceMm3: volume.signedMm3,
    absoluteVolumeDifferenceMm3: volume.absoluteMm3,
    relativeVolumeDifferencePercent: volume.relativePercent,
    hd: distances.hd,
    hd95: distances.hd95,
    assd: distances.assd,
    nsd: distances.nsd,
    auc: null,
    averagePrecision: null,
    ...counts,
  };
}

function probabilityFor(prob: Image, spec: ClassSpec, classCount: number, name: string): Float64Array {
  const n = prob.shape[0]! * prob.shape[1]! * prob.shape[2]!;
  const channels = prob.data.length / n;
  if (channels === 1) {
    if (classCount !== 1) {
      throw new OptionError(
        'probability',
        `${name}: a one-channel probability map fits one class, but ${classCount} are evaluated (give one channel per label)`,
      );
    }
    return finiteScores(Float64Array.from(prob.data), name);
  }
  const out = new Float64Array(n);
  for (const l of spec.labels) {
    if (l < 0 || l >= channels)
      throw new OptionError('probability', `${name}: no probability channel for label ${l} (the map has ${channels})`);
    for (let v = 0; v < n; v++) out[v]! += prob.data[l * n + v]!;
  }
  return finiteScores(out, name);
}

function finiteScores(scores: Float64Array, name: string): Float64Array {
  const bad = scores.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0)
    throw new OptionError('probability', `${name}: the probability map holds ${scores[bad]} at voxel ${bad}`);
  return scores;
}
