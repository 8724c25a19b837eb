/**
 * Classification as a training task for the one loop: samples prepared once and held in memory,
 * batches shuffled per epoch (or class-balanced) and augmented, cross-entropy / focal / binary
 * cross-entropy with class weights and label smoothing, validation every N epochs scored by AUC (or
 * accuracy, balanced accuracy, loss), and a run folder that `predict`, `evaluate`, `explain` and `cv`
 * read back (config.json, dataset.json with the classes and input, splits.json).
 */
import { mkdirSync } from 'node:fs';
import type { Module } from '../../engine/nn/module.js';
import type { Classifier } from '../../nets/classifier.js';
import type { Modality } from '../../nets/fusion.js';
import { Tensor } from '../../engine/tensor.js';
import { ClassificationAugmentation } from '../../data/classification/augment.js';
import { type ClassificationBatch, ClassificationBatches } from '../../data/classification/batches.js';
import { saveSplits } from '../../data/splits.js';
import { balancedClassWeights, classificationLoss } from '../../losses/classification.js';
import { macroAuc } from '../../metrics/classification.js';
import { accuracy, balancedAccuracy, confusionMatrix } from '../../metrics/confusion-matrix.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { runPaths } from '../run-folder.js';
import type { TrainingTask } from '../task.js';
import {
  type ClassificationConfig,
  classificationConfigSchema,
  parseClassificationConfig,
  resolveClassificationPaths,
} from './config.js';
import { copyHistogramReference } from './histogram-reference.js';
import { classify } from './inference.js';
import { applyFinetuneLora, checkLoraTargets, saveAdaptersBeside } from './lora.js';
import { buildClassificationNetwork, freeze, loadPretrained } from './model.js';
import { inputSpec, modalitiesOf, openDataset, prepareSamples, splitSamples } from './samples.js';

/** dataset.json of a classification run. */
export interface ClassificationInfo {
  task: 'classification';
  classes: string[];
  multiLabel: boolean;
  channels: number;
  /** Feature-level fusion: each modality's name and channels, in channel order. */
  modalities?: Modality[];
  trainSamples: number;
  valSamples: number;
}

export const classificationTask: TrainingTask<ClassificationConfig> = {
  name: 'classification',
  schema: classificationConfigSchema,

  parseConfig(raw, source, base) {
    const c = parseClassificationConfig(raw, source);
    return base === undefined ? c : resolveClassificationPaths(c, base);
  },

  async prepare(config, ctx) {
    // the adapters' targets are checked before any image is read
    if (config.finetune.lora) checkLoraTargets(config, config.finetune.lora);
    const dataset = openDataset(config);
    const split = splitSamples(dataset, config);
    const spec = await inputSpec(config);
    ctx.say(
      `${dataset.name}: ${dataset.samples.length} sample(s), ${dataset.classes.length} ${dataset.multiLabel ? 'labels' : 'classes'}; training ${split.train.length}, validating ${split.val.length} (${split.origin})`,
    );
    const progress = (done: number, total: number) => ctx.say(`  prepared ${done}/${total}`);
    const train = await prepareSamples(split.train, spec, progress);
    const val = await prepareSamples(split.val, spec, progress);
    const channels = train.channels;
    if (val.prepared.length && val.channels !== channels)
      throw new Error(`validation samples have ${val.channels} channel(s), training samples ${channels}`);
    const modalities = config.network.fusion === 'feature' ? await modalitiesOf(split.train[0]!, channels) : undefined;
    if (modalities) ctx.say(`feature fusion: ${modalities.map((m) => `${m.name} (${m.channels})`).join(', ')}`);
    const numClasses = dataset.classes.length;
    const multiLabel = dataset.multiLabel;
    const weights =
      config.loss.class_weights === 'balanced'
        ? balancedClassWeights(
            train.prepared.map((s) => s.target),
            numClasses,
            multiLabel,
          )
        : config.loss.class_weights === 'none'
          ? null
          : config.loss.class_weights;
    const lossFn = classificationLoss({
      name: config.loss.name,
      multiLabel,
      numClasses,
      classWeights: weights,
      labelSmoothing: config.loss.label_smoothing,
      focalGamma: config.loss.focal_gamma,
    });
    const targetTensor = (targets: number[], n: number, device: string) =>
      multiLabel
        ? Tensor.from(targets, [n, numClasses], { device })
        : Tensor.from(targets, [n], { dtype: 'int64', device });
    const size = config.input.size;
    const iterations = config.iterations_per_epoch ?? Math.max(1, Math.ceil(train.prepared.length / config.batch_size));
    const info: ClassificationInfo = {
      task: 'classification',
      classes: dataset.classes,
      multiLabel,
      channels,
      ...(modalities ? { modalities } : {}),
      trainSamples: train.prepared.length,
      valSamples: val.prepared.length,
    };
    const inference = {
      channels,
      size,
      mean: config.input.mean,
      std: config.input.std,
      multiLabel,
      batchSize: config.batch_size,
    };
    const lora = config.finetune.lora;
    let trainedHead: string[] = [];
    const notes: string[] = [];
    if (weights) notes.push(`class weights ${weights.map((w) => w.toFixed(3)).join(', ')}`);
    const metricName = `val ${config.validation.metric === 'loss' ? 'loss (negated)' : config.validation.metric.replace('_', ' ')}`;
    return {
      metricName,
      iterationsPerEpoch: iterations,
      // batches are made on the main thread between steps (cheap next to a step): every core trains
      loaderWorkers: 0,
      hasValidation: val.prepared.length > 0,
      notes,
      createModel() {
        const net = buildClassificationNetwork(config, channels, numClasses, modalities);
        let fresh: string[] = [];
        if (config.finetune.weights) {
          fresh = loadPretrained(net, config.finetune.weights, config.finetune.name_map);
          ctx.say(
            `fine-tuning from ${config.finetune.weights}${fresh.length ? ` (new head: ${fresh.join(', ')})` : ''}`,
          );
        }
        const frozen = freeze(net, config.finetune.freeze);
        if (frozen) ctx.say(`frozen: ${frozen} parameter tensor(s) under ${config.finetune.freeze.join(', ')}`);
        if (lora) {
          const { info, trainedHead: head } = applyFinetuneLora(net, lora, fresh);
          trainedHead = head;
          const trained = net.parameters().filter((p) => p.requiresGrad);
          ctx.say(
            `LoRA: rank ${info.rank}, alpha ${info.alpha} on ${info.layers.length} layer(s) (${info.layers.slice(0, 4).join(', ')}${info.layers.length > 4 ? ', …' : ''})${head.length ? ', head trained' : ''}; ${trained.reduce((n, p) => n + p.numel, 0)} of ${net.numParameters()} parameters train`,
          );
        }
        return net;
      },
      afterCheckpoint(path, model) {
        if (lora) saveAdaptersBeside(model as Classifier, path, trainedHead);
      },
      trainableParameters: (model) => model.parameters().filter((p) => p.requiresGrad),
      describe: (model, device) =>
        `${config.network.architecture}${modalities ? ` ×${modalities.length} (feature fusion)` : ''} (${size.length}D, ${channels} channel(s) in, ${numClasses} out): ${model.numParameters()} parameters; input ${size.join('×')}, batch ${config.batch_size}, ${config.epochs} epochs × ${iterations} iterations on ${device}`,
      writeSetup(runDir) {
        const p = runPaths(runDir);
        mkdirSync(p.checkpoints, { recursive: true });
        writeFileAtomic(p.config, `${JSON.stringify(config, null, 2)}\n`);
        writeFileAtomic(p.dataset, `${JSON.stringify(info, null, 2)}\n`);
        saveSplits(p.splits, split.folds);
        copyHistogramReference(config, runDir);
      },
      batches: (startBatch) =>
        new ClassificationBatches({
          samples: train.prepared,
          channels,
          size,
          batchSize: config.batch_size,
          seed: config.seed,
          balanced: config.sampling.balanced,
          augmentation: new ClassificationAugmentation(size, config.augmentation),
          mean: config.input.mean,
          std: config.input.std,
          startBatch,
        }),
      imagesIn: (batch: ClassificationBatch) => batch.inputShape[0]!,
      loss: (model: Module<[Tensor], unknown>, batch: ClassificationBatch, device: string) => {
        const n = batch.inputShape[0]!;
        const logits = model.forward(Tensor.from(batch.input, batch.inputShape, { device })) as Tensor;
        return lossFn(logits, targetTensor(batch.target, n, device));
      },
      async validate(model, device) {
        const start = performance.now();
        const targets = val.prepared.map((s) => s.target);
        const { probabilities, meanLoss } = classify(
          model,
          val.prepared.map((s) => s.data),
          { ...inference, device },
          (logits, indices) =>
            lossFn(
              logits,
              targetTensor(
                indices.flatMap((i) => targets[i]!),
                indices.length,
                device,
              ),
            ),
        );
        const auc = macroAuc(probabilities, targets, multiLabel);
        const m = multiLabel
          ? null
          : confusionMatrix(
              targets.map((t) => t[0]!),
              probabilities.map((p) => p.indexOf(Math.max(...p))),
              numClasses,
            );
        const acc = m ? accuracy(m) : NaN;
        const bacc = m ? balancedAccuracy(m) : NaN;
        const metric = { auc: auc ?? NaN, accuracy: acc, balanced_accuracy: bacc, loss: -(meanLoss ?? NaN) }[
          config.validation.metric
        ];
        const seconds = (performance.now() - start) / 1000;
        return {
          metric,
          log: {
            val_loss: meanLoss,
            val_auc: auc,
            val_accuracy: acc,
            val_balanced_accuracy: bacc,
            val_seconds: seconds,
          },
          text: `val loss ${meanLoss?.toFixed(4)}, AUC ${auc?.toFixed(4) ?? '-'}, accuracy ${acc.toFixed(4)}`,
          seconds,
        };
      },
    };
  },
};
