/**
 * `vesalius cv CONFIG --folds K`: k-fold cross-validation of whatever the config trains — a network or
 * a classical baseline — through the library's own train, predict and evaluate, fold by fold:
 *
 *   CV/cv.json                 what ran: method, folds, checkpoint rule, per-fold status and times
 *   CV/config.json, splits.json  the resolved config and the folds (give splits.json back with --splits)
 *   CV/fold_<f>/               the fold's run folder (train's layout; fold_config.json is its config)
 *   CV/fold_<f>/cv_fold.json   the fold's per-case rows and ROC histograms, once predicted
 *   CV/predictions/            out-of-fold predictions of every case (+ probabilities/)
 *   CV/per_case.csv            one row per case × class, with its fold (the finished folds' cases while
 *                              the CV is unfinished; summary.json then lists the folds it holds)
 *   CV/summary.json            aggregates over cases, per fold, and over folds
 *   CV/roc.json                pooled ROC histograms
 *
 * Each fold reports its **final** checkpoint (the held-out fold is then validated on for the loss and
 * Dice curves only, so early stopping is refused), or with `cv.checkpoint: inner` the best checkpoint
 * on an inner validation split of its training folds; never a checkpoint chosen on the held-out fold.
 * An interrupted CV continues with `resume`: finished folds are kept, a fold stopped mid-training
 * resumes at its last epoch (the trainer's exact resume). A classification config (`task:
 * classification`) runs through classification-cv.ts (`runCrossValidation` picks by the config's task).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Fold, trainValSplit } from '../../data/splits.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { OptionError, VesaliusError } from '../../util/errors.js';
import { parseConfig, readConfigFile, type TrainingConfig } from '../config.js';
import { openTrainedRun } from '../open-run.js';
import { openPlanSource } from '../plan-source.js';
import type { TrainingProgress } from '../progress.js';
import { taskOf } from '../tasks.js';
import { crossValidateClassification } from './classification-cv.js';
import { beginCv, type CvState, cvJson, cvPaths, trainFold } from './cv-folder.js';
import { evaluateFold, type FoldEvaluation } from './fold-evaluation.js';
import { cvFolds } from './folds.js';
import { mergeRoc } from './roc.js';
import type { ClassificationCvSummary } from './classification-summary.js';
import { cvCsv, summarizeCv, type CvSummary } from './summary.js';

export { cvPaths, environment, type CvPaths, type CvState } from './cv-folder.js';

export interface CvOptions {
  /** Number of folds (default: the config's cv.folds). */
  folds?: number;
  /** The CV folder (default: the config's output). */
  out?: string;
  /** A splits file (ours or nnU-Net's splits_final.json) to use instead of making the folds. */
  splits?: string;
  resume?: boolean;
  /** Passed to each fold's training. */
  progress?: boolean | TrainingProgress;
  workers?: number;
  /** Stop after training this many folds (for tests and time-boxed runs; resume later). */
  stopAfterFolds?: number;
  /** Passed to the fold's trainer: stop after this epoch as an interruption would. */
  stopAfterEpoch?: number;
  /** Receives each human progress line (default: stderr). */
  onStage?: (line: string) => void;
}

export interface CvResult {
  cvDir: string;
  summary: CvSummary;
  state: CvState;
}

/** What a classification cross-validation returns. */
export interface ClassificationCvResult {
  cvDir: string;
  summary: ClassificationCvSummary;
  state: CvState;
}

/** Whether a config file trains a classifier (its `task` key). */
export function isClassificationConfig(configPath: string): boolean {
  return existsSync(configPath) && taskOf(readConfigFile(configPath), configPath).name === 'classification';
}

/**
 * Cross-validates any config: classification configs through `crossValidateClassification`, the
 * others (segmentation networks and baselines) through `crossValidate`.
 *
 * @param configPath a training config (YAML or JSON)
 * @param options folds, CV folder, a splits file to reuse, resume, progress
 * @returns the CV folder, its summary (per task) and state
 */
export function runCrossValidation(
  configPath: string,
  options: CvOptions = {},
): Promise<CvResult | ClassificationCvResult> {
  return isClassificationConfig(configPath)
    ? crossValidateClassification(configPath, options)
    : crossValidate(configPath, options);
}

/** The training config of one fold: its training and validation cases fixed, its run folder the fold's. */
export function foldConfig(config: TrainingConfig, fold: Fold, foldDir: string): TrainingConfig {
  const inner = config.cv.checkpoint === 'inner';
  if (!inner && config.early_stopping.patience > 0 && config.method.name === 'network')
    throw new OptionError(
      'early_stopping.patience',
      "stops on the validation Dice, which in cross-validation with cv.checkpoint 'final' is the held-out fold's: use cv.checkpoint: inner to stop on an inner split",
    );
  let train = fold.train,
    val = fold.val;
  if (inner) {
    const split = trainValSplit(fold.train, config.cv.inner_val_fraction, config.validation.split_seed);
    train = split.train;
    val = split.val;
  }
  return {
    ...config,
    output: foldDir,
    validation: { ...config.validation, fold: 0, val_cases: val, train_cases: train },
  };
}

/**
 * Runs (or resumes) a k-fold cross-validation of the config.
 *
 * @param configPath a training config (YAML or JSON), network or baseline
 * @param options folds, CV folder, a splits file to reuse, resume, progress
 * @returns the CV folder, its summary and state
 * @throws OptionError for bad fold counts, groups or strata; VesaliusError for a folder that already holds
 *   another CV (without resume) or a config that differs from the one it started with
 *
 * @example
 * ```ts no-run
 * import { crossValidate } from 'vesalius/train';
 * const { summary } = await crossValidate('examples/cv/drive-unet.yaml', { folds: 5 });
 * console.log(summary.classes['1']?.metrics.dice?.mean);
 * ```
 */
export async function crossValidate(configPath: string, options: CvOptions = {}): Promise<CvResult> {
  if (isClassificationConfig(configPath))
    throw new VesaliusError(
      `${configPath}: a classification config; cross-validate it with crossValidateClassification (or runCrossValidation)`,
    );
  const source = openPlanSource(configPath);
  const config = source.config!;
  const dataset = source.dataset;
  const say = options.onStage ?? ((line: string) => process.stderr.write(`${line}\n`));
  const K = options.folds ?? config.cv.folds;
  if (!Number.isInteger(K) || K < 2) throw new OptionError('folds', `must be an integer ≥ 2, got ${K}`);
  const cvDir = resolve(options.out ?? config.output);
  const paths = cvPaths(cvDir);
  const unlabelled = dataset.cases.filter((c) => !c.label).map((c) => c.id);
  if (unlabelled.length)
    throw new VesaliusError(`cross-validation needs labelled cases; ${unlabelled.join(', ')} have no label`);
  const ids = dataset.cases.map((c) => c.id);
  const folds = cvFolds(ids, config.cv, K, options.splits);
  if (folds.length !== K && options.splits)
    throw new OptionError('folds', `is ${K} but ${options.splits} holds ${folds.length} folds`);
  const resolved = { ...config, cv: { ...config.cv, folds: K } };
  const { state, save: saveState } = beginCv({
    cvDir,
    configPath,
    config: resolved,
    parseSaved: (raw, path) => parseConfig(raw, path),
    folds,
    method: config.method.name,
    task: 'segmentation',
    resume: options.resume,
    say,
  });
  const results: FoldEvaluation[] = [];
  let trainedNow = 0;
  for (const [f, fold] of folds.entries()) {
    const foldDir = paths.fold(f);
    if (existsSync(paths.foldResult(f))) {
      results.push(JSON.parse(readFileSync(paths.foldResult(f), 'utf8')) as FoldEvaluation);
      continue;
    }
    if (options.stopAfterFolds !== undefined && trainedNow >= options.stopAfterFolds) break;
    const fc = foldConfig(resolved, fold, foldDir);
    mkdirSync(foldDir, { recursive: true });
    writeFileAtomic(paths.foldConfig(f), cvJson(fc));
    const trained = await trainFold({
      cvDir,
      fold: f,
      folds: K,
      config: fc,
      what: `${config.method.name} on ${fc.validation.train_cases!.length} case(s), holding out ${fold.val.length}`,
      progress: options.progress,
      workers: options.workers,
      stopAfterEpoch: options.stopAfterEpoch,
      say,
    });
    const trainSeconds = trained.seconds;
    if (trained.trained) {
      trainedNow++;
      saveState();
    }
    if (!trained.finished) break;
    const which = config.cv.checkpoint === 'inner' ? 'best' : 'last';
    const run = openTrainedRun(foldDir, { checkpoint: which });
    const byId = new Map(dataset.cases.map((c) => [c.id, c]));
    let evaluation: FoldEvaluation;
    try {
      evaluation = await evaluateFold(
        f,
        run,
        fold.val.map((id) => byId.get(id)!),
        dataset,
        resolved,
        paths.predictions,
        say,
      );
    } finally {
      run.model?.dispose?.();
    }
    writeFileAtomic(paths.foldResult(f), JSON.stringify(evaluation));
    state.foldStatus[f] = {
      fold: f,
      done: true,
      checkpoint: run.checkpoint,
      trainSeconds,
      predictSeconds: evaluation.seconds,
    };
    results.push(evaluation);
    saveState();
    const dice = evaluation.rows.reduce((a, r) => a + r.dice, 0) / Math.max(1, evaluation.rows.length);
    say(`fold ${f + 1}/${K}: mean Dice ${dice.toFixed(4)} over ${fold.val.length} held-out case(s)`);
  }
  const rows = results.flatMap((r) => r.rows).sort((a, b) => (a.case < b.case ? -1 : a.case > b.case ? 1 : 0));
  const summary = summarizeCv(rows, K, config.seed);
  // written after every session, so an unfinished CV can be looked at (its summary says which folds are in)
  if (results.length > 0) {
    writeFileAtomic(paths.perCase, cvCsv(rows));
    writeFileAtomic(paths.summary, cvJson(summary));
    writeFileAtomic(paths.roc, cvJson(mergeRoc(results.map((r) => r.roc))));
  }
  if (results.length === K) state.finished = new Date().toISOString();
  saveState();
  return { cvDir, summary, state: JSON.parse(readFileSync(paths.state, 'utf8')) as CvState };
}
