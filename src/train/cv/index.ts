export {
  crossValidate,
  runCrossValidation,
  isClassificationConfig,
  type ClassificationCvResult,
  cvPaths,
  foldConfig,
  type CvOptions,
  type CvPaths,
  type CvResult,
  type CvState,
} from './cross-validate.js';
export { cvFolds, checkFolds, metadataColumn } from './folds.js';
export { openCvRuns, openClassificationCvRuns, readCvState } from './open.js';
export { cvCsv, summarizeCv, CV_CSV_COLUMNS, type CvSummary } from './summary.js';
export { rocCurve, mergeRoc, addToRoc, ROC_BINS, type RocHistogram } from './roc.js';
export type { FoldRow, FoldEvaluation } from './fold-evaluation.js';
export { crossValidateClassification, classificationFoldConfig, cvPredictionsPath } from './classification-cv.js';
export { classificationFolds, innerSplit, cvPool, subjectsOf } from './classification-folds.js';
export {
  summarizeClassificationCv,
  FOLD_METRICS,
  type ClassificationCvSummary,
  type FoldPrediction,
} from './classification-summary.js';
export { beginCv, trainFold, trainingFinished, environment, type CvStart, type FoldTraining } from './cv-folder.js';
