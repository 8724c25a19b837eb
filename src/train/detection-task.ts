/**
 * Detection as a training task of the one training loop (task.ts): the dataset in a detection format
 * → images prepared with their boxes (in memory) → box-aware augmented batches in a fixed order
 * (batch i from (seed, i), so a resumed run continues the same stream) → RetinaNet / FCOS loss →
 * validation on whole images: COCO AP@0.5 (picks the best checkpoint by default), mAP@[.5:.95], FROC.
 */
import * as ve from '../engine/index.js';
import type { Module } from '../engine/nn/module.js';
import type { Tensor } from '../engine/tensor.js';
import { type DetectionBatch, DetectionBatchMaker } from '../detection/batches.js';
import { Detector } from '../detection/detector.js';
import { buildTargets, detectionLoss } from '../detection/loss.js';
import { defaultAugmentation } from '../transforms/defaults.js';
import { writeFileAtomic } from '../util/atomic.js';
import { OptionError, VesaliusError } from '../util/errors.js';
import { type DetectionConfig, detectionConfigSchema, parseDetectionConfig } from './detection-config.js';
import { detectorOptions, lossOptions, openDetectionSets, prepareAll, validateDetector } from './detection-data.js';
import { runPaths } from './run-folder.js';
import type { TrainingTask } from './task.js';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export const detectionTask: TrainingTask<DetectionConfig> = {
  name: 'detection',
  schema: detectionConfigSchema,

  parseConfig(raw, source, base) {
    const config = parseDetectionConfig(raw, source);
    if (base !== undefined) {
      config.dataset.root = resolve(base, config.dataset.root);
      config.output = resolve(base, config.output);
    }
    return config;
  },

  async prepare(config, ctx) {
    const { train, val } = await openDetectionSets(config);
    for (const w of [...train.warnings, ...(val?.warnings ?? [])]) ctx.say(`warning: ${w}`);
    ctx.say(`preparing ${train.cases.length} training and ${val?.cases.length ?? 0} validation image(s)`);
    const trainCases = await prepareAll(train, config);
    const valCases = val ? await prepareAll(val, config) : [];
    if (trainCases.length === 0) throw new VesaliusError(`${config.dataset.root}: no training images`);
    const channels = trainCases[0]!.channels;
    const numClasses = train.classes.length;
    const patch = config.patch_size ?? trainCases[0]!.size;
    if (!config.patch_size && trainCases.some((c) => c.size.join() !== patch.join()))
      throw new OptionError('patch_size', 'the prepared images differ in size: give a training patch_size');
    if (patch.length !== config.dataset.dims)
      throw new OptionError('patch_size', `needs ${config.dataset.dims} values`);
    const loss = lossOptions(config, numClasses);
    const augmentation = defaultAugmentation(config.dataset.dims, config.augmentation, { patchSize: patch });
    return {
      metricName:
        config.validation.metric === 'cpm'
          ? 'val FROC CPM'
          : config.validation.metric === 'map'
            ? 'val mAP'
            : 'val mAP@0.5',
      iterationsPerEpoch: config.iterations_per_epoch,
      // batches are made on the main thread, between steps: the step gets every core
      loaderWorkers: 0,
      hasValidation: valCases.length > 0,
      createModel: () => new Detector(detectorOptions(config, channels, numClasses)),
      trainableParameters: (model) => model.parameters(),
      describe: (model, device) =>
        `training ${trainCases.length} image(s) of ${train.classes.join(', ')}, validating ${valCases.length}; patch ${patch.join('×')}, batch ${config.batch_size}, ${model.numParameters()} parameters, ${config.epochs} epochs × ${config.iterations_per_epoch} iterations on ${device}`,
      writeSetup: (runDir) => {
        const p = runPaths(runDir);
        mkdirSync(p.checkpoints, { recursive: true });
        writeFileAtomic(p.config, `${JSON.stringify(config, null, 2)}\n`);
        writeFileAtomic(
          p.dataset,
          `${JSON.stringify({ task: 'detection', classes: train.classes, dims: config.dataset.dims, channels }, null, 2)}\n`,
        );
      },
      batches: (startBatch) => {
        const maker = new DetectionBatchMaker(trainCases, augmentation, {
          batchSize: config.batch_size,
          patchSize: patch,
          objectFraction: config.sampling.object_fraction,
          balanceClasses: config.sampling.balance_classes,
          emptyFraction: config.sampling.empty_fraction,
          seed: config.seed,
        });
        let position = startBatch;
        return {
          next: async () => maker.make(position++),
          get position() {
            return position;
          },
          close: async () => maker.dispose(),
        };
      },
      imagesIn: (batch) => (batch as DetectionBatch).imageShape[0]!,
      loss: (model: Module<[Tensor], unknown>, raw, device) => {
        const batch = raw as DetectionBatch;
        const detector = model as Detector;
        const anchors = detector.anchorsFor(patch);
        const targets = buildTargets(batch.boxes, anchors, loss);
        const image = ve.Tensor.from(batch.image, batch.imageShape, { device });
        return detectionLoss(detector.forward(image), targets, anchors, loss).total;
      },
      validate: async (model, device) => {
        const v = validateDetector(model as Detector, valCases, config, numClasses, device);
        const metric =
          config.validation.metric === 'map' ? v.map : config.validation.metric === 'cpm' ? v.cpm : v.map50;
        return {
          metric,
          log: {
            val_ap50: v.ap50,
            val_map50: v.map50,
            val_map: v.map,
            val_cpm: v.cpm,
            val_froc: v.froc.sensitivities,
            ...(v.map10 !== undefined ? { val_map10: v.map10 } : {}),
            val_seconds: v.seconds,
          },
          text: `val mAP@0.5 ${v.map50.toFixed(4)} [${v.ap50.map((x) => x.toFixed(3)).join(', ')}], mAP ${v.map.toFixed(4)}, CPM ${v.cpm.toFixed(4)}`,
          seconds: v.seconds,
        };
      },
    };
  },
};
