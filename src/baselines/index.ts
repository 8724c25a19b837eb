/** Classical baselines: Otsu and tuned thresholds, a feature bank with a random forest or an SVM. */
export {
  fitBaseline,
  loadBaseline,
  BASELINES,
  type BaselineModel,
  type BaselineName,
  type BaselineOptions,
  type TrainingImage,
} from './model.js';
export {
  featureBank,
  featureNames,
  frangi,
  DEFAULT_FEATURES,
  type FeatureBankOptions,
  type FeatureImage,
  type FeatureStack,
} from './features.js';
export { gaussianDerivativeKernel, filterAxis, gaussianDerivatives } from './filters.js';
export { eigenSym2, eigenSym3 } from './eigen.js';
export { balancedSample, type LabelledImage } from './sampling.js';
export { trainForest, predictForest, type ForestOptions, type Tree } from './random-forest.js';
export { trainSvm, predictSvm, type SvmModel, type SvmOptions } from './svm.js';
export { otsuLevel, tuneLevel, intensityOf, thresholdProbabilities, type ThresholdCase } from './threshold.js';
