/**
 * What a task (segmentation, classification, detection …) gives the one training loop (trainer.ts).
 * The loop owns what every task shares — the run folder, resume, optimizer and schedule, epochs of
 * steps, progress, validation every N epochs, best/last checkpoints, early stopping, the log — and
 * asks the task for the rest: its config, its data as batches, the loss of a batch, a validation
 * metric (higher is better), and the files that describe the run.
 */
import type { Module } from '../engine/nn/module.js';
import type { Tensor } from '../engine/tensor.js';
import type { ZodType } from 'zod';
import type { TrainingConfig } from './config.js';

/** The config keys the loop itself reads; every task's config has them (see config-common.ts). */
export interface LoopConfig {
  task?: string;
  epochs: number;
  optimizer: TrainingConfig['optimizer'];
  schedule: TrainingConfig['schedule'];
  validation: { every: number };
  early_stopping: TrainingConfig['early_stopping'];
  seed: number;
  device: string;
  threads: number | null;
  output: string;
  /** 'bfloat16': forward passes under CPU autocast (convolutions and matrix products in bf16). */
  precision?: 'float32' | 'bfloat16';
}

/** Batches in a fixed order: batch i depends only on (seed, i), so `position` resumes the stream exactly. */
export interface BatchStream<B> {
  /** The next batch. */
  next(): Promise<B>;
  /** Index of the batch the next call to next() returns. */
  readonly position: number;
  /** Stops the workers. */
  close(): Promise<void>;
}

export interface ValidationOutcome {
  /** The model-selection metric: higher is better (best checkpoint, early stopping). */
  metric: number;
  /** Entries added to the epoch's line in log.jsonl (e.g. val_dice, val_auc). */
  log: Record<string, unknown>;
  /** For the human epoch line, e.g. "val Dice 0.8123". */
  text: string;
  seconds: number;
}

export interface LoopContext {
  configPath: string;
  runDir: string;
  resuming: boolean;
  /** Batch-loader worker threads. */
  workers: number;
  /** A line for the human log (stderr). */
  say(line: string): void;
  /** Where preprocessed cases are cached (default: the run folder's preprocessed/); cross-validation shares one. */
  cacheDir?: string;
  /** Data-parallel training: this process's share of every batch (the config's batch size is the global one). */
  shard?: { rank: number; worldSize: number };
}

/** A task's run, once its data is read and checked (before any weights exist). */
export interface PreparedTask<B = unknown> {
  /** Name of the validation metric for messages ("mean val Dice", "val AUC"). */
  metricName: string;
  /** Steps per epoch (a config's iterations_per_epoch, or one pass over the training data). */
  iterationsPerEpoch: number;
  /** Worker threads its batch stream keeps busy (the training step gets the other cores). */
  loaderWorkers: number;
  /** Whether there are validation cases (without them the best checkpoint is the latest). */
  hasValidation: boolean;
  /** Builds the network (after the loop has seeded libtorch's generator). */
  createModel(): Module<[Tensor], unknown>;
  /** The parameters the optimizer updates (frozen layers, and base weights under LoRA, are left out). */
  trainableParameters(model: Module<[Tensor], unknown>): Tensor[];
  /** The line saying what trains, e.g. "training 12 case(s), validating 3; …". */
  describe(model: Module<[Tensor], unknown>, device: string): string;
  /** Lines said once before the first epoch. */
  notes?: string[];
  /** Writes the run's description files (config.json, dataset.json, splits.json, …) into a new run folder. */
  writeSetup(runDir: string): void;
  /** Whether `batches` honours LoopContext.shard (data-parallel training needs it). */
  sharded?: boolean;
  /** The training batches, starting at batch `startBatch`. */
  batches(startBatch: number, device: string): BatchStream<B>;
  /** Images (samples) in a batch, for speed and the progress bar. */
  imagesIn(batch: B): number;
  /** Forward pass and loss of one batch (the loop runs it in a memory scope and calls backward). */
  loss(model: Module<[Tensor], unknown>, batch: B, device: string): Tensor;
  /** Scores the model on the validation cases (in eval mode; the loop restores training mode). */
  validate(model: Module<[Tensor], unknown>, device: string): Promise<ValidationOutcome>;
  /** Also called when a checkpoint is written (e.g. LoRA adapters saved apart). */
  afterCheckpoint?(path: string, model: Module<[Tensor], unknown>): void;
}

export interface TrainingTask<C extends LoopConfig = LoopConfig> {
  readonly name: string;
  /**
   * The zod schema of the task's config; docs/config.md documents it (scripts/config-docs.ts), each key
   * with its `.describe()` text.
   */
  readonly schema?: ZodType;
  /** Validates a parsed config object (`source` names the file in errors); relative paths resolve against `base`. */
  parseConfig(raw: unknown, source: string, base?: string): C;
  /** Reads and checks the data: every error bad input can cause happens here, before the first step. */
  prepare(config: C, ctx: LoopContext): Promise<PreparedTask>;
}
