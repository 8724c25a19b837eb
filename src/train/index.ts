/** Training: the config schema, the trainer loop, validation, checkpoints and the run folder. */
export {
  configSchema,
  datasetSchema,
  planOverridesSchema,
  augmentationSchema,
  parseConfig,
  loadConfig,
  formatIssues,
  type DatasetConfig,
  type TrainingConfig,
} from './config.js';
export { train, type EpochLog, type TrainOptions, type TrainResult } from './trainer.js';
export type { BatchStream, LoopConfig, LoopContext, PreparedTask, TrainingTask, ValidationOutcome } from './task.js';
export { TASKS, taskOf, taskOfRun, loadTaskConfig } from './tasks.js';
export { segmentationTask } from './segmentation-task.js';
export { validate, dicePerClass, type ValidationOptions, type ValidationResult } from './validation.js';
export { buildModel, modelOptions, patchSizeOf, type ModelConfig } from './model.js';
export { buildOptimizer, buildScheduler, totalSteps } from './optimization.js';
export { loadRun, runPaths, readLog, type DatasetInfo, type LoadedRun } from './run-folder.js';
export { progressBar, quietProgress, type ProgressPayload, type TrainingProgress } from './progress.js';
export { inferencePostprocess } from './inference-options.js';
export {
  crossValidate,
  crossValidateClassification,
  runCrossValidation,
  openClassificationCvRuns,
  summarizeClassificationCv,
  classificationFolds,
  type ClassificationCvResult,
  type ClassificationCvSummary,
  type FoldPrediction,
  cvPaths,
  foldConfig,
  openCvRuns,
  readCvState,
  summarizeCv,
  cvCsv,
  rocCurve,
  type CvOptions,
  type CvPaths,
  type CvResult,
  type CvState,
  type CvSummary,
  type RocHistogram,
  type FoldRow,
} from './cv/index.js';
export { trainBaseline, baselinePath, validateBaseline } from './baseline-run.js';
export { openTrainedRun, isCvFolder, type OpenedRun } from './open-run.js';
export { classificationTask, type ClassificationInfo } from './classification/task.js';
export {
  classificationConfigSchema,
  parseClassificationConfig,
  type ClassificationConfig,
} from './classification/config.js';
export {
  loadClassificationRun,
  predictSamples,
  samplesFromPaths,
  samplesOfSplit,
  type ClassificationRun,
} from './classification/run.js';
export {
  adapterPath,
  applyFinetuneLora,
  checkLoraTargets,
  mergeLoraRun,
  type LoraConfig,
} from './classification/lora.js';
export { averageProbabilities, caseKey, predictFused } from './classification/fusion.js';
export type { Distributed } from './distributed.js';
