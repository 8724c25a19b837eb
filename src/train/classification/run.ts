/**
 * A trained classification run, read back: its config, dataset info (classes, channels) and network
 * with the chosen checkpoint; predictions of new images (or of a split of the run's own dataset, e.g.
 * MedMNIST's test split) as probabilities (written as metrics/classification-files.ts's CSV).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadModule } from '../../engine/safetensors.js';
import {
  type ClassificationSample,
  openClassificationDataset,
  type SplitName,
} from '../../data/classification/dataset.js';
import type { Classifier } from '../../nets/classifier.js';
import { applyLora } from '../../nets/lora.js';
import { FileFormatError, OptionError, VesaliusError } from '../../util/errors.js';
import type { Prediction } from '../../metrics/classification-files.js';
import { runPaths } from '../run-folder.js';
import { type ClassificationConfig, parseClassificationConfig } from './config.js';
import { useRunHistogramReference } from './histogram-reference.js';
import { classify } from './inference.js';
import { buildClassificationNetwork } from './model.js';
import { inputSpec, openDataset, prepareSamples, sampleSource } from './samples.js';
import type { ClassificationInfo } from './task.js';

export interface ClassificationRun {
  runDir: string;
  config: ClassificationConfig;
  info: ClassificationInfo;
  /** In eval mode, weights loaded. */
  model: Classifier;
  checkpoint: string;
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FileFormatError(path, `cannot read the ${what} (${(err as Error).message})`);
  }
}

/**
 * Reads a classification run folder and builds its network with the best (or last) checkpoint.
 * @throws VesaliusError when the folder is not a run or lacks the checkpoint
 */
export function loadClassificationRun(runDir: string, checkpoint: 'best' | 'last' = 'best'): ClassificationRun {
  const p = runPaths(runDir);
  if (!existsSync(p.config)) throw new VesaliusError(`${runDir}: not a run folder (no config.json)`);
  const config = parseClassificationConfig(readJson(p.config, 'run config'), p.config);
  useRunHistogramReference(config, runDir);
  const info = readJson(p.dataset, 'dataset info') as ClassificationInfo;
  if (!Array.isArray(info?.classes) || !Number.isInteger(info?.channels))
    throw new FileFormatError(p.dataset, 'expected {classes, multiLabel, channels}');
  const file = checkpoint === 'best' && !existsSync(p.best) ? p.last : checkpoint === 'best' ? p.best : p.last;
  if (!existsSync(file))
    throw new VesaliusError(`${runDir}: no ${checkpoint} checkpoint (checkpoints/${checkpoint}.safetensors)`);
  const model = buildClassificationNetwork(config, info.channels, info.classes.length, info.modalities);
  // a LoRA run's checkpoints hold the base and its adapters
  if (config.finetune.lora) applyLora(model, config.finetune.lora, 'finetune.lora');
  loadModule(model, file);
  model.eval();
  return { runDir, config, info, model, checkpoint: file };
}

/** Samples from image paths (a case's channel files joined by commas). */
export function samplesFromPaths(inputs: readonly string[]): ClassificationSample[] {
  return inputs.map((input) => {
    const paths = input.split(',').filter(Boolean);
    for (const path of paths) if (!existsSync(path)) throw new VesaliusError(`${path}: no such image or folder`);
    return { id: paths[0]!.split('/').pop() ?? input, paths, target: [] };
  });
}

/**
 * New cases from a CSV read with the run's own columns (its path_column or path_columns; labels when
 * its label column is there), relative paths against the CSV's folder: each run of a decision-level
 * fusion reads its own modality from one table.
 * @throws OptionError naming `inputs` when the run was not trained on a CSV
 */
export function samplesFromCsv(run: ClassificationRun, file: string): ClassificationSample[] {
  const d = run.config.dataset;
  if (d.format !== 'csv')
    throw new OptionError(
      'inputs',
      `${file}: a CSV of cases needs a run trained on a CSV dataset (${run.runDir} read ${d.format})`,
    );
  return openClassificationDataset({
    ...d,
    path: resolve(file),
    classes: run.info.classes,
    split_column: null,
    subject_column: null,
    labels_optional: true,
  }).samples;
}

/** The samples of one split of the run's own dataset (its train/val/test tags). */
export function samplesOfSplit(run: ClassificationRun, split: SplitName): ClassificationSample[] {
  const samples = openDataset(run.config).samples.filter((s) => s.split === split);
  if (samples.length === 0)
    throw new OptionError('split', `the run's dataset (${run.config.dataset.path}) has no '${split}' samples`);
  return samples;
}

/** Class probabilities of samples under a run's network, with the run's input preparation. */
export async function predictSamples(
  run: ClassificationRun,
  samples: readonly ClassificationSample[],
  options: { batchSize?: number; device?: string } = {},
): Promise<Prediction[]> {
  const c = run.config;
  const { prepared, channels } = await prepareSamples(samples, await inputSpec(c));
  if (channels !== run.info.channels)
    throw new OptionError('inputs', `give ${channels} channel(s) where the run was trained on ${run.info.channels}`);
  const { probabilities } = classify(
    run.model,
    prepared.map((s) => s.data),
    {
      channels,
      size: c.input.size,
      mean: c.input.mean,
      std: c.input.std,
      multiLabel: run.info.multiLabel,
      batchSize: options.batchSize ?? c.batch_size,
      device: options.device,
    },
  );
  return samples.map((s, i) => ({
    id: s.id,
    source: sampleSource(s),
    truth: s.target.length ? s.target : null,
    probabilities: probabilities[i]!,
  }));
}
