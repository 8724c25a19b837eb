/**
 * The bookkeeping every cross-validation shares, whatever it trains (segmentation network, baseline,
 * classifier): the folder's file names, cv.json (method, folds, per-fold status, times), and starting
 * or resuming a CV folder — a resume must bring the same config and folds it started with.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type Fold, saveSplits } from '../../data/splits.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { VesaliusError } from '../../util/errors.js';
import { baselinePath } from '../baseline-run.js';
import type { TrainingProgress } from '../progress.js';
import { runPaths } from '../run-folder.js';
import { train } from '../trainer.js';

/** The files of a cross-validation folder. */
export interface CvPaths {
  state: string;
  config: string;
  splits: string;
  predictions: string;
  perCase: string;
  summary: string;
  roc: string;
  /** Fold f's run folder. */
  fold: (f: number) => string;
  /** Fold f's per-case rows and ROC histograms, once it is predicted. */
  foldResult: (f: number) => string;
  /** The training config fold f was given. */
  foldConfig: (f: number) => string;
}

/** cv.json: what a cross-validation ran and how far it got. */
export interface CvState {
  version: 1;
  method: string;
  /** The training task ('segmentation' when absent: CVs written before classification had one). */
  task?: string;
  folds: number;
  checkpoint: 'final' | 'inner';
  /** Per fold: the checkpoint its predictions came from and its times. */
  foldStatus: Array<{
    fold: number;
    done: boolean;
    checkpoint?: string;
    trainSeconds?: number;
    predictSeconds?: number;
  }>;
  started: string;
  finished?: string;
  wallSeconds: number;
  /** Process CPU time (all threads) spent by the CV, summed over sessions. */
  cpuSeconds: number;
  environment: Record<string, unknown>;
}

/** Where a cross-validation folder keeps each of its files (see cross-validate.ts). */
export function cvPaths(cvDir: string): CvPaths {
  return {
    state: join(cvDir, 'cv.json'),
    config: join(cvDir, 'config.json'),
    splits: join(cvDir, 'splits.json'),
    predictions: join(cvDir, 'predictions'),
    perCase: join(cvDir, 'per_case.csv'),
    summary: join(cvDir, 'summary.json'),
    roc: join(cvDir, 'roc.json'),
    fold: (f: number) => join(cvDir, `fold_${f}`),
    foldResult: (f: number) => join(cvDir, `fold_${f}`, 'cv_fold.json'),
    foldConfig: (f: number) => join(cvDir, `fold_${f}`, 'fold_config.json'),
  };
}

/** JSON as the CV folder writes it. */
export const cvJson = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** The machine a CV ran on, for cv.json. */
export function environment(): Record<string, unknown> {
  const cpu = cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
  };
}

export interface CvStart {
  cvDir: string;
  configPath: string;
  /** The resolved config written to config.json (the folds count included). */
  config: { cv: { checkpoint: 'final' | 'inner' } };
  /** Reads config.json back through today's schema (so keys added later with defaults compare equal). */
  parseSaved: (raw: unknown, source: string) => unknown;
  folds: Fold[];
  method: string;
  task: string;
  resume?: boolean;
  say: (line: string) => void;
}

/**
 * Starts a CV folder (config.json, splits.json, cv.json) or, with `resume`, reads its state back after
 * checking that the config and folds are the ones it started with.
 *
 * @returns the state and a function that writes it with this session's wall and CPU time added
 * @throws VesaliusError for a folder that already holds a CV (without resume), nothing to resume, or a
 *   config or folds that differ from the saved ones
 */
export function beginCv(s: CvStart): { state: CvState; save: () => void } {
  const paths = cvPaths(s.cvDir);
  let state: CvState;
  if (existsSync(paths.state)) {
    if (!s.resume)
      throw new VesaliusError(
        `${s.cvDir} already holds a cross-validation; continue it with --resume or choose another folder with --out`,
      );
    state = JSON.parse(readFileSync(paths.state, 'utf8')) as CvState;
    const saved = s.parseSaved(JSON.parse(readFileSync(paths.config, 'utf8')) as unknown, paths.config);
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(saved)), JSON.parse(JSON.stringify(s.config))))
      throw new VesaliusError(
        `${s.configPath}: differs from the config the cross-validation in ${s.cvDir} started with (config.json there)`,
      );
    const savedFolds = JSON.parse(readFileSync(paths.splits, 'utf8')) as unknown;
    if (!isDeepStrictEqual(savedFolds, JSON.parse(JSON.stringify(s.folds))))
      throw new VesaliusError(`${s.cvDir}: its splits.json differs from the folds asked for now`);
    s.say(`resuming the cross-validation in ${s.cvDir}`);
  } else {
    if (s.resume) throw new VesaliusError(`${s.cvDir}: nothing to resume (no cv.json)`);
    mkdirSync(s.cvDir, { recursive: true });
    writeFileAtomic(paths.config, cvJson(s.config));
    saveSplits(paths.splits, s.folds);
    state = {
      version: 1,
      method: s.method,
      ...(s.task === 'segmentation' ? {} : { task: s.task }),
      folds: s.folds.length,
      checkpoint: s.config.cv.checkpoint,
      foldStatus: s.folds.map((_, f) => ({ fold: f, done: false })),
      started: new Date().toISOString(),
      wallSeconds: 0,
      cpuSeconds: 0,
      environment: environment(),
    };
    writeFileAtomic(paths.state, cvJson(state));
  }
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const save = () => {
    const cpu = process.cpuUsage(cpu0);
    writeFileAtomic(
      paths.state,
      cvJson({
        ...state,
        wallSeconds: state.wallSeconds + (performance.now() - wall0) / 1000,
        cpuSeconds: state.cpuSeconds + (cpu.user + cpu.system) / 1e6,
      }),
    );
  };
  return { state, save };
}

/** Whether a fold's training has finished: its last epoch reached (or stopped early), or its baseline fitted. */
export function trainingFinished(runDir: string, config: { epochs: number; method?: { name: string } }): boolean {
  if (config.method && config.method.name !== 'network') return existsSync(baselinePath(runDir));
  const p = runPaths(runDir);
  if (!existsSync(p.lastState)) return false;
  const state = JSON.parse(readFileSync(p.lastState, 'utf8')) as { epoch: number; stopped: boolean };
  return state.epoch >= config.epochs || state.stopped;
}

export interface FoldTraining {
  cvDir: string;
  /** The fold's index and the number of folds. */
  fold: number;
  folds: number;
  /** The fold's training config, already written to fold_config.json. */
  config: { epochs: number; method?: { name: string } };
  /** What trains on what, for the log ("resnet18 on 40 sample(s), holding out 10"). */
  what: string;
  progress?: boolean | TrainingProgress;
  workers?: number;
  stopAfterEpoch?: number;
  say: (line: string) => void;
}

/**
 * Trains (or resumes) a fold's run through the one trainer unless it has finished.
 *
 * @returns whether it trained now, the seconds it took, and whether the fold's training is finished
 *   (false when it was stopped early by `stopAfterEpoch`: the CV then stops, to be resumed)
 */
export async function trainFold(t: FoldTraining): Promise<{ trained: boolean; seconds: number; finished: boolean }> {
  const paths = cvPaths(t.cvDir);
  const foldDir = paths.fold(t.fold);
  if (trainingFinished(foldDir, t.config)) return { trained: false, seconds: 0, finished: true };
  const resume = existsSync(runPaths(foldDir).lastState);
  t.say(`fold ${t.fold + 1}/${t.folds}: ${resume ? 'resuming' : 'training'} ${t.what}`);
  const t0 = performance.now();
  const r = await train(paths.foldConfig(t.fold), {
    out: foldDir,
    resume,
    progress: t.progress,
    workers: t.workers,
    cacheDir: join(t.cvDir, 'preprocessed'),
    stopAfterEpoch: t.stopAfterEpoch,
  });
  const finished = trainingFinished(foldDir, t.config);
  if (!finished) t.say(`fold ${t.fold + 1}/${t.folds}: stopped after epoch ${r.epochsDone}; continue with --resume`);
  return { trained: true, seconds: (performance.now() - t0) / 1000, finished };
}
