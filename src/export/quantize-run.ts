/**
 * `vesalius quantize RUN --calibration IMAGES... -o RUN_INT8`: an int8 run. The new folder is a run
 * like any other (config, plan, dataset, the float checkpoint it was made from as best.safetensors)
 * plus `quantization.json`: the engine, every value's calibrated range, the nodes kept in float and
 * why, each node's SQNR, the calibration it came from, and the agreement with the float model it
 * measured (label Dice and probability differences on the check images, and the speed of both).
 * `predict RUN_INT8` runs it in int8; weights are quantized when the run is loaded (per channel, from
 * the float checkpoint, which is deterministic), so the file keeps the float weights for comparison.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { quantizedEngine } from '../engine/quantized.js';
import { disposeGraph, type Graph, toGraph } from '../infer/graph/index.js';
import { foldBatchNorms } from '../infer/int8/fold.js';
import { type Int8Spec, Int8Model } from '../infer/int8/model.js';
import { groupInputs, type PredictionInput, type PredictionRun, predictCase } from '../infer/predict.js';
import { classConfusions } from '../metrics/confusion.js';
import { dice } from '../metrics/overlap.js';
import { type LoadedRun, loadRun, runPaths } from '../train/run-folder.js';
import { writeFileAtomic } from '../util/atomic.js';
import { FileFormatError, OptionError, VesaliusError } from '../util/errors.js';
import { calibrate, type NodeReport } from './calibrate.js';
import { calibrationWindows } from './calibration-data.js';
import type { Observer } from './observers.js';

export const QUANTIZATION_FILE = 'quantization.json';

export interface QuantizeOptions {
  /** Calibration images (as predict takes them: files, or a case's channel files joined by commas). */
  calibration: string[];
  /** The int8 run folder to write. */
  out: string;
  checkpoint?: 'best' | 'last';
  /** Windows per calibration image (default 16). */
  windowsPerImage?: number;
  /** Nodes below this SQNR stay in float (default 20 dB). */
  minSqnrDb?: number;
  /** Activation range observer (default 'histogram'). */
  observer?: Observer;
  /** Images on which agreement with the float model is measured (default: the calibration images). */
  check?: string[];
  /** A line per step (calibration windows, agreement check) for the log. */
  onProgress?: (line: string) => void;
}

export interface Agreement {
  images: number;
  /** Per foreground class: mean over images of the Dice between the int8 and float label maps. */
  label_dice: number[];
  /** Largest and mean absolute difference of the class probabilities. */
  max_abs_probability_difference: number;
  mean_abs_probability_difference: number;
  /** Prediction time of the check images (no mirroring TTA) in each precision, same process, same threads. */
  float_seconds: number;
  int8_seconds: number;
}

export interface QuantizationFile extends Int8Spec {
  format: 'vesalius-int8-1';
  engine: string;
  activations: string;
  weights: string;
  source: { run: string; checkpoint: string };
  calibration: {
    images: string[];
    windows: number;
    windows_per_image: number;
    observer: Observer;
    min_sqnr_db: number;
    seconds: number;
  };
  summary: { int8_nodes: number; float_nodes: Array<{ module: string; op: string; reason: string }> };
  nodes: NodeReport[];
  agreement: Agreement;
}

/** The network's graph in the form the int8 runtime runs (batch norms folded); dispose with disposeGraph. */
export function int8Graph(run: Pick<LoadedRun, 'model' | 'plan'>): Graph {
  const graph = toGraph(run.model, {
    inChannels: run.plan.channels.length,
    spatialDims: run.plan.dimension === '3d' ? 3 : 2,
  });
  return foldBatchNorms(graph);
}

function checkOut(runDir: string, out: string): void {
  if (resolve(runDir) === resolve(out)) throw new OptionError('out', 'must differ from the run folder');
  if (existsSync(join(out, 'config.json')))
    throw new OptionError('out', `${out} already holds a run; choose another folder`);
}

/** Calibrates, writes the int8 run folder, and returns its quantization record. */
export async function quantizeRun(runDir: string, options: QuantizeOptions): Promise<QuantizationFile> {
  const say = options.onProgress ?? (() => {});
  if (options.calibration.length === 0)
    throw new OptionError(
      'calibration',
      'no calibration images (give at least one image of the kind the model predicts)',
    );
  checkOut(runDir, options.out);
  const which = options.checkpoint ?? 'best';
  const run = loadRun(runDir, { checkpoint: existsSync(runPaths(runDir).best) ? which : 'last' });
  const channels = run.plan.channels.length;
  const calibrationInputs = groupInputs(options.calibration, channels);
  const checkInputs = options.check ? groupInputs(options.check, channels) : calibrationInputs;
  const graph = int8Graph(run);
  const windowsPerImage = options.windowsPerImage ?? 16;
  const minSqnrDb = options.minSqnrDb ?? 20;
  try {
    const started = performance.now();
    say(`calibrating on ${calibrationInputs.length} image(s), ${windowsPerImage} window(s) each`);
    const observer = options.observer ?? 'histogram';
    const result = await calibrate(graph, () => calibrationWindows(run, calibrationInputs, { windowsPerImage }), {
      minSqnrDb,
      observer,
      onProgress: (pass, n) => {
        if (n % 50 === 0) say(`  ${pass}: ${n} windows`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const int8 = new Int8Model(graph, result.spec);
    const summary = int8.summary();
    say(
      `int8: ${summary.int8} node(s); float: ${summary.float.length}${summary.float.length ? ` (${summary.float.map((f) => `${f.module || f.op}: ${f.reason}`).join('; ')})` : ''}`,
    );
    say(`measuring agreement with the float model on ${checkInputs.length} image(s)`);
    const agreement = await measureAgreement(run, { ...run, model: int8 }, checkInputs);
    int8.dispose();
    const record: QuantizationFile = {
      format: 'vesalius-int8-1',
      engine: quantizedEngine().engine,
      activations: 'quint8, per tensor, affine',
      weights: 'qint8, per output channel, symmetric (transposed convolutions: per tensor)',
      source: { run: resolve(runDir), checkpoint: run.checkpoint },
      calibration: {
        images: calibrationInputs.map((c) => c.files.join(',')),
        windows: result.windows,
        windows_per_image: windowsPerImage,
        observer,
        min_sqnr_db: minSqnrDb,
        seconds,
      },
      ...result.spec,
      summary: { int8_nodes: summary.int8, float_nodes: summary.float },
      nodes: result.nodes,
      agreement,
    };
    writeInt8Run(runDir, run.checkpoint, options.out, record);
    return record;
  } finally {
    disposeGraph(graph);
    run.model.dispose();
  }
}

function writeInt8Run(runDir: string, checkpoint: string, out: string, record: QuantizationFile): void {
  const src = runPaths(runDir);
  const dst = runPaths(out);
  mkdirSync(dst.checkpoints, { recursive: true });
  for (const key of ['config', 'plan', 'dataset', 'splits'] as const)
    if (existsSync(src[key])) copyFileSync(src[key], dst[key]);
  copyFileSync(checkpoint, dst.best);
  writeFileAtomic(join(out, QUANTIZATION_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

async function measureAgreement(
  float: PredictionRun,
  int8: PredictionRun,
  inputs: readonly PredictionInput[],
): Promise<Agreement> {
  const K = float.datasetInfo.numClasses;
  const diceSums = new Array<number>(K - 1).fill(0);
  let maxDiff = 0,
    diffSum = 0,
    diffCount = 0,
    floatSeconds = 0,
    int8Seconds = 0;
  for (const input of inputs) {
    let t = performance.now();
    const a = await predictCase(float, input, { tta: false, probabilities: true });
    floatSeconds += (performance.now() - t) / 1000;
    t = performance.now();
    const b = await predictCase(int8, input, { tta: false, probabilities: true });
    int8Seconds += (performance.now() - t) / 1000;
    const counts = classConfusions(b.labels.data as Uint8Array, a.labels.data as Uint8Array, K);
    for (let c = 1; c < K; c++) diceSums[c - 1]! += dice(counts[c]!);
    const pa = a.probabilities!.data as Float32Array,
      pb = b.probabilities!.data as Float32Array;
    for (let v = 0; v < pa.length; v++) {
      const d = Math.abs(pa[v]! - pb[v]!);
      if (d > maxDiff) maxDiff = d;
      diffSum += d;
    }
    diffCount += pa.length;
  }
  return {
    images: inputs.length,
    label_dice: diceSums.map((s) => s / inputs.length),
    max_abs_probability_difference: maxDiff,
    mean_abs_probability_difference: diffSum / Math.max(1, diffCount),
    float_seconds: floatSeconds,
    int8_seconds: int8Seconds,
  };
}

/** Whether a run folder holds an int8 model. */
export function isInt8Run(runDir: string): boolean {
  return existsSync(join(runDir, QUANTIZATION_FILE));
}

export interface LoadedInt8Run extends Omit<LoadedRun, 'model'> {
  model: Int8Model;
  quantization: QuantizationFile;
  /** Frees the int8 model, its graph and the float network it was lowered from. */
  dispose(): void;
}

/** An int8 run, ready to predict: the run's network lowered, its weights quantized and prepacked. */
export function loadInt8Run(runDir: string): LoadedInt8Run {
  const path = join(runDir, QUANTIZATION_FILE);
  if (!existsSync(path))
    throw new VesaliusError(`${runDir}: not an int8 run (no ${QUANTIZATION_FILE}); make one with vesalius quantize`);
  let record: QuantizationFile;
  try {
    record = JSON.parse(readFileSync(path, 'utf8')) as QuantizationFile;
  } catch (err) {
    throw new FileFormatError(path, `cannot read the quantization record (${(err as Error).message})`);
  }
  if (record.format !== 'vesalius-int8-1' || typeof record.ranges !== 'object')
    throw new FileFormatError(path, 'not a Vesalius int8 record (vesalius-int8-1)');
  const run = loadRun(runDir, { checkpoint: 'best' });
  const graph = int8Graph(run);
  const model = new Int8Model(graph, { ranges: record.ranges, floatNodes: record.floatNodes ?? {} });
  return {
    ...run,
    model,
    quantization: record,
    dispose: () => {
      model.dispose();
      disposeGraph(graph);
      run.model.dispose();
    },
  };
}

/** For tests and benches: an Int8Model of a float run under a given spec (the caller disposes). */
export function int8ModelOf(
  run: Pick<LoadedRun, 'model' | 'plan'>,
  spec: Int8Spec,
): { model: Int8Model; dispose(): void } {
  const graph = int8Graph(run);
  const model = new Int8Model(graph, spec);
  return {
    model,
    dispose: () => {
      model.dispose();
      disposeGraph(graph);
    },
  };
}
