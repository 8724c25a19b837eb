/** Explainability: Grad-CAM, Grad-CAM++ and occlusion sensitivity, with heatmaps in the input's geometry. */
export { gradCam, type CamMethod, type CamOptions, type CamResult } from './gradcam.js';
export { occlusionSensitivity, type OcclusionOptions, type OcclusionResult } from './occlusion.js';
export { forwardCapturing, moduleNamed, type Captured } from './capture.js';
export { heatmapOnInput, normalizeMap, pseudoMask } from './heatmap.js';
export { overlayImage, writeOverlay, hottestSlice } from './overlay.js';
export {
  explainImages,
  EXPLAIN_METHODS,
  type ExplainMethod,
  type ExplainOptions,
  type ExplainedImage,
} from './explain.js';
export { explainSegmentation, type SegmentationExplainOptions } from './segmentation.js';
