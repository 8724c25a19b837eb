/** Inference: sliding window with Gaussian weighting and mirroring, whole-image prediction, post-processing. */
export {
  slidingWindowInference,
  defaultWindowBatch,
  mirrorCombinations,
  type SlidingWindowOptions,
  type WindowModel,
} from './sliding-window.js';
export {
  slidingWindows,
  slidingWindowSteps,
  gaussianImportanceMap,
  WindowAccumulator,
  type WindowTiling,
} from './windows.js';
export {
  predictImages,
  networkInputs,
  type NetworkInputs,
  predictCase,
  readCase,
  groupInputs,
  outputPaths,
  defaultFormat,
  OUTPUT_FORMATS,
  type CasePrediction,
  type OutputFormat,
  type PredictImagesOptions,
  type PredictionInput,
  type PredictionRun,
  type WholeImageModel,
  type PredictOptions,
} from './predict.js';
export {
  postprocess,
  connectedComponents,
  componentsWhere,
  keepLargestComponent,
  removeSmallComponents,
  fillHoles,
  argmaxChannels,
  type ClassOptions,
  type Components,
  type Connectivity,
  type PostprocessOptions,
  type SmallComponentOptions,
} from './postprocess.js';
export type { ValueRange } from './int8/qparams.js';
