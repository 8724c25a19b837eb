/**
 * Prediction on new images with trained runs, the nnU-Net way: read the case (one file per channel,
 * or one multi-channel file), preprocess it with the run's plan exactly as training did
 * (src/data/preprocess.ts), sliding-window softmax (+ mirroring TTA), put the probabilities back on the
 * input's grid (restoreToOriginal), average them over the ensemble (several runs or checkpoints), take
 * the argmax, post-process, and write the label map with the input's geometry. Each member of an
 * ensemble may have its own plan: averaging happens on the input grid.
 *
 * A 2D plan applied to a volume runs slice by slice (along k), as nnU-Net's 2D configuration does.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as ve from '../engine/index.js';
import type { WindowModel } from './sliding-window.js';
import { channelsOf, checkSameGrid, type ImageReader } from '../data/fingerprint.js';
import type { Plan } from '../data/plan.js';
import { type PreprocessedCase, preprocessCase, restoreToOriginal } from '../data/preprocess.js';
import { createImage, type Image } from '../io/image.js';
import { detectFormat } from '../io/format.js';
import { readImage } from '../io/read.js';
import { LABEL_MAP } from '../io/read-options.js';
import { writeImage } from '../io/write.js';
import { caseIdOf } from '../io/case-id.js';
import { FileFormatError, OptionError, ShapeError } from '../util/errors.js';
import type { SegmentSpec } from '../io/dicom/seg/segments.js';
import { type SegResult, type SegWriteOptions, writeDicomSeg } from '../io/dicom/seg/write.js';
import { argmaxChannels, postprocess, type PostprocessOptions } from './postprocess.js';
import { defaultWindowBatch, slidingWindowInference } from './sliding-window.js';

/**
 * A model that takes a whole preprocessed image at once (a classical baseline, src/baselines) instead
 * of sliding windows: class probabilities [K, k, j, i] flat on the preprocessed grid.
 */
export interface WholeImageModel {
  /** Class probabilities [K, k, j, i] flat of one preprocessed image. */
  predict(image: {
    data: Float32Array;
    channels: number;
    shape: [number, number, number];
    spacing: readonly number[];
    /** The case's region of interest on the same grid, when the input names one. */
    roi?: Uint8Array;
  }): Float32Array | Promise<Float32Array>;
}

/** What prediction needs from a loaded run (src/train/run-folder.ts `loadRun` returns a superset). */
export interface PredictionRun {
  plan: Plan;
  /** A network (a Module) or another runtime of it (int8, ONNX), run by sliding windows; or, instead, `wholeImage`. */
  model?: WindowModel;
  wholeImage?: WholeImageModel;
  datasetInfo: { channels: string[]; numClasses: number; labels?: { name: string; value: number }[] };
}

/** Label image formats, and `dicom-seg`: a DICOM SEG referencing the input series (DICOM inputs only). */
export type OutputFormat = 'nii.gz' | 'nrrd' | 'png' | 'dicom-seg';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['nii.gz', 'nrrd', 'png', 'dicom-seg'];

export interface PredictOptions {
  /** Mirroring test-time augmentation over every spatial axis (default true). */
  tta?: boolean;
  /** Fraction of a window shared with its neighbour (default 0.5). */
  overlap?: number;
  /**
   * Windows per forward pass (default: the model's preferredWindowBatch, else defaultWindowBatch of the patch:
   * 8 for 2D windows up to 256², else 1).
   */
  batchSize?: number;
  /** Also return / write the probability maps (float32, one channel per class on an extra axis). */
  probabilities?: boolean;
  /** Largest component, small components, holes (default: none). */
  postprocess?: PostprocessOptions;
  /** Where the models run (default: where their weights are). */
  device?: string;
  /** Reads the input files (default `readImage`). */
  reader?: ImageReader;
  /** Called when a stage starts ('model 2/3' in an ensemble). */
  onProgress?: (stage: string) => void;
  /** Called after each batch of windows (per model, and per slice for a 2D plan on a volume). */
  onWindows?: (done: number, total: number) => void;
}

export interface CasePrediction {
  /** Class index per voxel on the input's grid, with its geometry. */
  labels: Image;
  /** The (first channel's) input image as read. */
  image: Image;
  /** [i, j, k, classes] float32 on the input's grid, when asked for. */
  probabilities?: Image;
}

/** One case to predict: its channel files in the plan's channel order, and the name of its outputs. */
export interface PredictionInput {
  id: string;
  files: string[];
  /** A region-of-interest mask on the image's grid (e.g. DRIVE's field of view), for models that use one. */
  roi?: string;
}

function spatialOf(image: Image): [number, number, number] {
  return [image.shape[0]!, image.shape[1] ?? 1, image.shape[2] ?? 1];
}

/** Reads a case's channel files: checks that they share a grid and that the count fits every run's plan. */
export async function readCase(
  input: PredictionInput,
  runs: readonly PredictionRun[],
  reader: ImageReader = readImage,
): Promise<{ first: Image; channels: ArrayLike<number>[] }> {
  const channels: ArrayLike<number>[] = [];
  let first: Image | undefined;
  for (const path of input.files) {
    const img = await reader(path);
    if (!first) first = img;
    else checkSameGrid(first, img, input.files[0]!, path);
    channels.push(...channelsOf(img).channels);
  }
  for (const run of runs) {
    const expected = run.plan.channels.length;
    if (channels.length !== expected) {
      throw new ShapeError(
        `${input.files.join(', ')}: ${channels.length} channel(s), the model expects ${expected} (${run.plan.channels.join(', ')}); give one file per channel or one ${expected}-channel file`,
      );
    }
  }
  return { first: first!, channels };
}

/** A preprocessed case and the network inputs made from it (see `networkInputs`). */
export interface NetworkInputs {
  /** The case preprocessed with the run's plan. */
  pre: PreprocessedCase;
  /** The window size in the tensor's axis order (reversed from the plan's i, j, k). */
  patch: number[];
  /** The input tensors: one volume (slice null) or one per slice k; each is the caller's to dispose. */
  inputs: () => Generator<{ slice: number | null; tensor: ve.Tensor }>;
}

/**
 * A case preprocessed with the run's plan (exactly as training saw it), and the network's inputs made
 * from it: one volume [1, C, D, H, W] for a 3D plan, or one [1, C, H, W] per slice (along k) for a 2D
 * plan. Each input tensor is the caller's to dispose.
 */
export function networkInputs(
  run: Pick<PredictionRun, 'plan'>,
  id: string,
  image: Image,
  channels: ArrayLike<number>[],
  roi?: ArrayLike<number>,
): NetworkInputs {
  const shape = spatialOf(image);
  const pre = preprocessCase(
    { id, shape, spacing: [...image.spacing], channels, roi },
    { spacing: image.spacing, origin: image.origin, direction: image.direction },
    run.plan,
  );
  const [ni, nj, nk] = pre.shape;
  const patchImageOrder = run.plan.patch_size; // the trainer's patch (a config's patch_size is already in the plan)
  const patch = [...patchImageOrder].reverse();
  const is3d = run.plan.dimension === '3d';
  function* inputs(): Generator<{ slice: number | null; tensor: ve.Tensor }> {
    // checked here, not above: a whole-image model (a baseline) never asks for windows
    if (patch.length !== (is3d ? 3 : 2))
      throw new OptionError(
        'patch_size',
        `a ${is3d ? 3 : 2}D plan needs ${is3d ? 3 : 2} values, got [${patchImageOrder.join(', ')}]`,
      );
    if (is3d) {
      yield { slice: null, tensor: ve.Tensor.from(pre.data, [1, pre.channels, nk, nj, ni]) };
      return;
    }
    const slice = ni * nj;
    const volume = ni * nj * nk;
    for (let k = 0; k < nk; k++) {
      const planes = new Float32Array(pre.channels * slice);
      for (let c = 0; c < pre.channels; c++)
        planes.set(pre.data.subarray(c * volume + k * slice, c * volume + (k + 1) * slice), c * slice);
      yield { slice: k, tensor: ve.Tensor.from(planes, [1, pre.channels, nj, ni]) };
    }
  }
  return { pre, patch, inputs };
}

/** Softmax probabilities of one run on the input grid, [K, k, j, i] flat. */
async function runProbabilities(
  run: PredictionRun,
  id: string,
  image: Image,
  channels: ArrayLike<number>[],
  options: PredictOptions,
  roi?: ArrayLike<number>,
): Promise<Float32Array> {
  const { pre, patch, inputs } = networkInputs(run, id, image, channels, roi);
  const [ni, nj, nk] = pre.shape;
  const K = run.datasetInfo.numClasses;
  const windowOptions = {
    patchSize: patch,
    overlap: options.overlap ?? 0.5,
    batchSize: options.batchSize ?? run.model?.preferredWindowBatch ?? defaultWindowBatch(patch),
    mirror: options.tta ?? true,
    device: options.device,
    onProgress: options.onWindows,
  };
  const onGrid = new Float32Array(K * ni * nj * nk);
  if (run.wholeImage) {
    const probs = await run.wholeImage.predict({
      data: pre.data,
      channels: pre.channels,
      shape: pre.shape,
      spacing: pre.properties.grid.spacing,
      roi: pre.roi,
    });
    if (probs.length !== onGrid.length)
      throw new ShapeError(`${id}: the model gave ${probs.length} probabilities, expected ${K}×${ni * nj * nk}`);
    onGrid.set(probs);
  } else if (!run.model) {
    throw new OptionError('run', 'has neither a network nor a whole-image model');
  } else {
    const slice = ni * nj;
    const volume = ni * nj * nk;
    for (const { slice: k, tensor: input } of inputs()) {
      try {
        const probs = await slidingWindowInference(run.model, input, windowOptions);
        const values = toCpuArray(probs);
        probs.dispose();
        if (k === null) onGrid.set(values);
        else
          for (let c = 0; c < K; c++) onGrid.set(values.subarray(c * slice, (c + 1) * slice), c * volume + k * slice);
      } finally {
        input.dispose();
      }
    }
  }
  return restoreToOriginal(onGrid, K, pre.properties, 'probabilities');
}

function toCpuArray(t: ve.Tensor): Float32Array {
  return ve.tidy(() => (t.device === 'cpu' ? t : t.to('cpu')).contiguous().toArray() as Float32Array);
}

/** Predicts one case with an ensemble (probabilities averaged on the input's grid). */
export async function predictCase(
  runs: PredictionRun | readonly PredictionRun[],
  input: PredictionInput,
  options: PredictOptions = {},
): Promise<CasePrediction> {
  const members = Array.isArray(runs) ? (runs as readonly PredictionRun[]) : [runs as PredictionRun];
  if (members.length === 0) throw new OptionError('run', 'no model given');
  const K = members[0]!.datasetInfo.numClasses;
  for (const r of members)
    if (r.datasetInfo.numClasses !== K)
      throw new OptionError(
        'ensemble',
        `members predict different numbers of classes (${K} and ${r.datasetInfo.numClasses})`,
      );
  const { first, channels } = await readCase(input, members, options.reader);
  let roi: ArrayLike<number> | undefined;
  if (input.roi) {
    const mask = await (options.reader ?? readImage)(input.roi, LABEL_MAP);
    checkSameGrid(first, mask, input.files[0]!, input.roi);
    roi = mask.data;
  }
  const shape = spatialOf(first);
  const n = shape[0] * shape[1] * shape[2];
  const mean = new Float32Array(K * n);
  for (const [m, run] of members.entries()) {
    options.onProgress?.(members.length > 1 ? `model ${m + 1}/${members.length}` : 'model');
    const p = await runProbabilities(run, input.id, first, channels, options, roi);
    for (let v = 0; v < p.length; v++) mean[v]! += p[v]!;
  }
  if (members.length > 1) for (let v = 0; v < mean.length; v++) mean[v]! /= members.length;
  let labels = argmaxChannels(mean, K) as Uint8Array;
  if (options.postprocess) labels = postprocess(labels, shape, options.postprocess);
  const geometry = {
    spacing: [...first.spacing] as Image['spacing'],
    origin: [...first.origin] as Image['origin'],
    direction: [...first.direction] as Image['direction'],
  };
  return {
    labels: createImage(labels, shape, geometry),
    image: first,
    probabilities: options.probabilities ? createImage(mean, [...shape, K], geometry) : undefined,
  };
}

/** Where a case's outputs go: `<out>/<id>.<format>` and `<out>/probabilities/<id>.<format|nii.gz>`. */
export function outputPaths(
  outDir: string,
  id: string,
  format: OutputFormat,
): { labels: string; probabilities: string } {
  // PNG holds 8/16-bit integers only: probability maps of PNG (and SEG) predictions are written as NIfTI.
  const probFormat = format === 'png' || format === 'dicom-seg' ? 'nii.gz' : format;
  return {
    labels: join(outDir, format === 'dicom-seg' ? `${id}.seg.dcm` : `${id}.${format}`),
    probabilities: join(outDir, 'probabilities', `${id}.${probFormat}`),
  };
}

/** The output format of an input file when none is asked for: rasters → png, NRRD → nrrd, else nii.gz. */
export function defaultFormat(path: string): OutputFormat {
  const format = detectFormat(path);
  if (format === 'raster') return 'png';
  if (format === 'nrrd') return 'nrrd';
  return 'nii.gz';
}

/**
 * Groups input paths into cases. A path may list several channel files joined by commas; with a
 * multi-channel plan, nnU-Net-style files (`case_0000.nii.gz`, `case_0001.nii.gz`, ...) are grouped by
 * case. Each case id comes from its first file (extension and `_0000`-like suffixes dropped); when
 * ids collide (one folder per patient, same file names) the folder's name is the id.
 */
export function groupInputs(paths: readonly string[], channels: number): PredictionInput[] {
  const groups: string[][] = [];
  const byCase = new Map<string, string[]>();
  for (const p of paths) {
    const files = p.split(',').filter((f) => f.length > 0);
    if (files.length === 0) throw new OptionError('INPUT', `empty input "${p}"`);
    for (const f of files) {
      if (!existsSync(f)) throw new FileFormatError(f, 'no such file or folder');
      detectFormat(f); // an unknown format fails here, before anything is written
    }
    const m = files.length === 1 && channels > 1 ? /^(.*)_(\d{4})(\.[^/]+)$/.exec(files[0]!) : null;
    if (m) {
      const key = m[1]!;
      if (!byCase.has(key)) {
        byCase.set(key, []);
        groups.push(byCase.get(key)!);
      }
      byCase.get(key)!.push(files[0]!);
    } else groups.push(files);
  }
  for (const g of groups) g.sort((a, b) => (byChannelSuffix(a) ?? 0) - (byChannelSuffix(b) ?? 0));
  const ids = groups.map((g) => caseIdOf(g[0]!));
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  const finalIds = groups.map((g, i) => (counts.get(ids[i]!)! > 1 ? basename(dirname(resolve(g[0]!))) : ids[i]!));
  if (new Set(finalIds).size !== finalIds.length)
    throw new OptionError(
      'INPUT',
      'two inputs would write the same output name; predict them into different -o folders',
    );
  return groups.map((files, i) => ({ id: finalIds[i]!, files }));
}

function byChannelSuffix(path: string): number | undefined {
  const m = /_(\d{4})\.[^/]+$/.exec(path);
  return m ? Number(m[1]) : undefined;
}

export interface PredictImagesOptions extends PredictOptions {
  /** Output folder; or, for a single case, a file path ending in a writable extension. */
  output: string;
  /** Output format (default: from the first input: png for rasters, nrrd for NRRD, else nii.gz). */
  format?: OutputFormat;
  /** Called before each case, for progress output. */
  onCase?: (id: string, index: number, total: number) => void;
  /** For `dicom-seg`: SEG options (type, algorithm, descriptions); segment names default to the run's classes. */
  seg?: SegWriteOptions;
  /** Keep the probabilities in memory for `onWritten` without writing them (unless `probabilities`). */
  keepProbabilities?: boolean;
  /** Called after a case's files are written, with the prediction (and the SEG written, for dicom-seg). */
  onWritten?: (written: {
    id: string;
    input: PredictionInput;
    prediction: CasePrediction;
    seg?: SegResult;
  }) => Promise<void> | void;
}

/** Segment names for a run's classes: every foreground class, so that a class never predicted stays an (empty) segment. */
export function runSegments(run: PredictionRun): SegmentSpec[] {
  const names = new Map((run.datasetInfo.labels ?? []).map((l) => [l.value, l.name]));
  return Array.from({ length: run.datasetInfo.numClasses - 1 }, (_, c) => ({
    number: c + 1,
    label: names.get(c + 1) ?? `class ${c + 1}`,
  }));
}

/**
 * Predicts every input case and writes its label map (and, with `probabilities`, its probability map) on
 * the input's grid: read → preprocess with each run's plan → sliding window (+ mirroring) → back to the
 * input grid → mean over the ensemble → argmax → post-processing → atomic write.
 *
 * @param runs one trained run (`loadRun` in `vesalius/train`) or several for an ensemble
 * @param inputs the cases: an id (the output's name) and the channel files in the plan's order
 * @param options `output` (a folder, or a file name for one case), `format`, `tta`, `overlap`, `batchSize`,
 *   `postprocess` ...
 * @returns the files written per case
 * @throws OptionError naming the option (`format`, `overlap` ...) or the input; FileFormatError naming an
 *   unreadable input; ShapeError for a wrong channel count or channels on different grids
 *
 * @example
 * ```ts
 * import { predictImages } from 'vesalius/infer';
 * import { loadRun } from 'vesalius/train';
 * const run = loadRun('runs/drive');
 * await predictImages(run, [{ id: '01_test', files: ['01_test.tif'] }], { output: 'pred', probabilities: true });
 * ```
 */
export async function predictImages(
  runs: PredictionRun | readonly PredictionRun[],
  inputs: readonly PredictionInput[],
  options: PredictImagesOptions,
): Promise<Array<{ id: string; labels: string; probabilities?: string }>> {
  if (inputs.length === 0) throw new OptionError('INPUT', 'no input images');
  const format = options.format ?? defaultFormat(inputs[0]!.files[0]!);
  if (!OUTPUT_FORMATS.includes(format))
    throw new OptionError('format', `must be one of ${OUTPUT_FORMATS.join(', ')}, got "${format}"`);
  if (format === 'dicom-seg') {
    const notDicom = inputs.find((c) => c.files.length !== 1 || detectFormat(c.files[0]!) !== 'dicom');
    if (notDicom)
      throw new OptionError(
        'format',
        `dicom-seg needs one DICOM series (folder or file) per case, got ${notDicom.files.join(', ')}`,
      );
  }
  const singleFile =
    inputs.length === 1 &&
    (format === 'dicom-seg' ? /\.dcm$/i : /\.(nii\.gz|nii|nrrd|png)$/i).test(options.output) &&
    !isDirectory(options.output);
  const firstRun = (Array.isArray(runs) ? runs[0] : runs) as PredictionRun;
  const written: Array<{ id: string; labels: string; probabilities?: string }> = [];
  for (const [index, input] of inputs.entries()) {
    options.onCase?.(input.id, index, inputs.length);
    const prediction = await predictCase(runs, input, {
      ...options,
      probabilities: options.probabilities || options.keepProbabilities,
    });
    const paths = singleFile
      ? {
          labels: options.output,
          probabilities: options.output.replace(
            /(\.seg\.dcm|\.dcm|\.nii\.gz|\.nii|\.nrrd|\.png)$/i,
            (ext) => `_probabilities${/\.(png|dcm)$/i.test(ext) ? '.nii.gz' : ext}`,
          ),
        }
      : outputPaths(options.output, input.id, format);
    mkdirSync(dirname(paths.labels), { recursive: true });
    let seg: SegResult | undefined;
    if (format === 'dicom-seg') {
      seg = await writeDicomSeg(prediction.labels, input.files[0]!, paths.labels, {
        segments: runSegments(firstRun),
        ...options.seg,
      });
    } else await writeImage(prediction.labels, paths.labels);
    const entry: { id: string; labels: string; probabilities?: string } = { id: input.id, labels: paths.labels };
    if (prediction.probabilities && options.probabilities) {
      mkdirSync(dirname(paths.probabilities), { recursive: true });
      await writeImage(prediction.probabilities, paths.probabilities);
      entry.probabilities = paths.probabilities;
    }
    await options.onWritten?.({ id: input.id, input, prediction, ...(seg ? { seg } : {}) });
    written.push(entry);
  }
  return written;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
