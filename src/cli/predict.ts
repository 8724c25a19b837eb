/**
 * `vesalius predict RUN|MODEL INPUT... -o OUT`: segments new images with a trained run (or a
 * checkpoint file inside one), with the run's preprocessing, sliding window, mirroring TTA, ensemble
 * averaging and post-processing; writes label maps (and probability maps) with each input's geometry.
 * The logic lives in src/infer/predict.ts.
 */
import { numberFlag, withFlagNames } from './flags.js';
import type { Command } from 'commander';
import { basename } from 'node:path';
import { setNumThreads } from '../engine/threads.js';
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { groupInputs, OUTPUT_FORMATS, predictImages, type OutputFormat, type PredictionRun } from '../infer/predict.js';
import type { PostprocessOptions } from '../infer/postprocess.js';
import type { TrainingConfig } from '../train/config.js';
import { inferencePostprocess } from '../train/inference-options.js';
import { pickCheckpoint } from '../train/open-run.js';
import { openRuns, type Runtime } from '../export/open-model.js';
import type { SegResult } from '../io/dicom/seg/write.js';
import { writePredictionSr } from '../report/findings-sr.js';
import { isDetectionRun, loadDetectionRun } from '../train/detection-run.js';
import { predictDetectionFiles } from '../infer/detect-files.js';
import { taskOfRun } from '../train/tasks.js';
import { runClassifyPredict } from './predict-classification.js';
import { OptionError } from '../util/errors.js';

interface PredictFlags {
  output: string;
  tta: boolean;
  overlap: string;
  batch?: string;
  checkpoint?: string;
  ensemble?: string[];
  probabilities?: boolean;
  postprocess?: string;
  format?: string;
  threads?: string;
  runtime: string;
  json?: boolean;
  sr?: boolean;
  segType?: string;
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

export async function runPredict(model: string, inputs: string[], flags: PredictFlags): Promise<void> {
  const runDir = existsSync(model) && statSync(model).isFile() ? dirname(dirname(model)) : model;
  if (existsSync(runDir) && taskOfRun(runDir) === 'classification') return runClassifyPredict(runDir, inputs, flags);
  if (flags.split !== undefined) throw new OptionError('--split', 'is for classification runs');
  if (inputs.length === 0) throw new OptionError('inputs', 'give at least one image to segment');
  const overlap = numberFlag(flags.overlap, '--overlap', (n) => n >= 0 && n < 1, 'must be in [0, 1)');
  if (existsSync(model) && isDetectionRun(model)) return runPredictDetection(model, inputs, flags, overlap);
  const batchSize =
    flags.batch === undefined
      ? undefined
      : numberFlag(flags.batch, '--batch', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer');
  if (flags.format !== undefined && !OUTPUT_FORMATS.includes(flags.format as OutputFormat)) {
    throw new OptionError('--format', `must be one of ${OUTPUT_FORMATS.join(', ')}, got "${flags.format}"`);
  }
  if (flags.sr && flags.format !== 'dicom-seg')
    throw new OptionError('--sr', 'needs --format dicom-seg (the SR references the SEG)');
  const segType = (flags.segType ?? 'binary').toUpperCase();
  if (segType !== 'BINARY' && segType !== 'LABELMAP')
    throw new OptionError('--seg-type', `must be binary or labelmap, got "${flags.segType}"`);
  const postprocess = parsePostprocess(flags.postprocess);
  if (flags.threads !== undefined)
    setNumThreads(
      numberFlag(flags.threads, '--threads', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer'),
    );
  if (flags.runtime !== 'engine' && flags.runtime !== 'onnx')
    throw new OptionError('--runtime', `must be engine or onnx, got "${flags.runtime}"`);
  const runs: PredictionRun[] = [];
  await withFlagNames({ checkpoint: '--checkpoint', runtime: '--runtime' }, async () => {
    for (const path of [model, ...(flags.ensemble ?? [])])
      runs.push(...(await openRuns(path, flags.checkpoint, flags.runtime as Runtime)));
  });
  const cases = groupInputs(inputs, runs[0]!.plan.channels.length);
  if (runs.length > 1) process.stderr.write(`predict: an ensemble of ${runs.length} models (probabilities averaged)\n`);
  const started = performance.now();
  const srWritten: string[] = [];
  const written = await withFlagNames({ format: '--format', overlap: '--overlap', ensemble: '--ensemble' }, () =>
    predictImages(runs, cases, {
      output: flags.output,
      format: flags.format as OutputFormat | undefined,
      tta: flags.tta,
      overlap,
      batchSize,
      probabilities: flags.probabilities,
      postprocess: postprocess ?? inferencePostprocess((runs[0]! as { config?: TrainingConfig }).config),
      onCase: (id, index, total) => process.stderr.write(`predict: case ${index + 1}/${total} ${id}\n`),
      seg: {
        type: segType,
        algorithm: { name: `Vesalius ${basename(model)}`, version: '0.1.0' },
        modelName: basename(model),
      },
      keepProbabilities: flags.sr,
      onWritten: async ({ prediction, seg }) => {
        for (const w of seg?.warnings ?? []) process.stderr.write(`predict: warning: ${w}\n`);
        if (!flags.sr || !seg) return;
        const path = srPathFor(seg, flags.output);
        const sr = writePredictionSr(path, prediction, seg, { modelName: basename(model) });
        srWritten.push(path);
        process.stderr.write(`predict: wrote ${path} (${sr.findings.length} finding(s))\n`);
      },
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
  if (flags.json)
    process.stdout.write(
      `${JSON.stringify(flags.sr ? written.map((w, i) => ({ ...w, sr: srWritten[i] })) : written)}\n`,
    );
}

/** The SR beside its SEG: CASE.seg.dcm → CASE.sr.dcm (or OUT.dcm → OUT.sr.dcm). */
function srPathFor(seg: SegResult, output: string): string {
  const segPath = seg.path ?? output;
  return segPath.replace(/(\.seg)?\.dcm$/i, '.sr.dcm');
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
      numberFlag(flags.threads, '--threads', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer'),
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
      "images or DICOM folders; a case's channel files joined by commas (a.nii.gz,b.nii.gz) or named CASE_0000, CASE_0001, ...; classification: or one CSV of cases, read with each run's image column(s)",
    )
    .requiredOption('-o, --output <out>', 'output folder (or, for one input, a file name)')
    .option('--no-tta', 'no mirroring test-time augmentation (about 2^dims times faster)')
    .option('--overlap <f>', 'window overlap', '0.5')
    .option('--batch <n>', 'windows per forward pass (default: 8 for 2D windows up to 256², else 1; ONNX models 1)')
    .option(
      '--checkpoint <best|last>',
      'which checkpoint of each run (default best, or last when the run never validated)',
    )
    .option(
      '--ensemble <run>',
      'another run (or checkpoint file) whose probabilities are averaged in; repeatable (classification: decision-level fusion, each run reading its own modality with --split)',
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
    .option('--sr', 'with --format dicom-seg: also a DICOM SR (TID 1500) of the findings, beside each SEG')
    .option('--seg-type <binary|labelmap>', 'SEG type for --format dicom-seg', 'binary')
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
