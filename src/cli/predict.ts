/**
 * `vesalius predict RUN|MODEL INPUT... -o OUT`: segments new images with a trained run (or a
 * checkpoint file inside one), with the run's preprocessing, sliding window, mirroring TTA, ensemble
 * averaging and post-processing; writes label maps (and probability maps) with each input's geometry.
 * The logic lives in src/infer/predict.ts.
 */
import { withFlagNames } from './flags.js';
import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { loadModule } from '../engine/safetensors.js';
import { setNumThreads } from '../engine/threads.js';
import { groupInputs, OUTPUT_FORMATS, predictImages, type OutputFormat, type PredictionRun } from '../infer/predict.js';
import type { PostprocessOptions } from '../infer/postprocess.js';
import { loadRun, runPaths } from '../train/run-folder.js';
import { isDetectionRun, loadDetectionRun } from '../train/detection-run.js';
import { predictDetectionFiles } from '../infer/detect-files.js';
import { openCvRuns } from '../train/cv/open.js';
import { isCvFolder, openTrainedRun } from '../train/open-run.js';
import { isInt8Run, loadInt8Run } from '../export/quantize-run.js';
import { exportToMemory, loadOnnxRun, onnxPredictionRun } from '../export/onnx/export-run.js';
import { OnnxWindowModel } from '../infer/onnx-runtime.js';
import { taskOfRun } from '../train/tasks.js';
import { runClassifyPredict } from './predict-classification.js';
import { OptionError, VesaliusError } from '../util/errors.js';

interface PredictFlags {
  output: string;
  tta: boolean;
  overlap: string;
  batch: string;
  checkpoint?: string;
  ensemble?: string[];
  probabilities?: boolean;
  postprocess?: string;
  format?: string;
  threads?: string;
  runtime: string;
  json?: boolean;
  split?: string;
}

/** 'largest' | 'none' | 'min-size=N' | 'fill-holes', several joined by commas. */
export function parsePostprocess(spec: string | undefined): PostprocessOptions | undefined {
  if (spec === undefined) return undefined;
  const out: PostprocessOptions = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^min-size=(\d+)$/.exec(part);
    if (part === 'none') continue;
    else if (part === 'largest') out.keepLargest = true;
    else if (part === 'fill-holes') out.fillHoles = true;
    else if (m) out.removeSmaller = Number(m[1]);
    else
      throw new OptionError(
        '--postprocess',
        `unknown step "${part}" (use largest, none, min-size=N, fill-holes; several joined by commas)`,
      );
  }
  return out;
}

export type Runtime = 'engine' | 'onnx';

/**
 * A run folder, a checkpoint file inside one (RUN/checkpoints/NAME.safetensors: the model of the run
 * with that file's weights), an int8 run (from quantize), or an exported model.onnx with its sidecar.
 * Without --checkpoint a run gives its best checkpoint, or its last when it never validated (trained
 * on every case). With runtime 'onnx' a run is exported in memory and run by ONNX Runtime.
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
 * checkpoint, or the best on its inner split), predicted as an ensemble.
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
        '--checkpoint',
        'does not apply to a cross-validation folder (each fold gives its reported model)',
      );
    if (runtime !== 'engine') throw new OptionError('--runtime', 'onnx runs one run folder, not a cross-validation');
    return openCvRuns(path);
  }
  return [await openSingleRun(path, checkpoint, runtime)];
}

async function openSingleRun(path: string, checkpoint: string | undefined, runtime: Runtime): Promise<PredictionRun> {
  if (statSync(path).isFile() && /\.onnx$/i.test(path)) {
    if (checkpoint !== undefined)
      throw new OptionError('--checkpoint', `${path} is an exported model (leave --checkpoint out)`);
    return loadOnnxRun(path);
  }
  if (runtime === 'onnx') {
    if (statSync(path).isFile())
      throw new OptionError('--runtime', 'onnx runs a run folder or a model.onnx, not a checkpoint file');
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
      throw new OptionError('--checkpoint', `${path} is an int8 run: it holds one model (leave --checkpoint out)`);
    return loadInt8Run(path);
  }
  return openTrainedRun(path, { checkpoint: pickCheckpoint(path, checkpoint) });
}

function pickCheckpoint(runDir: string, checkpoint: string | undefined): 'best' | 'last' {
  if (checkpoint !== undefined) {
    if (checkpoint !== 'best' && checkpoint !== 'last')
      throw new OptionError('--checkpoint', `must be best or last, got "${checkpoint}"`);
    return checkpoint;
  }
  const p = runPaths(runDir);
  return !existsSync(p.best) && existsSync(p.last) ? 'last' : 'best';
}

function number(value: string, option: string, check: (n: number) => boolean, what: string): number {
  const n = Number(value);
  if (!check(n)) throw new OptionError(option, `${what}, got "${value}"`);
  return n;
}

export async function runPredict(model: string, inputs: string[], flags: PredictFlags): Promise<void> {
  const runDir = existsSync(model) && statSync(model).isFile() ? dirname(dirname(model)) : model;
  if (existsSync(runDir) && taskOfRun(runDir) === 'classification') return runClassifyPredict(runDir, inputs, flags);
  if (flags.split !== undefined) throw new OptionError('--split', 'is for classification runs');
  if (inputs.length === 0) throw new OptionError('inputs', 'give at least one image to segment');
  const overlap = number(flags.overlap, '--overlap', (n) => n >= 0 && n < 1, 'must be in [0, 1)');
  if (existsSync(model) && isDetectionRun(model)) return runPredictDetection(model, inputs, flags, overlap);
  const batchSize = number(flags.batch, '--batch', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer');
  if (flags.format !== undefined && !OUTPUT_FORMATS.includes(flags.format as OutputFormat)) {
    throw new OptionError('--format', `must be one of ${OUTPUT_FORMATS.join(', ')}, got "${flags.format}"`);
  }
  const postprocess = parsePostprocess(flags.postprocess);
  if (flags.threads !== undefined)
    setNumThreads(
      number(flags.threads, '--threads', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer'),
    );
  if (flags.runtime !== 'engine' && flags.runtime !== 'onnx')
    throw new OptionError('--runtime', `must be engine or onnx, got "${flags.runtime}"`);
  const runs: PredictionRun[] = [];
  for (const path of [model, ...(flags.ensemble ?? [])])
    runs.push(...(await openRuns(path, flags.checkpoint, flags.runtime)));
  const cases = groupInputs(inputs, runs[0]!.plan.channels.length);
  if (runs.length > 1) process.stderr.write(`predict: an ensemble of ${runs.length} models (probabilities averaged)\n`);
  const started = performance.now();
  const written = await withFlagNames({ format: '--format', overlap: '--overlap', ensemble: '--ensemble' }, () =>
    predictImages(runs, cases, {
      output: flags.output,
      format: flags.format as OutputFormat | undefined,
      tta: flags.tta,
      overlap,
      batchSize,
      probabilities: flags.probabilities,
      postprocess: postprocess ?? inferencePostprocess(runs[0]!),
      onCase: (id, index, total) => process.stderr.write(`predict: case ${index + 1}/${total} ${id}\n`),
      onWindows: process.stderr.isTTY
        ? (done, total) => process.stderr.write(`\r  windows ${done}/${total}${done === total ? '\n' : ''}`)
        : undefined,
    }),
  );
  for (const w of written)
    process.stderr.write(`predict: wrote ${w.labels}${w.probabilities ? ` and ${w.probabilities}` : ''}\n`);
  process.stderr.write(
    `predict: ${written.length} case(s) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (flags.json) process.stdout.write(`${JSON.stringify(written)}\n`);
}

/** Detection runs: boxes per case as JSON and CSV (voxel and patient coordinates) and, for 2D, an overlay PNG. */
async function runPredictDetection(
  model: string,
  inputs: string[],
  flags: PredictFlags,
  overlap: number,
): Promise<void> {
  if (flags.threads !== undefined)
    setNumThreads(
      number(flags.threads, '--threads', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer'),
    );
  const checkpoint =
    flags.checkpoint === undefined ? undefined : (pickCheckpoint(model, flags.checkpoint) as 'best' | 'last');
  const run = loadDetectionRun(model, checkpoint);
  const c = run.config;
  const started = performance.now();
  const written = await predictDetectionFiles(run.model, inputs, {
    output: flags.output,
    classes: run.classes,
    prepare: {
      dims: c.dataset.dims,
      normalization: c.preprocess.normalization,
      scale: c.preprocess.scale,
      targetSpacing: c.preprocess.target_spacing ?? undefined,
    },
    detect: {
      window: c.inference.window,
      overlap,
      mirror: c.inference.mirror && flags.tta,
      merge: c.inference.merge,
      mergeIou: c.inference.merge_iou,
      scoreThreshold: c.inference.score_threshold,
      nmsThreshold: c.inference.nms_threshold,
      detectionsPerImage: c.inference.detections_per_image,
    },
    onCase: (id, index, total) => process.stderr.write(`predict: case ${index + 1}/${total} ${id}\n`),
  });
  process.stderr.write(
    `predict: ${written.length} case(s) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (flags.json) process.stdout.write(`${JSON.stringify(written)}\n`);
}

/** The run config's inference section decides post-processing unless --postprocess is given. */
function inferencePostprocess(run: PredictionRun & { config?: unknown }): PostprocessOptions | undefined {
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

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command): void {
  program
    .command('predict')
    .description(
      "segment images with a trained run (the run's preprocessing, sliding window with Gaussian weighting and mirroring TTA, ensemble averaging, post-processing; outputs keep each input's geometry), or classify them with a classification run (a predictions CSV)",
    )
    .argument(
      '<model>',
      'run folder, cross-validation folder (its fold models as an ensemble), int8 run folder, RUN/checkpoints/NAME.safetensors, or an exported model.onnx (with its sidecar)',
    )
    .argument(
      '[inputs...]',
      "images or DICOM folders; a case's channel files joined by commas (a.nii.gz,b.nii.gz) or named CASE_0000, CASE_0001, ...",
    )
    .requiredOption('-o, --output <out>', 'output folder (or, for one input, a file name)')
    .option('--no-tta', 'no mirroring test-time augmentation (about 2^dims times faster)')
    .option('--overlap <f>', 'window overlap', '0.5')
    .option('--batch <n>', 'windows per forward pass', '1')
    .option(
      '--checkpoint <best|last>',
      'which checkpoint of each run (default best, or last when the run never validated)',
    )
    .option(
      '--ensemble <run>',
      'another run (or checkpoint file) whose probabilities are averaged in; repeatable',
      collect,
    )
    .option('--probabilities', 'also write probability maps (float32, one channel per class) under OUT/probabilities')
    .option(
      '--postprocess <steps>',
      "largest | none | min-size=N | fill-holes (comma-separated; default: the run config's inference section)",
    )
    .option(
      '--format <fmt>',
      `output format: ${OUTPUT_FORMATS.join(', ')} (default: png for 2D rasters, nrrd for NRRD, else nii.gz)`,
    )
    .option('--threads <n>', 'CPU threads (default: every core)')
    .option(
      '--runtime <engine|onnx>',
      'engine (libtorch; int8 for an int8 run) or onnx (the run exported in memory and run by ONNX Runtime, through the same sliding window)',
      'engine',
    )
    .option('--split <name>', "classification: classify the run's own train, val or test split (e.g. MedMNIST's test)")
    .option('--json', 'print the files written as JSON on stdout')
    .action(runPredict);
}
