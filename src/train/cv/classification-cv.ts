/**
 * `vesalius cv CONFIG` for a classification config: the same CV folder, resume and fold training as
 * segmentation's (cv-folder.ts, the one trainer), with samples for cases:
 *
 *   CV/splits.json          the folds over every non-test sample (MedMNIST: train + val pooled)
 *   CV/fold_<f>/            the fold's classification run; cv_fold.json its held-out predictions
 *   CV/predictions.csv      out-of-fold probabilities of every sample: `predict`'s columns plus `fold`
 *                           (`vesalius evaluate CV/predictions.csv` gives summary.json's overall numbers)
 *   CV/summary.json         the classification report over all samples, per fold, and over folds
 *
 * Each fold reports its final checkpoint (validated on the held-out fold for the curves only, so early
 * stopping is refused) or, with `cv.checkpoint: inner`, the best on a stratified, grouped inner split
 * of its training folds.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClassificationDataset } from '../../data/classification/dataset.js';
import type { Fold } from '../../data/splits.js';
import { predictionsCsv } from '../../metrics/classification-files.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { OptionError, VesaliusError } from '../../util/errors.js';
import { type ClassificationConfig, parseClassificationConfig } from '../classification/config.js';
import { loadClassificationRun, predictSamples } from '../classification/run.js';
import { openDataset } from '../classification/samples.js';
import { loadTaskConfig } from '../tasks.js';
import type { ClassificationCvResult, CvOptions } from './cross-validate.js';
import { classificationFolds, cvPool, innerSplit } from './classification-folds.js';
import { type FoldPrediction, summarizeClassificationCv } from './classification-summary.js';
import { beginCv, type CvState, cvJson, cvPaths, trainFold } from './cv-folder.js';

/** A fold's held-out predictions, as cv_fold.json keeps them. */
interface ClassificationFoldResult {
  fold: number;
  predictions: FoldPrediction[];
  seconds: number;
}

/** The CV's predictions CSV (predict's columns with `fold` after `id`). */
export const cvPredictionsPath = (cvDir: string) => resolve(cvDir, 'predictions.csv');

/** The training config of one classification fold: its training and validation samples named. */
export function classificationFoldConfig(
  config: ClassificationConfig,
  fold: Fold,
  dataset: ClassificationDataset,
  foldDir: string,
): ClassificationConfig {
  const inner = config.cv.checkpoint === 'inner';
  if (!inner && config.early_stopping.patience > 0)
    throw new OptionError(
      'early_stopping.patience',
      "stops on the validation metric, which in cross-validation with cv.checkpoint 'final' is the held-out fold's: use cv.checkpoint: inner to stop on an inner split",
    );
  const split = inner ? innerSplit(fold.train, dataset, config) : fold;
  return {
    ...config,
    output: foldDir,
    validation: { ...config.validation, val_samples: split.val, train_samples: split.train },
  };
}

/**
 * Runs (or resumes) a k-fold cross-validation of a classification config (`crossValidate` sends
 * classification configs here).
 *
 * @param configPath a classification training config (YAML or JSON)
 * @param options folds, CV folder, a splits file to reuse, resume, progress
 * @returns the CV folder, its summary and state
 * @throws OptionError for bad fold counts, too few samples or subjects, a missing stratify column;
 *   VesaliusError for a folder that already holds another CV (without resume) or a changed config
 */
export async function crossValidateClassification(
  configPath: string,
  options: CvOptions = {},
): Promise<ClassificationCvResult> {
  const config = loadTaskConfig(configPath).config as ClassificationConfig;
  const say = options.onStage ?? ((line: string) => process.stderr.write(`${line}\n`));
  const K = options.folds ?? config.cv.folds;
  if (!Number.isInteger(K) || K < 2) throw new OptionError('folds', `must be an integer ≥ 2, got ${K}`);
  const cvDir = resolve(options.out ?? config.output);
  const paths = cvPaths(cvDir);
  const dataset = openDataset(config);
  const pool = cvPool(dataset);
  if (dataset.multiLabel ? false : pool.some((s) => s.target.length === 0))
    throw new VesaliusError(`${config.dataset.path}: cross-validation needs a label for every sample`);
  const folds = classificationFolds(dataset, config, K, options.splits);
  if (folds.length !== K && options.splits)
    throw new OptionError('folds', `is ${K} but ${options.splits} holds ${folds.length} folds`);
  const resolved: ClassificationConfig = { ...config, cv: { ...config.cv, folds: K } };
  const { state, save } = beginCv({
    cvDir,
    configPath,
    config: resolved,
    parseSaved: (raw, path) => parseClassificationConfig(raw, path),
    folds,
    method: config.network.architecture,
    task: 'classification',
    resume: options.resume,
    say,
  });
  const left = dataset.samples.length - pool.length;
  if (left) say(`cv: ${pool.length} sample(s) in ${K} folds; the data's test split (${left}) is left untouched`);
  const byId = new Map(pool.map((s) => [s.id, s]));
  const results: ClassificationFoldResult[] = [];
  let trainedNow = 0;
  for (const [f, fold] of folds.entries()) {
    if (existsSync(paths.foldResult(f))) {
      results.push(JSON.parse(readFileSync(paths.foldResult(f), 'utf8')) as ClassificationFoldResult);
      continue;
    }
    if (options.stopAfterFolds !== undefined && trainedNow >= options.stopAfterFolds) break;
    const foldDir = paths.fold(f);
    const fc = classificationFoldConfig(resolved, fold, dataset, foldDir);
    mkdirSync(foldDir, { recursive: true });
    writeFileAtomic(paths.foldConfig(f), cvJson(fc));
    const trained = await trainFold({
      cvDir,
      fold: f,
      folds: K,
      config: fc,
      what: `${config.network.architecture} on ${fc.validation.train_samples!.length} sample(s), holding out ${fold.val.length}`,
      progress: options.progress,
      workers: options.workers,
      stopAfterEpoch: options.stopAfterEpoch,
      say,
    });
    if (trained.trained) {
      trainedNow++;
      save();
    }
    if (!trained.finished) break;
    const run = loadClassificationRun(foldDir, config.cv.checkpoint === 'inner' ? 'best' : 'last');
    const t0 = performance.now();
    let predictions: FoldPrediction[];
    try {
      const held = fold.val.map((id) => byId.get(id)!);
      predictions = (await predictSamples(run, held)).map((p) => ({ ...p, fold: f }));
    } finally {
      run.model.dispose?.();
    }
    const result = { fold: f, predictions, seconds: (performance.now() - t0) / 1000 };
    writeFileAtomic(paths.foldResult(f), JSON.stringify(result));
    state.foldStatus[f] = {
      fold: f,
      done: true,
      checkpoint: run.checkpoint,
      trainSeconds: trained.seconds,
      predictSeconds: result.seconds,
    };
    results.push(result);
    save();
    const correct = predictions.filter((p) => p.truth && argmax(p.probabilities) === p.truth[0]).length;
    say(
      `fold ${f + 1}/${K}: ${dataset.multiLabel ? '' : `accuracy ${(correct / Math.max(1, predictions.length)).toFixed(4)} `}over ${predictions.length} held-out sample(s)`,
    );
  }
  const all = results.flatMap((r) => r.predictions).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const summary = summarizeClassificationCv(all, dataset.classes, dataset.multiLabel, K);
  if (results.length > 0) {
    writeFileAtomic(
      cvPredictionsPath(cvDir),
      predictionsCsv(
        all,
        dataset.classes,
        dataset.multiLabel,
        all.map((p) => p.fold),
      ),
    );
    writeFileAtomic(paths.summary, cvJson(summary));
  }
  if (results.length === K) state.finished = new Date().toISOString();
  save();
  return { cvDir, summary, state: JSON.parse(readFileSync(paths.state, 'utf8')) as CvState };
}

const argmax = (p: readonly number[]) => p.indexOf(Math.max(...p));
