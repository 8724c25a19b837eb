/**
 * `vesalius train` for `task: detection`: dataset → prepared images with boxes → detector → epochs of
 * augmented, box-aware batches (focal + box loss) → validation on whole images every N epochs (COCO
 * AP@0.5 and mAP@[.5:.95]; FROC's CPM) → best/last checkpoints and a JSONL log in the run folder:
 *
 *   config.json, dataset.json ({classes, dims, channels}), checkpoints/best|last.safetensors, log.jsonl
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import * as ve from '../engine/index.js';
import { manualSeed } from '../engine/random.js';
import { setNumThreads } from '../engine/threads.js';
import { DetectionBatchMaker } from '../detection/batches.js';
import type { BoxSet } from '../detection/boxes.js';
import type { DetectionDataset } from '../detection/datasets/dataset.js';
import { openDetectionDataset } from '../detection/datasets/open.js';
import { Detector, type DetectorOptions } from '../detection/detector.js';
import { buildTargets, detectionLoss, type LossOptions } from '../detection/loss.js';
import { cocoAveragePrecision } from '../detection/metrics/coco.js';
import { froc } from '../detection/metrics/froc.js';
import { type PreparedCase, prepareCase } from '../detection/prepare.js';
import { detectImage } from '../infer/detect.js';
import { readImage } from '../io/read.js';
import { defaultAugmentation } from '../transforms/defaults.js';
import { writeFileAtomic } from '../util/atomic.js';
import { OptionError, VesaliusError } from '../util/errors.js';
import { type DetectionConfig, loadDetectionConfig } from './detection-config.js';
import { buildOptimizer, buildScheduler } from './optimization.js';
import { runPaths, saveCheckpoint, writeLog } from './run-folder.js';

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

export async function trainDetection(
  configPath: string,
  options: DetectionTrainOptions = {},
): Promise<DetectionTrainResult> {
  const config = loadDetectionConfig(configPath);
  const say = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const runDir = resolve(options.out ?? config.output);
  const paths = runPaths(runDir);
  setNumThreads(config.threads ?? availableParallelism());
  const { train, val } = await openDetectionSets(config);
  const warnings = [...train.warnings, ...(val?.warnings ?? [])];
  for (const w of warnings) say(`warning: ${w}`);
  say(`preparing ${train.cases.length} training and ${val?.cases.length ?? 0} validation image(s)`);
  const trainCases = await prepareAll(train, config);
  const valCases = val ? await prepareAll(val, config) : [];
  if (trainCases.length === 0) throw new VesaliusError(`${config.dataset.root}: no training images`);
  const channels = trainCases[0]!.channels;
  const numClasses = train.classes.length;
  const patch = config.patch_size ?? trainCases[0]!.size;
  if (!config.patch_size && trainCases.some((c) => c.size.join() !== patch.join()))
    throw new OptionError('patch_size', 'the prepared images differ in size: give a training patch_size');
  if (patch.length !== config.dataset.dims) throw new OptionError('patch_size', `needs ${config.dataset.dims} values`);
  manualSeed(config.seed);
  const model = new Detector(detectorOptions(config, channels, numClasses));
  const optimizer = buildOptimizer(config, model.parameters());
  const scheduler = buildScheduler(config, optimizer);
  const loss = lossOptions(config, numClasses);
  mkdirSync(paths.checkpoints, { recursive: true });
  writeFileAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomic(
    paths.dataset,
    `${JSON.stringify({ task: 'detection', classes: train.classes, dims: config.dataset.dims, channels }, null, 2)}\n`,
  );
  const augmentation = defaultAugmentation(config.dataset.dims, config.augmentation, { patchSize: patch });
  const maker = new DetectionBatchMaker(trainCases, augmentation, {
    batchSize: config.batch_size,
    patchSize: patch,
    objectFraction: config.sampling.object_fraction,
    emptyFraction: config.sampling.empty_fraction,
    seed: config.seed,
  });
  say(
    `training ${trainCases.length} image(s) of ${train.classes.join(', ')}; patch ${patch.join('×')}, batch ${config.batch_size}, ${model.numParameters()} parameters, ${config.epochs} epochs × ${config.iterations_per_epoch} iterations`,
  );
  const anchors = model.anchorsFor(patch);
  const log: DetectionEpochLog[] = [];
  let best: number | null = null,
    bestEpoch: number | null = null,
    batchIndex = 0,
    iteration = 0,
    trainSeconds = 0;
  model.train(true);
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const t0 = performance.now();
      let sum = 0,
        sumCls = 0,
        sumBox = 0;
      for (let it = 0; it < config.iterations_per_epoch; it++) {
        const values = ve.tidy(() => {
          const batch = maker.make(batchIndex++);
          const targets = buildTargets(batch.boxes as BoxSet[], anchors, loss);
          optimizer.zeroGrad();
          const parts = ve.tidy(() => detectionLoss(model.forward(batch.image), targets, anchors, loss));
          parts.total.backward();
          optimizer.step();
          return [parts.total.item(), parts.classification.item(), parts.boxRegression.item()];
        });
        if (!Number.isFinite(values[0]!))
          throw new VesaliusError(
            `training diverged: the loss is ${values[0]} at epoch ${epoch} (lower optimizer.lr?)`,
          );
        scheduler.step();
        iteration++;
        sum += values[0]!;
        sumCls += values[1]!;
        sumBox += values[2]!;
        await new Promise<void>((r) => setImmediate(r));
      }
      const seconds = (performance.now() - t0) / 1000;
      trainSeconds += seconds;
      const n = config.iterations_per_epoch;
      const entry: DetectionEpochLog = {
        epoch,
        iteration,
        train_loss: sum / n,
        classification_loss: sumCls / n,
        box_loss: sumBox / n,
        lr: scheduler.getLr()[0]!,
        epoch_seconds: seconds,
        images_per_second: (n * config.batch_size) / seconds,
      };
      if (valCases.length > 0 && (epoch % config.validation.every === 0 || epoch === config.epochs)) {
        const v = validateDetector(model, valCases, config, numClasses);
        const metric =
          config.validation.metric === 'map' ? v.map : config.validation.metric === 'cpm' ? v.cpm : v.map50;
        const improved = best === null || metric > best;
        if (improved) {
          best = metric;
          bestEpoch = epoch;
          saveCheckpoint(paths.best, model, { epoch, metric });
        }
        Object.assign(entry, {
          val_ap50: v.ap50,
          val_map50: v.map50,
          val_map: v.map,
          val_cpm: v.cpm,
          val_seconds: v.seconds,
          best: improved,
        });
      } else if (valCases.length === 0) saveCheckpoint(paths.best, model, { epoch });
      saveCheckpoint(paths.last, model, { epoch });
      log.push(entry);
      writeLog(runDir, log);
      say(
        `epoch ${epoch}/${config.epochs}: loss ${entry.train_loss.toFixed(4)} (cls ${entry.classification_loss.toFixed(4)}, box ${entry.box_loss.toFixed(4)}), lr ${entry.lr.toExponential(2)}, ${entry.images_per_second.toFixed(1)} img/s${entry.val_map50 !== undefined ? `, val mAP@0.5 ${entry.val_map50.toFixed(4)} [${entry.val_ap50!.map((x) => x.toFixed(3)).join(', ')}], mAP ${entry.val_map!.toFixed(4)}${entry.best ? ' (best)' : ''}` : ''}`,
      );
      if (options.stopAfterEpoch !== undefined && epoch >= options.stopAfterEpoch) break;
    }
  } finally {
    maker.dispose();
    optimizer.dispose();
    model.dispose();
  }
  return { runDir, epochsDone: log.length, bestMetric: best, bestEpoch, trainSeconds, log, warnings };
}

export const detectionRunFiles = (runDir: string) => ({
  ...runPaths(runDir),
  predictions: join(runDir, 'predictions'),
});
