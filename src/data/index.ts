/** Datasets and what turns them into batches: layouts, fingerprint and plan, preprocessing, splits, patch sampling, loaders. */
export {
  type Case,
  type Dataset,
  type LabelClass,
  classesFromMap,
  checkLabelClasses,
  sortCases,
} from './layout/dataset.js';
export { openDataset, type DatasetSpec } from './layout/open.js';
export { discoverMsd, type MsdOptions } from './layout/msd.js';
export {
  discoverFolders,
  matchFolder,
  DEFAULT_PATTERN,
  type CaseSetSpec,
  type FolderSpec,
  type FoldersOptions,
} from './layout/folders.js';
export {
  fingerprintDataset,
  fingerprintCase,
  summarizeFingerprint,
  loadCase,
  checkSameGrid,
  channelNamesFor,
  type CaseFingerprint,
  type CaseIntensity,
  type ChannelStats,
  type DatasetFingerprint,
  type FingerprintOptions,
  type LoadedCase,
} from './fingerprint.js';
export {
  planFromFingerprint,
  targetSpacing,
  featuresPerStage,
  formatPlan,
  savePlan,
  loadPlan,
  planSchema,
  type Plan,
  type PlanOptions,
  type PlanOverrides,
} from './plan.js';
export { planDataset, type DatasetPlan } from './planning.js';
export {
  preprocessCase,
  restoreToOriginal,
  fullTargetSpacing,
  type CaseGeometry,
  type CaseProperties,
  type PreprocessedCase,
  type Resampler,
} from './preprocess.js';
export { preprocessCases, readAndPreprocess, type PreprocessOptions } from './cache.js';
export {
  normalizeChannel,
  normalizeChannels,
  NORMALIZATION_SCHEMES,
  type ForegroundStats,
  type NormalizationScheme,
  type NormalizeOptions,
} from './normalize.js';
export { sanitizeLabels, type SanitizedLabels } from './labels.js';
export { cropToNonZero, restoreCrop, boundingBox, nonZeroMask, type Box, type CropRecord } from './crop.js';
export { kFoldSplits, trainValSplit, saveSplits, loadSplits, NNUNET_SPLIT_SEED, type Fold } from './splits.js';
export {
  PatchSampler,
  foregroundLocations,
  type ClassLocations,
  type LocationOptions,
  type SamplerOptions,
  type PatchBox,
} from './sampler.js';
export { extractPatch, type Patch } from './patches.js';
export {
  BatchLoader,
  batchTensors,
  loaderCase,
  type Batch,
  type BatchLoaderOptions,
  type FileCase,
  type LoaderCase,
  type MemoryCase,
} from './loader.js';
export {
  openClassificationDataset,
  loadSampleImage,
  type ClassificationDataset,
  type ClassificationSample,
  type DatasetSpec as ClassificationDatasetSpec,
  type SplitName,
} from './classification/dataset.js';
export {
  prepareInput,
  channelsOf,
  loadHistogramTemplate,
  type InputSpec,
  type PreparedInput,
  type ChannelMode,
  type IntensityMode,
} from './classification/preprocess.js';
export { clahe, claheChannel, checkClaheOptions, type ClaheOptions } from './classification/clahe.js';
export { histogramTemplate, matchHistograms, type HistogramTemplate } from './classification/histogram-match.js';
export {
  ClassificationBatches,
  normalizeByChannel,
  type ClassificationBatch,
  type ClassificationBatchOptions,
  type PreparedSample,
} from './classification/batches.js';
export {
  ClassificationAugmentation,
  type ClassificationAugmentationConfig,
  type Range as AugmentationRange,
} from './classification/augment.js';
