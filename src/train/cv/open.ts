/** The fold models of a cross-validation, opened for prediction as an ensemble. */
import { existsSync, readFileSync } from 'node:fs';
import { FileFormatError, VesaliusError } from '../../util/errors.js';
import { type ClassificationRun, loadClassificationRun } from '../classification/run.js';
import { openTrainedRun, type OpenedRun } from '../open-run.js';
import { cvPaths, type CvState } from './cv-folder.js';

/**
 * @param cvDir a cross-validation folder
 * @returns its cv.json: method, folds, checkpoint rule, per-fold status and times
 * @throws VesaliusError when the folder holds no cross-validation
 */
export function readCvState(cvDir: string): CvState {
  const p = cvPaths(cvDir);
  if (!existsSync(p.state)) throw new VesaliusError(`${cvDir}: not a cross-validation folder (no cv.json)`);
  try {
    return JSON.parse(readFileSync(p.state, 'utf8')) as CvState;
  } catch (err) {
    throw new FileFormatError(p.state, `cannot read the cross-validation state (${(err as Error).message})`);
  }
}

function finishedState(cvDir: string): CvState {
  const state = readCvState(cvDir);
  const unfinished = state.foldStatus.filter((f) => !f.done).map((f) => f.fold);
  if (unfinished.length)
    throw new VesaliusError(
      `${cvDir}: fold(s) ${unfinished.join(', ')} have not finished; continue with vesalius cv --resume`,
    );
  return state;
}

/** Every fold's reported classifier (final, or best on the inner split); every fold must be finished. */
export function openClassificationCvRuns(cvDir: string): ClassificationRun[] {
  const state = finishedState(cvDir);
  return state.foldStatus.map((f) =>
    loadClassificationRun(cvPaths(cvDir).fold(f.fold), state.checkpoint === 'inner' ? 'best' : 'last'),
  );
}

/** Every fold's reported model (final, or best on the inner split); every fold must be finished. */
export function openCvRuns(cvDir: string): OpenedRun[] {
  const state = finishedState(cvDir);
  return state.foldStatus.map((f) =>
    openTrainedRun(cvPaths(cvDir).fold(f.fold), { checkpoint: state.checkpoint === 'inner' ? 'best' : 'last' }),
  );
}
