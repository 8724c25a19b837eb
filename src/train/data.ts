/**
 * Everything the loop needs from the dataset, done (and checked) before the first step: open the
 * dataset, fingerprint + plan it (or take a resumed run's saved plan), split it into training and
 * validation cases, and preprocess both (cached on disk). Reading every case up front is what turns
 * bad input — labels outside the declared classes, an image and label on different grids, an empty
 * dataset — into a one-line error before any training starts.
 */
import type { DatasetFingerprint } from '../data/fingerprint.js';
import type { Dataset } from '../data/layout/dataset.js';
import type { Plan } from '../data/plan.js';
import type { PreprocessedCase } from '../data/preprocess.js';
import { preprocessCases } from '../data/cache.js';
import { type Fold, kFoldSplits } from '../data/splits.js';
import { readImage } from '../io/read.js';
import { OptionError } from '../util/errors.js';
import type { TrainingConfig } from './config.js';
import { openPlanSource, planSource } from './plan-source.js';
import type { DatasetInfo } from './run-folder.js';

export interface TrainingData {
  config: TrainingConfig;
  dataset: Dataset;
  plan: Plan;
  /** The dataset fingerprint the plan came from (absent when a plan was given, as on resume). */
  fingerprint?: DatasetFingerprint;
  datasetInfo: DatasetInfo;
  /** The folds saved in the run (every fold; `fold` is the one trained). */
  folds: Fold[];
  fold: Fold;
  train: PreprocessedCase[];
  val: PreprocessedCase[];
}

export interface DataOptions {
  /** Use this plan instead of planning (a resumed run keeps its own). */
  plan?: Plan;
  cacheDir?: string;
  onStage?: (message: string) => void;
}

/** The fold the config asks for: explicit validation cases, one of k folds, or every case for training ('all', no validation). */
export function chooseFold(config: TrainingConfig, ids: string[]): { folds: Fold[]; fold: Fold } {
  const v = config.validation;
  if (v.val_cases) {
    const known = new Set(ids);
    const unknown = v.val_cases.filter((id) => !known.has(id));
    if (unknown.length)
      throw new OptionError('validation.val_cases', `names case(s) the dataset does not have: ${unknown.join(', ')}`);
    const val = new Set(v.val_cases);
    if (val.size === ids.length)
      throw new OptionError('validation.val_cases', 'lists every case; nothing would be left to train on');
    let train = ids.filter((id) => !val.has(id));
    if (v.train_cases) {
      const wrong = v.train_cases.filter((id) => !known.has(id) || val.has(id));
      if (wrong.length)
        throw new OptionError(
          'validation.train_cases',
          `names case(s) the dataset does not have or that are validation cases: ${wrong.join(', ')}`,
        );
      train = [...new Set(v.train_cases)];
    }
    const fold = { train: train.sort(), val: [...val].sort() };
    return { folds: [fold], fold };
  }
  if (v.train_cases) throw new OptionError('validation.train_cases', 'needs validation.val_cases as well');
  if (v.fold === 'all') {
    const all = { train: [...ids].sort(), val: [] };
    return { folds: [all], fold: all };
  }
  if (v.fold >= v.folds)
    throw new OptionError('validation.fold', `is ${v.fold} but there are only ${v.folds} folds (0..${v.folds - 1})`);
  const folds = kFoldSplits(ids, v.folds, v.split_seed);
  return { folds, fold: folds[v.fold]! };
}

export async function prepareTrainingData(configPath: string, options: DataOptions = {}): Promise<TrainingData> {
  const say = options.onStage ?? (() => {});
  const source = openPlanSource(configPath);
  const config = source.config!;
  const dataset = source.dataset;
  let plan = options.plan;
  let fingerprint: DatasetFingerprint | undefined;
  if (!plan) {
    say(`fingerprinting ${dataset.cases.length} case(s) of ${dataset.name}`);
    ({ plan, fingerprint } = await planSource(source, readImage));
  }
  const { folds, fold } = chooseFold(
    config,
    dataset.cases.map((c) => c.id),
  );
  const byId = new Map(dataset.cases.map((c) => [c.id, c]));
  const pick = (ids: string[]) =>
    ids.map((id) => {
      const c = byId.get(id);
      if (!c) throw new OptionError('validation', `split names case '${id}', which the dataset does not have`);
      return c;
    });
  say(`preprocessing ${fold.train.length} training and ${fold.val.length} validation case(s)`);
  const train = await preprocessCases(dataset, pick(fold.train), plan, readImage, { cacheDir: options.cacheDir });
  const val = await preprocessCases(dataset, pick(fold.val), plan, readImage, { cacheDir: options.cacheDir });
  const datasetInfo: DatasetInfo = {
    labels: dataset.labels,
    channels: plan.channels,
    numClasses: dataset.labels.length,
    ...(dataset.labelRemap ? { labelRemap: dataset.labelRemap } : {}),
  };
  return { config, dataset, plan, fingerprint, datasetInfo, folds, fold, train, val };
}
