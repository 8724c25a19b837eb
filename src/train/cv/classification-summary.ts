/**
 * What a classification cross-validation reports: evaluate's classification report (AUC with its
 * bootstrap CI, accuracy, balanced accuracy, F1, kappa, ECE, ROC and Youden threshold …) over every
 * out-of-fold sample — the numbers `vesalius evaluate` prints for the CV's predictions.csv — per fold,
 * and the mean ± std of the fold values.
 */
import type { Prediction } from '../../metrics/classification-files.js';
import { type ClassificationReport, classificationReport } from '../../metrics/classification.js';
import { summarize } from '../../stats/summary.js';

/** An out-of-fold prediction of one sample. */
export type FoldPrediction = Prediction & { fold: number };

/** The scalar metrics averaged over folds. */
export const FOLD_METRICS = [
  'auc',
  'accuracy',
  'balancedAccuracy',
  'macroPrecision',
  'macroRecall',
  'macroF1',
  'kappa',
  'quadraticKappa',
  'ece',
] as const;

export interface ClassificationCvSummary {
  task: 'classification';
  classes: string[];
  multiLabel: boolean;
  sampleCount: number;
  folds: number;
  /** The folds whose held-out samples are in the tables (all of them once the CV has finished). */
  foldsDone: number[];
  /** Over every out-of-fold sample (bootstrap seed 0, 2000 resamples: `evaluate`'s defaults). */
  overall: ClassificationReport;
  perFold: Array<{ fold: number; samples: number; report: ClassificationReport }>;
  /** Mean and sample std of the fold values (folds where the metric is undefined are left out). */
  overFolds: Record<string, { mean: number; std: number; folds: number }>;
}

/**
 * The classification report over every out-of-fold sample, per fold, and the mean ± std over folds.
 *
 * @param predictions out-of-fold predictions with their truth and fold
 * @param classes class names in index order
 * @param multiLabel whether the outputs are independent labels
 * @param folds the number of folds of the CV
 */
export function summarizeClassificationCv(
  predictions: readonly FoldPrediction[],
  classes: string[],
  multiLabel: boolean,
  folds: number,
): ClassificationCvSummary {
  const report = (ps: readonly FoldPrediction[]) =>
    classificationReport(
      ps.map((p) => p.probabilities),
      ps.map((p) => p.truth ?? []),
      { classes, multiLabel },
    );
  const foldsDone = [...new Set(predictions.map((p) => p.fold))].sort((a, b) => a - b);
  const perFold = foldsDone.map((fold) => {
    const mine = predictions.filter((p) => p.fold === fold);
    return { fold, samples: mine.length, report: report(mine) };
  });
  const overFolds: ClassificationCvSummary['overFolds'] = {};
  for (const metric of FOLD_METRICS) {
    const values = perFold
      .map((f) => f.report[metric])
      .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length === 0) continue;
    const s = summarize(values);
    overFolds[metric] = { mean: s.mean, std: s.std, folds: values.length };
  }
  return {
    task: 'classification',
    classes,
    multiLabel,
    sampleCount: predictions.length,
    folds,
    foldsDone,
    overall: report(predictions),
    perFold,
    overFolds,
  };
}
