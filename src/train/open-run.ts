/**
 * Opening a run for prediction: a run folder, or a checkpoint file inside one, with the checkpoint
 * chosen as `predict` chooses it, and the post-processing its config asks for.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { loadModule } from '../engine/safetensors.js';
import type { PostprocessOptions } from '../infer/postprocess.js';
import type { PredictionRun } from '../infer/predict.js';
import { OptionError, VesaliusError } from '../util/errors.js';
import { loadRun, runPaths } from './run-folder.js';

/**
 * A run folder, or a checkpoint file inside one (RUN/checkpoints/NAME.safetensors): the model of the
 * run with that file's weights. Without --checkpoint a run gives its best checkpoint, or its last
 * when it never validated (trained on every case).
 */
export function openRun(path: string, checkpoint: string | undefined): PredictionRun {
  if (!existsSync(path)) throw new VesaliusError(`${path}: no such run folder or model file`);
  if (statSync(path).isFile()) {
    if (!/\.safetensors$/i.test(path) || basename(dirname(path)) !== 'checkpoints') {
      throw new VesaliusError(
        `${path}: a model file must be a checkpoint inside a run folder (RUN/checkpoints/*.safetensors)`,
      );
    }
    // the run's own weights come first (loadRun needs one), then the named file's replace them
    const runDir = dirname(dirname(path));
    const run = loadRun(runDir, { checkpoint: pickCheckpoint(runDir, undefined) });
    loadModule(run.model, path);
    return run;
  }
  return loadRun(path, { checkpoint: pickCheckpoint(path, checkpoint) });
}

function pickCheckpoint(runDir: string, checkpoint: string | undefined): 'best' | 'last' {
  if (checkpoint !== undefined) {
    if (checkpoint !== 'best' && checkpoint !== 'last')
      throw new OptionError('checkpoint', `must be best or last, got "${checkpoint}"`);
    return checkpoint;
  }
  const p = runPaths(runDir);
  return !existsSync(p.best) && existsSync(p.last) ? 'last' : 'best';
}

/** The run config's inference section decides post-processing unless --postprocess is given. */
export function inferencePostprocess(run: PredictionRun & { config?: unknown }): PostprocessOptions | undefined {
  const inference = (
    run.config as { inference?: { keep_largest?: boolean; remove_small?: number; fill_holes?: boolean } } | undefined
  )?.inference;
  if (!inference) return undefined;
  return {
    keepLargest: inference.keep_largest,
    removeSmaller: inference.remove_small,
    fillHoles: inference.fill_holes,
  };
}
