import { join } from 'node:path';
import * as ve from '../engine/index.js';
import type { DetectionDataset } from '../detection/datasets/dataset.js';
import { openDetectionDataset } from '../detection/datasets/open.js';
import type { Detector, DetectorOptions } from '../detection/detector.js';
import type { LossOptions } from '../detection/loss.js';
import { cocoAveragePrecision } from '../detection/metrics/coco.js';
import { froc } from '../detection/metrics/froc.js';
import { type PreparedCase, prepareCase } from '../detection/prepare.js';
import { detectImage } from '../infer/detect.js';
import { readImage } from '../io/read.js';
import type { DetectionConfig } from './detection-config.js';
import { runPaths } from './run-folder.js';

export interface DetectionTrainOptions {
  out?: string;
  progress?: (line: string) => void;
  stopAfterEpoch?: number;
}

export interface DetectionEpochLog {
  epoch: number;
  iteration: number;
  train_loss: number;
  classification_loss: number;
  box_loss: number;
  lr: number;
  epoch_seconds: number;
  images_per_second: number;
  val_ap50?: number[];
  val_map50?: number;
  val_map?: number;
  val_cpm?: number;
  /** Sensitivity at 1/8 … 8 false positives per image. */
  val_froc?: number[];
  /** 3D: AP@0.1 (nnDetection's). */
  val_map10?: number;
  val_seconds?: number;
  best?: boolean;
}

export interface DetectionTrainResult {
  runDir: string;
  epochsDone: number;
  bestMetric: number | null;
  bestEpoch: number | null;
  trainSeconds: number;
  log: DetectionEpochLog[];
  warnings: string[];
}

/** The detector a config describes (the run folder's config rebuilds it exactly). */
export function detectorOptions(config: DetectionConfig, inChannels: number, numClasses: number): DetectorOptions {
  const n = config.network;
  return {
    dims: config.dataset.dims,
    inChannels,
    numClasses,
    head: n.head,
    depth: n.depth,
    widths: n.widths ?? undefined,
    returnedLayers: n.returned_layers,
    fpnChannels: n.fpn_channels,
    extra: n.extra_levels,
    headConvs: n.head_convs,
    headNorm: n.head_norm,
    norm: n.norm,
    stem: n.stem,
    anchors: n.anchor_shapes
      ? { shapes: n.anchor_shapes }
      : n.anchor_sizes
        ? { sizes: n.anchor_sizes, aspectRatios: n.aspect_ratios }
        : undefined,
  };
}

export const lossOptions = (config: DetectionConfig, numClasses: number): LossOptions => ({
  kind: config.network.head,
  numClasses,
  matcher: config.matching.method,
  foregroundIou: config.matching.foreground_iou,
  backgroundIou: config.matching.background_iou,
  boxLoss: config.loss.box,
  focalAlpha: config.loss.focal_alpha,
  focalGamma: config.loss.focal_gamma,
});

export async function openDetectionSets(
  config: DetectionConfig,
): Promise<{ train: DetectionDataset; val: DetectionDataset | null }> {
  const d = config.dataset;
  const spec = (split: string) => ({
    format: d.format,
    root: d.root,
    split,
    classes: d.classes,
    badBoxes: d.bad_boxes,
    dims: d.dims,
    images: d.images,
    labels: d.labels,
  });
  const train = await openDetectionDataset(spec(d.train));
  const val = d.val ? await openDetectionDataset({ ...spec(d.val), classes: train.classes }) : null;
  return { train, val };
}

export async function prepareAll(dataset: DetectionDataset, config: DetectionConfig): Promise<PreparedCase[]> {
  const p = config.preprocess;
  const out: PreparedCase[] = [];
  for (const c of dataset.cases)
    out.push(
      await prepareCase(c, (path) => readImage(path), {
        dims: config.dataset.dims,
        normalization: p.normalization,
        scale: p.scale,
        targetSpacing: p.target_spacing ?? undefined,
      }),
    );
  return out;
}

/** Validation detections and metrics of a model on prepared cases. */
export function validateDetector(
  model: Detector,
  cases: readonly PreparedCase[],
  config: DetectionConfig,
  numClasses: number,
  device = 'cpu',
) {
  model.eval();
  const start = performance.now();
  const inf = config.inference;
  const pairs = cases.map((c) => {
    const image = ve.Tensor.from(c.data, [c.channels, ...c.size]);
    const pred = detectImage(model, image, {
      window: inf.window,
      overlap: inf.overlap,
      mirror: inf.mirror,
      merge: inf.merge,
      mergeIou: inf.merge_iou,
      scoreThreshold: inf.score_threshold,
      nmsThreshold: inf.nms_threshold,
      detectionsPerImage: inf.detections_per_image,
      device,
    });
    image.dispose();
    return { id: c.id, gt: c.boxes, pred };
  });
  model.train(true);
  const at50 = cocoAveragePrecision(pairs, { numClasses, iouThresholds: [0.5] });
  const all = cocoAveragePrecision(pairs, { numClasses });
  const at10 =
    config.dataset.dims === 3 ? cocoAveragePrecision(pairs, { numClasses, iouThresholds: [0.1] }).meanAp : undefined;
  const f = froc(pairs, { hit: config.validation.froc_hit, iouThreshold: config.dataset.dims === 3 ? 0.1 : 0.5 });
  return {
    ap50: at50.apPerClass,
    map50: at50.meanAp,
    map: all.meanAp,
    cpm: f.cpm,
    froc: f,
    map10: at10,
    seconds: (performance.now() - start) / 1000,
    pairs,
  };
}

export const detectionRunFiles = (runDir: string) => ({
  ...runPaths(runDir),
  predictions: join(runDir, 'predictions'),
});
