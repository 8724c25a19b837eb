/**
 * `vesalius train`: the one training loop of every task (segmentation, classification, …; see
 * task.ts). The config's `task` picks what reads the data, builds the network, computes the loss and
 * validates; the loop owns the rest: the run folder, optimizer and schedule, epochs of steps on
 * batches made off the main thread, validation every N epochs, best/last checkpoints, the JSONL log,
 * early stopping — and `--resume`, which continues exactly: weights, optimizer moments, schedule
 * position, epoch, iteration, the batch stream (batch i depends only on (seed, i)) and libtorch's CPU
 * generator (dropout masks), so an interrupted and resumed run ends with the weights an uninterrupted
 * one has.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { resolve } from 'node:path';
import { defaultDevice } from '../engine/device.js';
import { manualSeed } from '../engine/random.js';
import { setNumThreads } from '../engine/threads.js';
import { VesaliusError } from '../util/errors.js';
import { trainBaseline } from './baseline-run.js';
import { afterValidation } from './early-stopping.js';
import { trainEpoch } from './epoch.js';
import { buildOptimizer, buildScheduler } from './optimization.js';
import { progressBar, quietProgress, type TrainingProgress } from './progress.js';
import {
  type LoopState,
  loadTrainingState,
  readLog,
  runPaths,
  saveCheckpoint,
  saveCheckpointWeights,
  saveTrainingState,
  writeLog,
} from './run-folder.js';
import { loadTaskConfig } from './tasks.js';
import { type Distributed, single } from './distributed.js';
import { WeightAverage } from './weight-average.js';

export interface TrainOptions {
  /** Run folder (default: the config's `output`). */
  out?: string;
  resume?: boolean;
  /** true: the progress bar on stderr; false: silent; or a custom sink. */
  progress?: boolean | TrainingProgress;
  /** Batch-loader worker threads (default cores − 1, at least 1). */
  workers?: number;
  /** Cores this process may use (default all; data-parallel processes on one machine share them). */
  cores?: number;
  /** Stop after this epoch as an interruption would (the run can then be resumed); for tests and time-boxed runs. */
  stopAfterEpoch?: number;
  /** Preprocessed-case cache (default RUN/preprocessed); cross-validation shares one between its folds. */
  cacheDir?: string;
  /** Data-parallel training: this process's place in the process group (distributed.ts); default one process. */
  distributed?: Distributed;
}

export interface EpochLog {
  epoch: number;
  iteration: number;
  train_loss: number;
  lr: number;
  epoch_seconds: number;
  data_wait_seconds: number;
  images_per_second: number;
  /** Segmentation's validation entries (other tasks add their own, e.g. val_auc). */
  val_dice?: number[];
  val_mean_dice?: number;
  /** Mean loss of the whole-image validation predictions (the training loss without deep supervision). */
  val_loss?: number;
  val_seconds?: number;
  best?: boolean;
  [entry: string]: unknown;
}

export interface TrainResult {
  runDir: string;
  task: string;
  /** What bestMetric measures ("mean val Dice", "val AUC"). */
  metricName: string;
  epochsDone: number;
  iterations: number;
  bestMetric: number | null;
  bestEpoch: number | null;
  stoppedEarly: boolean;
  trainSeconds: number;
  dataWaitSeconds: number;
  log: EpochLog[];
}

/**
 * Trains the network a config describes, writing a run folder that `predict` and `--resume` use
 * (this file's comment has the steps; docs/architecture.md the data flow).
 *
 * @param configPath a YAML or JSON training config (every key: docs/config.md)
 * @param options the run folder (default: the config's `output`), `resume`, progress output, loader workers
 * @returns the run folder, epochs and iterations done, the best validation Dice and epoch, timings and the log
 * @throws OptionError naming the config key for an invalid config; FileFormatError or ShapeError naming the
 *   case for unreadable or inconsistent data; VesaliusError when the folder already holds a run (without
 *   `resume`), has nothing to resume, or was made by another config
 *
 * @example
 * ```ts
 * import { loadRun, train } from 'vesalius/train';
 * const result = await train('examples/drive.yaml', { out: 'runs/drive' });
 * console.log(result.bestMetric, result.log.at(-1)?.train_loss);
 * const run = loadRun(result.runDir); // for predictImages
 * ```
 */
export async function train(configPath: string, options: TrainOptions = {}): Promise<TrainResult> {
  // the config alone first: its errors (unknown keys, ...) come before anything is read
  const { task, config } = loadTaskConfig(configPath);
  // a classical baseline (src/baselines) is fitted, not trained by this loop
  const method = (config as { method?: { name?: string } }).method?.name;
  if (method !== undefined && method !== 'network') return trainBaseline(configPath, options);
  const runDir = resolve(options.out ?? config.output);
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
    // the saved config goes through today's schema too, so keys a later version added with defaults compare equal
    const saved = task.parseConfig(JSON.parse(readFileSync(paths.config, 'utf8')) as unknown, paths.config);
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(saved)), JSON.parse(JSON.stringify(config)))) {
      throw new VesaliusError(
        `${configPath}: differs from the config the run in ${runDir} started with (config.json there); an exact resume needs the same config`,
      );
    }
  }
  const dist = options.distributed ?? single;
  const sink: TrainingProgress | null = typeof options.progress === 'object' ? options.progress : null;
  const say = (line: string) => (dist.isMain ? (sink ? sink.log(line) : process.stderr.write(`${line}\n`)) : undefined);
  const cores = options.cores ?? availableParallelism();
  const workers = options.workers ?? Math.max(1, cores - 1);
  const shard = dist.worldSize > 1 ? { rank: dist.rank, worldSize: dist.worldSize } : undefined;
  // rank 0 fills the preprocessing cache first; the others then read it
  if (!dist.isMain) await dist.barrier();
  const prepared = await task.prepare(config, {
    configPath,
    runDir,
    resuming,
    workers,
    say,
    shard,
    cacheDir: options.cacheDir,
  });
  if (dist.isMain && dist.worldSize > 1) await dist.barrier();
  if (shard && !prepared.sharded)
    throw new VesaliusError(
      `the ${task.name} task does not split its batches across processes yet: train it with one process`,
    );
  // the step's libtorch threads and the loader's workers share the cores: oversubscribing them makes
  // libtorch's thread pool wait on preempted threads (several times slower on a busy 2-core machine)
  setNumThreads(config.threads ?? Math.max(1, cores - prepared.loaderWorkers));
  const device = config.device === 'auto' ? defaultDevice : config.device;
  const iterations = prepared.iterationsPerEpoch;
  manualSeed(config.seed);
  const model = prepared.createModel();
  if (device !== 'cpu') model.to(device);
  const trainable = prepared.trainableParameters(model);
  const optimizer = buildOptimizer(config, trainable);
  const scheduler = buildScheduler({ ...config, iterations_per_epoch: iterations }, optimizer);
  const emaDecay = config.optimizer.ema_decay;
  const average = emaDecay > 0 ? new WeightAverage(model, emaDecay) : null;
  // validation and checkpoints see the averaged weights when there is an average
  const averaged = <T>(fn: () => T | Promise<T>): Promise<T> =>
    average ? average.withAveraged(model, fn) : Promise.resolve(fn());
  if (!resuming && dist.isMain) prepared.writeSetup(runDir);
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
    loop = loadTrainingState(runDir, model, optimizer, scheduler, average);
    log = (readLog(runDir) as unknown as EpochLog[]).filter((e) => e.epoch <= loop.epoch);
    say(`resuming ${runDir} after epoch ${loop.epoch} (iteration ${loop.iteration})`);
  }
  // every rank starts from rank 0's weights; the other ranks then draw their own dropout masks
  await dist.syncModel(model);
  if (!dist.isMain) manualSeed(config.seed + 7919 * dist.rank + loop.epoch);
  say(prepared.describe(model, device));
  if (shard)
    say(
      `data-parallel training: ${dist.worldSize} processes, each taking 1/${dist.worldSize} of every batch; gradients averaged by all-reduce (Gloo)`,
    );

  const batches = prepared.batches(loop.batchIndex, device);
  const total = config.epochs * iterations;
  const bar = !dist.isMain
    ? quietProgress(() => {})
    : (sink ??
      (options.progress === false
        ? quietProgress((line) => process.stderr.write(`${line}\n`))
        : progressBar(total, loop.iteration)));
  let trainSeconds = 0,
    waitSeconds = 0;
  for (const note of prepared.notes ?? []) bar.log(note);
  // the task's extra files (LoRA adapters) come from the weights the checkpoint holds: swapped in only then
  const afterCheckpoint = async (path: string) => {
    const after = prepared.afterCheckpoint;
    if (after) await averaged(() => after(path, model));
  };
  const checkpoint = async (path: string, meta: { epoch: number; metric?: number | null }) => {
    if (!dist.isMain) return;
    if (average) saveCheckpointWeights(path, average.stateDict(), meta);
    else saveCheckpoint(path, model, meta);
    await afterCheckpoint(path);
  };
  try {
    while (loop.epoch < config.epochs && !loop.stopped) {
      const epoch = loop.epoch + 1;
      const epochStart = performance.now();
      const stats = await trainEpoch({
        model,
        optimizer,
        scheduler,
        loss: (batch) => prepared.loss(model, batch, device),
        imagesIn: (batch) => prepared.imagesIn(batch),
        batches,
        iterations,
        bfloat16: config.precision === 'bfloat16',
        afterBackward: shard ? () => dist.averageGradients(trainable) : undefined,
        afterStep: average ? () => average.update(model) : undefined,
        clip:
          config.optimizer.clip_grad_norm > 0
            ? { params: trainable, maxNorm: config.optimizer.clip_grad_norm }
            : undefined,
        onStep: (meanLoss, lr, images, steps) => {
          bar.update(loop.iteration + steps, {
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
      loop.iteration += iterations;
      loop.batchIndex = batches.position;
      const entry: EpochLog = {
        epoch,
        iteration: loop.iteration,
        // over every process's share: the loss of the whole batch, the images of all processes
        train_loss: await dist.mean(stats.meanLoss),
        lr: scheduler.getLr()[0]!,
        epoch_seconds: stats.seconds,
        data_wait_seconds: stats.dataWaitSeconds,
        images_per_second: (stats.images * dist.worldSize) / stats.seconds,
      };
      let valText = '';
      // rank 0 validates; the others wait for it at the next collective
      const validateNow =
        dist.isMain && prepared.hasValidation && (epoch % config.validation.every === 0 || epoch === config.epochs);
      if (validateNow) {
        const wasTraining = model.training;
        model.train(false);
        const v = await averaged(() => prepared.validate(model, device)).finally(() => model.train(wasTraining));
        const next = afterValidation(loop, v.metric, epoch, {
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
        Object.assign(entry, v.log, { best: next.improved });
        valText = `, ${v.text}${next.improved ? ' (best)' : ''}`;
        if (next.improved) await checkpoint(paths.best, { epoch, metric: v.metric });
      } else if (!prepared.hasValidation) {
        // no validation cases (fold 'all'): the best checkpoint is the latest
        await checkpoint(paths.best, { epoch });
      }
      loop.epoch = epoch;
      log.push(entry);
      if (dist.isMain) {
        saveTrainingState(runDir, model, optimizer, scheduler, loop, average);
        await afterCheckpoint(paths.last);
        writeLog(runDir, log);
      }
      // early stopping is rank 0's decision
      if (shard) loop.stopped = await dist.fromMain(loop.stopped);
      bar.log(
        `epoch ${epoch}/${config.epochs}: loss ${entry.train_loss.toFixed(4)}, lr ${entry.lr.toExponential(2)}, ${entry.images_per_second.toFixed(1)} img/s, waited ${entry.data_wait_seconds.toFixed(2)} s for data${valText}`,
      );
      if (loop.stopped)
        bar.log(
          `early stopping: no improvement in ${config.early_stopping.patience} validation(s); best ${loop.bestMetric?.toFixed(4)} at epoch ${loop.bestEpoch}`,
        );
      if (options.stopAfterEpoch !== undefined && epoch >= options.stopAfterEpoch) break;
    }
  } finally {
    bar.stop();
    await batches.close();
    optimizer.dispose();
    average?.dispose();
    model.dispose();
  }
  return {
    runDir,
    task: task.name,
    metricName: prepared.metricName,
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
