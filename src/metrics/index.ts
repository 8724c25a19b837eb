/** Metrics: segmentation overlap and surface distances per case and per folder, classification scores. */
export * from './evaluate.js';
export { dice, iou, precision, recall, sensitivity, specificity } from './overlap.js';
export { confusionCounts, type ConfusionCounts } from './confusion.js';
export {
  surfaceDistances,
  directedDistances,
  type SurfaceDistances,
  type SurfaceDistanceOptions,
} from './surface-distance.js';
export { extractSurface, SURFACE_DEFINITION, type Surface } from './surface.js';
export { distanceTransform, squaredDistanceTransform } from './distance-transform.js';
export type { Grid } from './grid.js';
export { volumeDifference, type VolumeDifference } from './volume.js';
export {
  aggregateRows,
  AGGREGATED_METRICS,
  type CaseRow,
  type ClassAggregate,
  type MetricSummary,
} from './aggregate.js';
export { emptinessOf, type Emptiness } from './empty-policy.js';
export { classesFromLabels, parseLabelList, parseRegions, type ClassSpec } from './classes.js';
export { rocAuc, rocAucOneVsRest, averagePrecision } from './auc.js';
export { confusionMatrix, accuracy, balancedAccuracy, sensitivitySpecificity } from './confusion-matrix.js';
export { cohenKappa } from './kappa.js';
export {
  classificationReport,
  calibration,
  macroAuc,
  perClassScores,
  rocCurve,
  youdenThreshold,
  type ClassificationReport,
  type ClassScores,
  type ReliabilityBin,
  type RocCurve,
} from './classification.js';
export { evaluatePredictions, predictionsCsv, readPredictionsCsv, type Prediction } from './classification-files.js';
