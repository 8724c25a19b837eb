/**
 * Segmentation as a training task: nnU-Net's pipeline — fingerprint and plan, preprocessed and cached
 * cases, patches sampled with a foreground share and augmented off the main thread, Dice + CE with
 * deep supervision, and validation by sliding-window inference on whole images scored by mean Dice.
 */
import { BatchLoader, type Batch, batchTensors } from '../data/loader.js';
import { loadPlan } from '../data/plan.js';
import type { Module } from '../engine/nn/module.js';
import type { Tensor } from '../engine/tensor.js';
import type { UNet } from '../nets/unet.js';
import { configSchema, parseConfig, resolveConfigPaths, type TrainingConfig } from './config.js';
import { loaderCase } from '../data/batch-cases.js';
import { prepareTrainingData } from './data.js';
import { segmentationLoss, trainingLoss } from './loss.js';
import { buildModel, patchSizeOf } from './model.js';
import { runPaths, writeRunSetup } from './run-folder.js';
import type { TrainingTask } from './task.js';
import { validate } from './validation.js';

export const segmentationTask: TrainingTask<TrainingConfig> = {
  name: 'segmentation',
  schema: configSchema,

  parseConfig(raw, source, base) {
    const config = parseConfig(raw, source);
    return base === undefined ? config : resolveConfigPaths(config, base);
  },

  async prepare(_config, ctx) {
    const data = await prepareTrainingData(ctx.configPath, {
      plan: ctx.resuming ? loadPlan(runPaths(ctx.runDir).plan) : undefined,
      cacheDir: ctx.cacheDir ?? `${ctx.runDir}/preprocessed`,
      onStage: ctx.say,
    });
    const { config, plan } = data;
    const dims = plan.dimension === '2d' ? 2 : 3;
    const numClasses = data.datasetInfo.numClasses;
    const patch = patchSizeOf(plan);
    const lossFn = trainingLoss(config);
    const valLoss = segmentationLoss(config);
    return {
      metricName: 'mean val Dice',
      iterationsPerEpoch: config.iterations_per_epoch,
      loaderWorkers: ctx.workers,
      hasValidation: data.val.length > 0,
      createModel: () => buildModel(config, plan, plan.channels.length, numClasses),
      trainableParameters: (model) => model.parameters(),
      describe: (model, device) =>
        `training ${data.fold.train.length} case(s), validating ${data.fold.val.length}; patch ${plan.patch_size.join('×')}, batch ${plan.batch_size}, ${model.numParameters()} parameters, ${config.epochs} epochs × ${config.iterations_per_epoch} iterations on ${device}`,
      notes: [
        ...(data.val.length > 0
          ? [
              config.validation.exclude_both_empty
                ? 'validation Dice: a class absent from both label and prediction is left out of its mean (validation.exclude_both_empty)'
                : 'validation Dice: a class absent from both label and prediction counts as 1, as in evaluate (validation.exclude_both_empty=false)',
            ]
          : []),
        ...(ctx.shard && config.loss.batch_dice
          ? [
              `loss.batch_dice: each of the ${ctx.shard.worldSize} processes pools its Dice over its own share of the batch, not the whole batch (the one loss term that differs from one process)`,
            ]
          : []),
      ],
      sharded: true,
      writeSetup: (runDir) =>
        writeRunSetup(runDir, {
          config,
          plan,
          datasetInfo: data.datasetInfo,
          splits: data.folds,
          fingerprint: data.fingerprint,
        }),
      batches: (startBatch) =>
        new BatchLoader({
          cases: data.train.map((c) => loaderCase(c, dims)),
          batchSize: plan.batch_size,
          patchSize: patch,
          numClasses,
          foregroundFraction: config.sampling.foreground_fraction,
          augmentation: config.augmentation,
          seed: config.seed,
          workers: ctx.workers,
          startBatch,
          shard: ctx.shard,
        }),
      imagesIn: (batch: Batch) => batch.imageShape[0]!,
      loss: (model: Module<[Tensor], unknown>, batch: Batch, device: string) => {
        const { image, label } = batchTensors(batch, device);
        return lossFn((model as Module<[Tensor], Tensor | Tensor[]>).forward(image), label);
      },
      validate: async (model, device) => {
        const v = await validate(model as UNet, data.val, {
          patchSize: patch,
          numClasses,
          dims,
          device,
          overlap: config.inference.overlap,
          gaussian: config.inference.gaussian,
          mirror: false,
          batchSize: plan.batch_size,
          excludeBothEmpty: config.validation.exclude_both_empty,
          loss: (logits, target) => valLoss.forward(logits, target),
        });
        return {
          metric: v.meanDice,
          log: { val_dice: v.dicePerClass, val_mean_dice: v.meanDice, val_loss: v.meanLoss, val_seconds: v.seconds },
          text: `val loss ${v.meanLoss?.toFixed(4)}, val Dice ${v.meanDice.toFixed(4)}`,
          seconds: v.seconds,
        };
      },
    };
  },
};
