/**
 * Lesion detection: boxes in 2D and 3D that live in patient space, datasets (Pascal VOC, COCO, CSV,
 * LUNA16, boxes from label maps), RetinaNet and FCOS on a ResNet + feature pyramid with torchvision's
 * names, anchors and matching (IoU, ATSS), losses, NMS and weighted box fusion, and the metrics of the
 * field (COCO AP as pycocotools computes it, FROC and LUNA16's CPM).
 *
 * @example
 * ```ts
 * import { detection } from 'vesalius';
 * const voc = detection.readVocDataset('BCCD', { split: 'val' });
 * const { summary } = detection.evaluateDetections(pairs, { classes: voc.classes });
 * console.log(summary.map50, summary.froc.cpm);
 * ```
 */
export {
  type BoxDims,
  type BoxMode,
  type BoxSet,
  BOX_MODES,
  boxCentre,
  boxCount,
  boxSizes,
  clipBoxes,
  concatBoxSets,
  convertBoxMode,
  emptyBoxSet,
  selectBoxes,
} from './boxes.js';
export { boxIou, generalizedBoxIou, iouOf } from './box-iou.js';
export { boxesFromWorld, boxesToWorld, type Geometry, sphereToVoxelBox, worldCentre } from './box-geometry.js';
export {
  boxesThroughCompose,
  boxesThroughRecord,
  flipBoxes,
  keepInside,
  resampleBoxes,
  rot90Boxes,
  spatialBoxes,
  transformBoxes,
  type KeepInsideOptions,
} from './box-transforms.js';
export { type AnchorConfig, cellAnchors, gridAnchors, type LevelAnchors } from './anchors.js';
export { BBOX_XFORM_CLIP, decodeBoxes, decodeBoxesTensor, encodeBoxes } from './box-coder.js';
export { BACKGROUND, IGNORE, type IouMatcherOptions, matchByAtss, matchByIou } from './matching.js';
export { type ExtraLevels, FeaturePyramidNetwork, LastLevelP6P7 } from './fpn.js';
export {
  ClassificationHead,
  FcosClassificationHead,
  FcosHead,
  FcosRegressionHead,
  type HeadOptions,
  type HeadOutput,
  RetinaNetClassificationHead,
  RetinaNetHead,
  RetinaNetRegressionHead,
} from './heads.js';
export { BackboneWithFpn, Detector, type DetectorOptions, ResNetBody } from './detector.js';
export {
  type BatchTargets,
  type BoxLossName,
  buildTargets,
  detectionLoss,
  type LossOptions,
  type LossParts,
  type MatcherName,
  matchAnchors,
} from './loss.js';
export { generalizedIouLoss } from './giou-loss.js';
export { type FusionOptions, nms, nmsIndices, weightedBoxFusion } from './nms.js';
export { postprocessDetections, type PostprocessOptions } from './postprocess.js';
export {
  prepareCase,
  prepareImage,
  type PreparedCase,
  type PreparedImage,
  type PrepareOptions,
  scaleBoxes,
} from './prepare.js';
export { type BatchOptions, type DetectionBatch, DetectionBatchMaker } from './batches.js';
export { type BadBoxPolicy, checkBoxes, type DetectionCase, type DetectionDataset } from './datasets/dataset.js';
export { readVocDataset, type VocOptions } from './datasets/voc.js';
export { readCocoDataset } from './datasets/coco.js';
export { readCsvDataset } from './datasets/csv.js';
export { readLuna16Dataset } from './datasets/luna16.js';
export { boxesFromLabels } from './datasets/from-labels.js';
export { openDetectionDataset, type DetectionDatasetSpec } from './datasets/open.js';
export {
  COCO_IOU_THRESHOLDS,
  COCO_RECALL_THRESHOLDS,
  cocoAveragePrecision,
  type CocoOptions,
  type CocoResult,
  type DetectionPair,
} from './metrics/coco.js';
export { froc, FROC_RATES, type FrocOptions, type FrocResult, type HitCriterion } from './metrics/froc.js';
export {
  type DetectionEvaluation,
  type DetectionEvaluationOptions,
  type DetectionSummary,
  evaluateDetections,
  type PerCaseRow,
  writeDetectionEvaluation,
} from './metrics/evaluate.js';
