/**
 * `vesalius train`: config → plan → preprocessed, cached cases → split → model, loss, optimizer,
 * schedule → epochs of steps on batches made off the main thread → validation on whole images every
 * N epochs → best/last checkpoints, JSONL log, early stopping — in a run folder (run-folder.ts) that
 * `--resume` continues exactly: weights, optimizer moments, schedule position, epoch, iteration, the
 * batch stream (batch i depends only on (seed, i)) and libtorch's CPU generator (dropout masks), so an
 * interrupted and resumed run ends with the weights an uninterrupted one has.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { join, resolve } from 'node:path';
import { defaultDevice } from '../engine/device.js';
import { manualSeed } from '../engine/random.js';
import { setNumThreads } from '../engine/threads.js';
import { BatchLoader } from '../data/loader.js';
import { loadPlan } from '../data/plan.js';
import { VesaliusError } from '../util/errors.js';
import { trainBaseline } from './baseline-run.js';
import { prepareTrainingData, loaderCase } from './data.js';
import { openPlanSource } from './plan-source.js';
import { afterValidation } from './early-stopping.js';
import { trainEpoch } from './epoch.js';
import { segmentationLoss, trainingLoss } from './loss.js';
import { buildModel, patchSizeOf } from './model.js';
import { buildOptimizer, buildScheduler, totalSteps } from './optimization.js';
import { progressBar, quietProgress, type TrainingProgress } from './progress.js';
import {
  type LoopState,
  loadTrainingState,
  readLog,
  runPaths,
  saveCheckpoint,
  saveTrainingState,
  writeLog,
  writeRunSetup,
} from './run-folder.js';
import { validate } from './validation.js';

export interface TrainOptions {
  /** Run folder (default: the config's `output`). */
  out?: string;
  resume?: boolean;
  /** true: the progress bar on stderr; false: silent; or a custom sink. */
  progress?: boolean | TrainingProgress;
  /** Batch-loader worker threads (default cores − 1, at least 1). */
  workers?: number;
  /** Stop after this epoch as an interruption would (the run can then be resumed); for tests and time-boxed runs. */
  stopAfterEpoch?: number;
  /** Preprocessed-case cache (default RUN/preprocessed); cross-validation shares one between its folds. */
  cacheDir?: string;
}

export interface EpochLog {
  epoch: number;
  iteration: number;
  train_loss: number;
  lr: number;
  epoch_seconds: number;
  data_wait_seconds: number;
  images_per_second: number;
  val_dice?: number[];
  val_mean_dice?: number;
  /** Mean loss of the whole-image validation predictions (the training loss without deep supervision). */
  val_loss?: number;
  val_seconds?: number;
  best?: boolean;
}

export interface TrainResult {
  runDir: string;
  epochsDone: number;
  iterations: number;
  bestMetric: number | null;
  bestEpoch: number | null;
  stoppedEarly: boolean;
  trainSeconds: number;
  dataWaitSeconds: number;
  log: EpochLog[];
}

export async function train(configPath: string, options: TrainOptions = {}): Promise<TrainResult> {
  // the config alone first: its errors (unknown keys, ...) come before anything is read
  const config0 = openPlanSource(configPath).config!;
  if (config0.method.name !== 'network') return trainBaseline(configPath, options);
  const runDir = resolve(options.out ?? config0.output);
  const paths = runPaths(runDir);
  const resuming = !!options.resume;
  if (!resuming && existsSync(paths.lastState)) {
    throw new VesaliusError(
      `${runDir} already holds a training run; continue it with --resume or choose another folder with --out`,
    );
  }
  if (resuming && !existsSync(paths.lastState))
    throw new VesaliusError(`${runDir}: nothing to resume (no checkpoints/last.state.json)`);
  if (resuming) {
    const saved = JSON.parse(readFileSync(paths.config, 'utf8')) as unknown;
    if (!isDeepStrictEqual(saved, JSON.parse(JSON.stringify(config0)))) {
      throw new VesaliusError(
        `${configPath}: differs from the config the run in ${runDir} started with (config.json there); an exact resume needs the same config`,
      );
    }
  }
  const sink: TrainingProgress | null = typeof options.progress === 'object' ? options.progress : null;
  const say = (line: string) => (sink ? sink.log(line) : process.stderr.write(`${line}\n`));

  const data = await prepareTrainingData(configPath, {
    plan: resuming ? loadPlan(paths.plan) : undefined,
    cacheDir: options.cacheDir ?? join(runDir, 'preprocessed'),
    onStage: say,
  });
  const { config, plan } = data;
  const workers = options.workers ?? Math.max(1, availableParallelism() - 1);
  // the step's libtorch threads and the loader's workers share the cores: oversubscribing them makes
  // libtorch's thread pool wait on preempted threads (several times slower on a busy 2-core machine)
  setNumThreads(config.threads ?? Math.max(1, availableParallelism() - workers));
  const device = config.device === 'auto' ? defaultDevice : config.device;
  const dims = plan.dimension === '2d' ? 2 : 3;
  const numClasses = data.datasetInfo.numClasses;
  manualSeed(config.seed);
  const model = buildModel(config, plan, plan.channels.length, numClasses);
  if (device !== 'cpu') model.to(device);
  const optimizer = buildOptimizer(config, model.parameters());
  const scheduler = buildScheduler(config, optimizer);
  const lossFn = trainingLoss(config);
  const valLoss = segmentationLoss(config);
  if (!resuming) writeRunSetup(runDir, { config, plan, datasetInfo: data.datasetInfo, splits: data.folds });
  let loop: LoopState = {
    epoch: 0,
    iteration: 0,
    batchIndex: 0,
    bestMetric: null,
    bestEpoch: null,
    sinceBest: 0,
    stopped: false,
  };
  let log: EpochLog[] = [];
  if (resuming) {
    loop = loadTrainingState(runDir, model, optimizer, scheduler);
    log = (readLog(runDir) as unknown as EpochLog[]).filter((e) => e.epoch <= loop.epoch);
    say(`resuming ${runDir} after epoch ${loop.epoch} (iteration ${loop.iteration})`);
  }
  const patch = patchSizeOf(plan);
  say(
    `training ${data.fold.train.length} case(s), validating ${data.fold.val.length}; patch ${plan.patch_size.join('×')}, batch ${plan.batch_size}, ${model.numParameters()} parameters, ${config.epochs} epochs × ${config.iterations_per_epoch} iterations on ${device}`,
  );

  const loader = new BatchLoader({
    cases: data.train.map((c) => loaderCase(c, dims)),
    batchSize: plan.batch_size,
    patchSize: patch,
    numClasses,
    foregroundFraction: config.sampling.foreground_fraction,
    augmentation: config.augmentation,
    seed: config.seed,
    workers,
    startBatch: loop.batchIndex,
  });
  const total = totalSteps(config);
  const bar =
    sink ??
    (options.progress === false
      ? quietProgress((line) => process.stderr.write(`${line}\n`))
      : progressBar(total, loop.iteration));
  let trainSeconds = 0,
    waitSeconds = 0;
  if (data.val.length > 0) {
    bar.log(
      config.validation.exclude_both_empty
        ? 'validation Dice: a class absent from both label and prediction is left out of its mean (validation.exclude_both_empty)'
        : 'validation Dice: a class absent from both label and prediction counts as 1, as in evaluate (validation.exclude_both_empty=false)',
    );
  }
  try {
    while (loop.epoch < config.epochs && !loop.stopped) {
      const epoch = loop.epoch + 1;
      const epochStart = performance.now();
      const stats = await trainEpoch({
        model,
        optimizer,
        scheduler,
        loss: lossFn,
        loader,
        device,
        iterations: config.iterations_per_epoch,
        onStep: (meanLoss, lr, images) => {
          const it = loop.iteration + Math.round(images / plan.batch_size);
          bar.update(it, {
            epoch,
            epochs: config.epochs,
            loss: meanLoss,
            lr,
            imagesPerSecond: images / ((performance.now() - epochStart) / 1000),
          });
        },
      });
      trainSeconds += stats.seconds;
      waitSeconds += stats.dataWaitSeconds;
      loop.iteration += config.iterations_per_epoch;
      loop.batchIndex = loader.position;
      const entry: EpochLog = {
        epoch,
        iteration: loop.iteration,
        train_loss: stats.meanLoss,
        lr: scheduler.getLr()[0]!,
        epoch_seconds: stats.seconds,
        data_wait_seconds: stats.dataWaitSeconds,
        images_per_second: stats.images / stats.seconds,
      };
      const validateNow = data.val.length > 0 && (epoch % config.validation.every === 0 || epoch === config.epochs);
      if (validateNow) {
        const v = await validate(model, data.val, {
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
        const next = afterValidation(loop, v.meanDice, epoch, {
          patience: config.early_stopping.patience,
          minDelta: config.early_stopping.min_delta,
        });
        loop = {
          ...loop,
          bestMetric: next.bestMetric,
          bestEpoch: next.bestEpoch,
          sinceBest: next.sinceBest,
          stopped: next.stop,
        };
        Object.assign(entry, {
          val_dice: v.dicePerClass,
          val_mean_dice: v.meanDice,
          val_loss: v.meanLoss,
          val_seconds: v.seconds,
          best: next.improved,
        });
        if (next.improved) saveCheckpoint(paths.best, model, { epoch, metric: v.meanDice });
      } else if (data.val.length === 0) {
        // no validation cases (fold 'all'): the best checkpoint is the latest
        saveCheckpoint(paths.best, model, { epoch });
      }
      loop.epoch = epoch;
      log.push(entry);
      saveTrainingState(runDir, model, optimizer, scheduler, loop);
      writeLog(runDir, log);
      bar.log(
        `epoch ${epoch}/${config.epochs}: loss ${entry.train_loss.toFixed(4)}, lr ${entry.lr.toExponential(2)}, ${entry.images_per_second.toFixed(1)} img/s, waited ${entry.data_wait_seconds.toFixed(2)} s for data${entry.val_mean_dice !== undefined ? `, val loss ${entry.val_loss?.toFixed(4)}, val Dice ${entry.val_mean_dice.toFixed(4)}${entry.best ? ' (best)' : ''}` : ''}`,
      );
      if (loop.stopped)
        bar.log(
          `early stopping: no improvement in ${config.early_stopping.patience} validation(s); best ${loop.bestMetric?.toFixed(4)} at epoch ${loop.bestEpoch}`,
        );
      if (options.stopAfterEpoch !== undefined && epoch >= options.stopAfterEpoch) break;
    }
  } finally {
    bar.stop();
    await loader.close();
    optimizer.dispose();
    model.dispose();
  }
  return {
    runDir,
    epochsDone: loop.epoch,
    iterations: loop.iteration,
    bestMetric: loop.bestMetric,
    bestEpoch: loop.bestEpoch,
    stoppedEarly: loop.stopped,
    trainSeconds,
    dataWaitSeconds: waitSeconds,
    log,
  };
}
