/**
 * Opening anything `predict` runs: a run folder (network or baseline), a checkpoint file inside one,
 * a cross-validation folder (its fold models as an ensemble), an int8 run (from quantize), or an
 * exported model.onnx with its sidecar; a run folder can also be exported in memory and run by ONNX
 * Runtime. It lives in the export layer because it is the lowest one that knows every kind.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { loadModule } from '../engine/safetensors.js';
import { OnnxWindowModel } from '../infer/onnx-runtime.js';
import type { PredictionRun } from '../infer/predict.js';
import { openCvRuns } from '../train/cv/open.js';
import { isCvFolder, openTrainedRun, pickCheckpoint } from '../train/open-run.js';
import { loadRun } from '../train/run-folder.js';
import { OptionError, VesaliusError } from '../util/errors.js';
import { exportToMemory, loadOnnxRun, onnxPredictionRun } from './onnx/export-run.js';
import { isInt8Run, loadInt8Run } from './quantize-run.js';

/** Which runtime runs a network: the engine (libtorch) or ONNX Runtime. */
export type Runtime = 'engine' | 'onnx';

/**
 * One model to predict with (a cross-validation folder gives its first fold's; see `openRuns`).
 * Without `checkpoint` a run gives its best checkpoint, or its last when it never validated.
 *
 * @param path - run folder, RUN/checkpoints/NAME.safetensors, int8 run folder, or model.onnx.
 * @param checkpoint - 'best' or 'last' (run folders only).
 * @param runtime - 'onnx' exports a run folder in memory and runs it with ONNX Runtime.
 * @throws VesaliusError when the path is missing or not a model; OptionError `checkpoint`/`runtime` when they do not apply.
 */
export async function openRun(
  path: string,
  checkpoint: string | undefined,
  runtime: Runtime = 'engine',
): Promise<PredictionRun> {
  return (await openRuns(path, checkpoint, runtime))[0]!;
}

/**
 * Like `openRun`, but a cross-validation folder gives every fold's reported model (its final
 * checkpoint, or the best on its inner split), to be predicted as an ensemble.
 */
export async function openRuns(
  path: string,
  checkpoint: string | undefined,
  runtime: Runtime = 'engine',
): Promise<PredictionRun[]> {
  if (!existsSync(path)) throw new VesaliusError(`${path}: no such run folder or model file`);
  if (statSync(path).isDirectory() && isCvFolder(path)) {
    if (checkpoint !== undefined)
      throw new OptionError(
        'checkpoint',
        'does not apply to a cross-validation folder (each fold gives its reported model)',
      );
    if (runtime !== 'engine') throw new OptionError('runtime', 'onnx runs one run folder, not a cross-validation');
    return openCvRuns(path);
  }
  return [await openSingleRun(path, checkpoint, runtime)];
}

async function openSingleRun(path: string, checkpoint: string | undefined, runtime: Runtime): Promise<PredictionRun> {
  if (statSync(path).isFile() && /\.onnx$/i.test(path)) {
    if (checkpoint !== undefined)
      throw new OptionError('checkpoint', `${path} is an exported model (leave the checkpoint out)`);
    return loadOnnxRun(path);
  }
  if (runtime === 'onnx') {
    if (statSync(path).isFile())
      throw new OptionError('runtime', 'onnx runs a run folder or a model.onnx, not a checkpoint file');
    const run = loadRun(path, { checkpoint: pickCheckpoint(path, checkpoint) });
    try {
      const { bytes, sidecar } = await exportToMemory(path, { skipCheck: true }, run);
      const onnxRun: PredictionRun & { config: unknown } = {
        ...onnxPredictionRun(await OnnxWindowModel.create(bytes), sidecar),
        config: run.config,
      };
      return onnxRun;
    } finally {
      run.model.dispose();
    }
  }
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
  if (isInt8Run(path)) {
    if (checkpoint !== undefined)
      throw new OptionError('checkpoint', `${path} is an int8 run: it holds one model (leave the checkpoint out)`);
    return loadInt8Run(path);
  }
  return openTrainedRun(path, { checkpoint: pickCheckpoint(path, checkpoint) });
}
