export {
  crossValidate,
  cvPaths,
  foldConfig,
  type CvOptions,
  type CvPaths,
  type CvResult,
  type CvState,
} from './cross-validate.js';
export { cvFolds, checkFolds, metadataColumn } from './folds.js';
export { openCvRuns, readCvState } from './open.js';
export { cvCsv, summarizeCv, CV_CSV_COLUMNS, type CvSummary } from './summary.js';
export { rocCurve, mergeRoc, addToRoc, ROC_BINS, type RocHistogram } from './roc.js';
export type { FoldRow, FoldEvaluation } from './fold-evaluation.js';
