/**
 * The run folder: everything a training run leaves behind, and all that `predict` needs.
 *
 *   config.json                  the resolved config (every default filled in)
 *   plan.json                    the plan the run trained with
 *   dataset.json                 {labels, channels, numClasses, labelRemap?}
 *   splits.json                  [{train: [ids], val: [ids]}] (nnU-Net's splits_final.json layout)
 *   fingerprint.json             the dataset fingerprint the plan came from (the training distribution
 *                                that serving's drift monitoring compares new inputs against)
 *   checkpoints/best.safetensors model weights (PyTorch names) with the best mean validation Dice
 *   checkpoints/last.safetensors model weights after the last finished epoch
 *   checkpoints/last.optim.safetensors + last.state.json
 *                                optimizer tensors and libtorch's CPU generator state (`rng.cpu`, for
 *                                dropout); and epoch, iteration, batch index, optimizer and schedule
 *                                hyper-parameters, best metric, early-stopping count: an exact resume
 *   log.jsonl                    one JSON object per finished epoch
 *
 * Every file is written atomically (temporary name, then rename). The weights files carry their
 * epoch in the safetensors metadata, and the state names that epoch too, so a resume can tell a
 * matching set from one torn by a crash between two writes.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Module, StateDict } from '../engine/nn/module.js';
import type { Optimizer, OptimizerStateDict } from '../engine/optim/optimizer.js';
import type { LrScheduler, SchedulerState } from '../engine/optim/schedules.js';
import { getRngState, setRngState } from '../engine/random.js';
import { loadModule, readSafetensorsFile, writeSafetensors } from '../engine/safetensors.js';
import type { Tensor } from '../engine/tensor.js';
import type { DatasetFingerprint } from '../data/fingerprint.js';
import type { LabelClass } from '../data/layout/dataset.js';
import { loadPlan, type Plan, savePlan } from '../data/plan.js';
import { type Fold, saveSplits } from '../data/splits.js';
import type { UNet } from '../nets/unet.js';
import { writeFileAtomic } from '../util/atomic.js';
import { readJsonFile } from '../util/read-text.js';
import { FileFormatError, VesaliusError } from '../util/errors.js';
import { parseConfig, type TrainingConfig } from './config.js';
import { buildModel } from './model.js';
import type { WeightAverage } from './weight-average.js';

export interface DatasetInfo {
  labels: LabelClass[];
  channels: string[];
  numClasses: number;
  labelRemap?: Record<number, number>;
}

/** The files of a run folder: config, plan, dataset info, splits, log and checkpoints. */
export function runPaths(runDir: string) {
  const checkpoints = join(runDir, 'checkpoints');
  return {
    config: join(runDir, 'config.json'),
    plan: join(runDir, 'plan.json'),
    dataset: join(runDir, 'dataset.json'),
    splits: join(runDir, 'splits.json'),
    fingerprint: join(runDir, 'fingerprint.json'),
    log: join(runDir, 'log.jsonl'),
    checkpoints,
    best: join(checkpoints, 'best.safetensors'),
    last: join(checkpoints, 'last.safetensors'),
    lastOptim: join(checkpoints, 'last.optim.safetensors'),
    lastState: join(checkpoints, 'last.state.json'),
  };
}

/** The CPU generator's state in last.optim.safetensors (absent in runs saved before it was kept). */
const RNG_KEY = 'rng.cpu';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Writes config, plan, dataset info and splits (creating the folder). */
export function writeRunSetup(
  runDir: string,
  setup: {
    config: TrainingConfig;
    plan: Plan;
    datasetInfo: DatasetInfo;
    splits: Fold[];
    fingerprint?: DatasetFingerprint;
  },
): void {
  const p = runPaths(runDir);
  mkdirSync(p.checkpoints, { recursive: true });
  writeFileAtomic(p.config, json(setup.config));
  savePlan(p.plan, setup.plan);
  if (setup.fingerprint) writeFileAtomic(p.fingerprint, json(setup.fingerprint));
  writeFileAtomic(p.dataset, json(setup.datasetInfo));
  saveSplits(p.splits, setup.splits);
}

/** Model weights with their epoch (and metric) in the metadata. */
export function saveCheckpoint(
  path: string,
  model: Module<never, unknown>,
  meta: { epoch: number; metric?: number | null },
): void {
  saveCheckpointWeights(path, model.stateDict(), meta);
}

/** Weights under their module names (a weight average's, say) with their epoch (and metric). */
export function saveCheckpointWeights(
  path: string,
  weights: StateDict,
  meta: { epoch: number; metric?: number | null },
): void {
  writeSafetensors(path, weights, {
    epoch: String(meta.epoch),
    ...(meta.metric !== undefined && meta.metric !== null ? { metric: String(meta.metric) } : {}),
    format: 'vesalius-checkpoint-1',
  });
}

/** What the loop needs, besides tensors, to continue exactly where it stopped. */
export interface LoopState {
  /** Epochs finished. */
  epoch: number;
  /** Optimizer steps done. */
  iteration: number;
  /** Index of the next training batch (the loader's position). */
  batchIndex: number;
  bestMetric: number | null;
  bestEpoch: number | null;
  /** Validations since the best one (early stopping). */
  sinceBest: number;
  stopped: boolean;
}

interface StateFile extends LoopState {
  version: 1;
  scheduler: SchedulerState;
  paramGroups: OptimizerStateDict<object>['paramGroups'];
  /** Per-parameter numeric state (e.g. Adam's step), keyed by parameter index. */
  numbers: Record<string, Record<string, number>>;
  /** With a weight average: its update count (last.safetensors then holds the average, last.optim the trained weights as raw.NAME). */
  averageUpdates?: number;
}

/** Writes last weights, optimizer tensors and the state file (the state last: it names a finished set). */
export function saveTrainingState(
  runDir: string,
  model: Module<never, unknown>,
  optimizer: Optimizer<object>,
  scheduler: LrScheduler,
  loop: LoopState,
  average?: WeightAverage | null,
): void {
  const p = runPaths(runDir);
  const sd = optimizer.stateDict();
  const tensors = new Map<string, Tensor>();
  const numbers: StateFile['numbers'] = {};
  for (const [index, s] of Object.entries(sd.state)) {
    for (const [key, v] of Object.entries(s)) {
      if (typeof v === 'number') {
        numbers[index] ??= {};
        numbers[index][key] = v;
      } else tensors.set(`state.${index}.${key}`, v);
    }
  }
  const rng = getRngState();
  tensors.set(RNG_KEY, rng);
  if (average) {
    // predict and cross-validation read last.safetensors: it holds the average; resuming needs the trained weights too
    saveCheckpointWeights(p.last, average.stateDict(), { epoch: loop.epoch });
    for (const [name, t] of Object.entries(model.stateDict())) tensors.set(`raw.${name}`, t);
  } else saveCheckpoint(p.last, model, { epoch: loop.epoch });
  try {
    writeSafetensors(p.lastOptim, tensors, { epoch: String(loop.epoch) });
  } finally {
    rng.dispose();
  }
  const state: StateFile = {
    version: 1,
    ...loop,
    scheduler: scheduler.stateDict(),
    paramGroups: sd.paramGroups,
    numbers,
    ...(average ? { averageUpdates: average.updates } : {}),
  };
  writeFileAtomic(p.lastState, json(state));
}

/** Restores model, optimizer and schedule from the run's last state; returns the loop state. */
export function loadTrainingState(
  runDir: string,
  model: Module<never, unknown>,
  optimizer: Optimizer<object>,
  scheduler: LrScheduler,
  average?: WeightAverage | null,
): LoopState {
  const p = runPaths(runDir);
  if (!existsSync(p.lastState))
    throw new VesaliusError(`${runDir}: nothing to resume (no checkpoints/last.state.json); start without --resume`);
  let state: StateFile;
  try {
    state = JSON.parse(readFileSync(p.lastState, 'utf8')) as StateFile;
  } catch (err) {
    throw new FileFormatError(p.lastState, `cannot read the training state (${(err as Error).message})`);
  }
  if (state.version !== 1 || !Number.isInteger(state.epoch))
    throw new FileFormatError(p.lastState, 'not a Vesalius training state (version 1)');
  const weights = readSafetensorsFile(p.last);
  const optim = readSafetensorsFile(p.lastOptim);
  try {
    for (const [file, meta] of [
      [p.last, weights.metadata],
      [p.lastOptim, optim.metadata],
    ] as const) {
      if (meta.epoch !== String(state.epoch))
        throw new FileFormatError(
          file,
          `holds epoch ${meta.epoch ?? '?'} but last.state.json says ${state.epoch} (interrupted while saving); cannot resume exactly`,
        );
    }
    if (!!average !== (state.averageUpdates !== undefined))
      throw new FileFormatError(
        p.lastState,
        average
          ? 'was saved without a weight average (optimizer.ema_decay) and cannot continue with one'
          : 'was saved with a weight average (optimizer.ema_decay) and cannot continue without it',
      );
    const raw = new Map<string, Tensor>();
    for (const [name, t] of Object.entries(optim.tensors)) if (name.startsWith('raw.')) raw.set(name.slice(4), t);
    if (average) {
      average.load(weights.tensors);
      average.updates = state.averageUpdates!;
      model.loadStateDict(raw);
    } else model.loadStateDict(weights.tensors);
    const sd: OptimizerStateDict<object> = { paramGroups: state.paramGroups, state: {} };
    for (const [index, nums] of Object.entries(state.numbers)) sd.state[Number(index)] = { ...nums };
    for (const [name, t] of Object.entries(optim.tensors)) {
      if (name === RNG_KEY) {
        setRngState(t);
        continue;
      }
      if (name.startsWith('raw.')) continue;
      const [, index, key] = name.split('.');
      sd.state[Number(index)] ??= {};
      sd.state[Number(index)]![key!] = t;
    }
    optimizer.loadStateDict(sd);
    scheduler.loadStateDict(state.scheduler);
  } finally {
    for (const t of [...Object.values(weights.tensors), ...Object.values(optim.tensors)]) t.dispose();
  }
  const { epoch, iteration, batchIndex, bestMetric, bestEpoch, sinceBest, stopped } = state;
  return { epoch, iteration, batchIndex, bestMetric, bestEpoch, sinceBest, stopped };
}

/** The log's entries (one per finished epoch). */
export function readLog(runDir: string): Record<string, unknown>[] {
  const path = runPaths(runDir).log;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new FileFormatError(path, `line ${i + 1} is not JSON`);
      }
    });
}

export function writeLog(runDir: string, entries: readonly object[]): void {
  writeFileAtomic(
    runPaths(runDir).log,
    entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : ''),
  );
}

export interface LoadedRun {
  config: TrainingConfig;
  plan: Plan;
  datasetInfo: DatasetInfo;
  /** In eval mode, weights loaded. */
  model: UNet;
  checkpoint: string;
}

/** A trained run, ready to predict: config, plan, dataset info and the network with the chosen weights. */
export function loadRun(runDir: string, options: { checkpoint?: 'best' | 'last' } = {}): LoadedRun {
  const p = runPaths(runDir);
  if (!existsSync(p.config)) throw new VesaliusError(`${runDir}: not a run folder (no config.json)`);
  const config = parseConfig(readJsonFile(p.config, 'run config'), p.config);
  const plan = loadPlan(p.plan);
  const datasetInfo = readJsonFile(p.dataset, 'dataset info') as DatasetInfo;
  if (!Array.isArray(datasetInfo?.channels) || !Number.isInteger(datasetInfo?.numClasses))
    throw new FileFormatError(p.dataset, 'expected {labels, channels, numClasses}');
  const which = options.checkpoint ?? 'best';
  const checkpoint = which === 'best' ? p.best : p.last;
  if (!existsSync(checkpoint))
    throw new VesaliusError(
      `${runDir}: no ${which} checkpoint (checkpoints/${which}.safetensors); has the run finished an epoch?`,
    );
  const model = buildModel(config, plan, plan.channels.length, datasetInfo.numClasses);
  loadModule(model, checkpoint);
  model.eval();
  return { config, plan, datasetInfo, model, checkpoint };
}
