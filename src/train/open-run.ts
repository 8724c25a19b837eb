/**
 * Opening what `predict` can run: a network run folder (its best or last checkpoint), a baseline run
 * folder (its fitted model), or a cross-validation folder (every fold's reported model, as an
 * ensemble: the final checkpoint, or the one chosen on the inner split — never one chosen on the
 * held-out fold).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../data/plan.js';
import { loadPlan } from '../data/plan.js';
import type { PredictionRun } from '../infer/predict.js';
import { OptionError, VesaliusError } from '../util/errors.js';
import { readJsonFile } from '../util/read-text.js';
import { loadBaselineModel } from './baseline-run.js';
import { parseConfig, type TrainingConfig } from './config.js';
import { type DatasetInfo, loadRun, runPaths } from './run-folder.js';

export interface OpenedRun extends PredictionRun {
  config: TrainingConfig;
  plan: Plan;
  datasetInfo: DatasetInfo;
  runDir: string;
  /** The checkpoint or model file used. */
  checkpoint: string;
}

/** A run folder, network or baseline, ready to predict. */
export function openTrainedRun(runDir: string, options: { checkpoint?: 'best' | 'last' } = {}): OpenedRun {
  const p = runPaths(runDir);
  if (!existsSync(runDir)) throw new VesaliusError(`${runDir}: no such run folder`);
  if (!existsSync(p.config)) throw new VesaliusError(`${runDir}: not a run folder (no config.json)`);
  const config = parseConfig(readJsonFile(p.config, 'run config'), p.config);
  if (config.method.name === 'network') {
    const run = loadRun(runDir, options);
    return { ...run, runDir };
  }
  const plan = loadPlan(p.plan);
  const datasetInfo = readJsonFile(p.dataset, 'dataset info') as DatasetInfo;
  const wholeImage = loadBaselineModel(runDir);
  return { config, plan, datasetInfo, wholeImage, runDir, checkpoint: join(p.checkpoints, 'baseline.safetensors') };
}

/** Whether `dir` is a cross-validation folder (it holds cv.json). */
export function isCvFolder(dir: string): boolean {
  return existsSync(join(dir, 'cv.json'));
}

/**
 * The checkpoint `predict` uses: the one asked for, else the best, or the last when the run never
 * validated (trained on every case).
 *
 * @throws OptionError `checkpoint` when it is neither best nor last.
 */
export function pickCheckpoint(runDir: string, checkpoint: string | undefined): 'best' | 'last' {
  if (checkpoint !== undefined) {
    if (checkpoint !== 'best' && checkpoint !== 'last')
      throw new OptionError('checkpoint', `must be best or last, got "${checkpoint}"`);
    return checkpoint;
  }
  const p = runPaths(runDir);
  return !existsSync(p.best) && existsSync(p.last) ? 'last' : 'best';
}
